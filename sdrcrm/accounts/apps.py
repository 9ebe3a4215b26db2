from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sdrcrm.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from sdrcrm.accounts.api import schema  # noqa: F401  (registers the API-key scheme)
