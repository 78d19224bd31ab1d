from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "sharedpurpose.demo"
    label = "demo"
    verbose_name = "Demo data"
