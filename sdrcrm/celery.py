"""The Celery app `sdrcrm`: `celery -A sdrcrm worker`, `celery -A sdrcrm beat`."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_init, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sdrcrm.settings")

app = Celery("sdrcrm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
@worker_process_init.connect
def preload_worker_data(**_kwargs) -> None:
    """Process start-up, not domain flow: what every import needs is loaded once per worker (in the main
    process, which forked children inherit, and again in each child, a no-op there) rather than on the
    first rows of an import."""
    from leads.normalise import preload_phone_metadata  # Django is set up by then

    preload_phone_metadata()


@task_prerun.connect
@task_postrun.connect
def recycle_database_connections(task=None, **_kwargs) -> None:
    """Around each task what Django does around each request: a connection that errored, outlived
    `CONN_MAX_AGE` or fails its health check is closed, a healthy one kept (`CELERY_DB_REUSE_MAX` turns
    off Celery's closing after every task, which cost each task a new database session)."""
    if task is None or getattr(task.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()
