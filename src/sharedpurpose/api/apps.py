from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "sharedpurpose.api"
    label = "api"
    verbose_name = "REST API"
