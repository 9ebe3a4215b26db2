from celery import shared_task

from sdrcrm.core import services


@shared_task(name="core.heartbeat")
def heartbeat() -> None:
    """Run by beat every 30 s on a worker: proves beat, broker, worker and database all work."""
    services.heartbeat_record(name="worker")
