from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "sharedpurpose.applications"
    label = "applications"
    verbose_name = "Applications, assessment and awards"
