"""The Celery app `sdrcrm`: `celery -A sdrcrm worker`, `celery -A sdrcrm beat`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sdrcrm.settings")

app = Celery("sdrcrm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
