from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sdrcrm.accounts"
    label = "accounts"
    verbose_name = "Accounts"
