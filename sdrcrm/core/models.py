from django.db import models
from django.utils import timezone


class Heartbeat(models.Model):
    """The last time a background component (beat, worker) proved it was alive."""

    name = models.CharField(max_length=50, unique=True)
    last_seen_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_seen_at:%Y-%m-%d %H:%M:%S}"
