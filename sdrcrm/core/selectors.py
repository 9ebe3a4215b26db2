import datetime

from django.utils import timezone

from sdrcrm.core.models import Heartbeat

STALE_AFTER = datetime.timedelta(minutes=3)


def scheduler_status() -> dict:
    """When the beat-driven worker last ran, and whether that is too long ago."""
    heartbeat = Heartbeat.objects.filter(name="worker").first()
    if heartbeat is None:
        return {"last_seen_at": None, "healthy": False}
    return {
        "last_seen_at": heartbeat.last_seen_at,
        "healthy": timezone.now() - heartbeat.last_seen_at < STALE_AFTER,
    }
