from django.apps import AppConfig


class ImprovementConfig(AppConfig):
    name = "sharedpurpose.improvement"
    label = "improvement"
    verbose_name = "Award-holder teams and measurement"
