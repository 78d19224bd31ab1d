from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sharedpurpose.core"
    label = "core"
    verbose_name = "Core"
