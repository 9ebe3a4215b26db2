"""`celery -A tests.support.celery_on_queue worker|beat`: the sdrcrm Celery app, every task it sends
going to the test's queue `FAULTS_QUEUE` (so that no other worker takes it), and beat's production
schedule with every entry due every `FAULTS_BEAT_SECONDS`."""

import os

from django.conf import settings

from sdrcrm.celery import app

app.conf.task_default_queue = os.environ["FAULTS_QUEUE"]
app.conf.beat_schedule = {
    name: {**entry, "schedule": float(os.environ.get("FAULTS_BEAT_SECONDS", "2"))}
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
}
