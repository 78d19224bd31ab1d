from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "sharedpurpose.programmes"
    label = "programmes"
    verbose_name = "Programmes and rounds"
