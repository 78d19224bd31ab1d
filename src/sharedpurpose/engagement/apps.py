from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "sharedpurpose.engagement"
    label = "engagement"
    verbose_name = "Comments, stay-informed subscriptions and outgoing e-mail"
