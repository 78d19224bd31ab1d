from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sharedpurpose.accounts"
    label = "accounts"
    verbose_name = "Accounts"
