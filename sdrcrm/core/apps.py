from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sdrcrm.core"
    label = "core"
    verbose_name = "Core"
