from django.apps import AppConfig


class CeilingConfig(AppConfig):
    name = "bench.ceiling"
    label = "ceiling"
    verbose_name = "Benchmark ceiling"
    default_auto_field = "django.db.models.BigAutoField"
