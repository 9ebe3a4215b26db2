"""Operational state: heartbeats of the scheduler and workers."""

from django.utils import timezone

from sdrcrm.core.models import Heartbeat


def heartbeat_record(*, name: str) -> Heartbeat:
    heartbeat, _ = Heartbeat.objects.update_or_create(name=name, defaults={"last_seen_at": timezone.now()})
    return heartbeat
