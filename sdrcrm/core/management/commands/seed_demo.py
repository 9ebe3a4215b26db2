"""Loads the demo team and its data. Each installed app may ship a `demo` module with
`seed(context: dict) -> None`; they run in INSTALLED_APPS order and share `context`
(the team, the users by username, and whatever earlier apps put there)."""

from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import module_has_submodule

from sdrcrm.accounts.demo import DEMO_PASSWORD, DEMO_TEAM_NAME, DEMO_USERS
from sdrcrm.accounts.models import Team


class Command(BaseCommand):
    help = "Loads a realistic demo team (SDRs, BDRs, AEs, a manager) and its leads, cadences and deals."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="Random seed, for repeatable data.")

    def handle(self, *args, **options):
        if Team.objects.filter(name=DEMO_TEAM_NAME).exists():
            self.stdout.write("Demo data is already loaded.")
        else:
            context = {"seed": options["seed"], "stdout": self.stdout}
            with transaction.atomic():
                for app_config in apps.get_app_configs():
                    if module_has_submodule(app_config.module, "demo"):
                        import_module(f"{app_config.name}.demo").seed(context)
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, _first, _last, role, _tz in DEMO_USERS:
            self.stdout.write(f"  {username:<10} {role}")
