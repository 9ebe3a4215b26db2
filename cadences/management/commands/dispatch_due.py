"""`manage.py dispatch_due`: one dispatcher pass without beat (reap expired claims, then claim what is due).

The sends run on the Celery workers (eagerly, in this process, when CELERY_TASK_ALWAYS_EAGER is on).
"""

from django.core.management.base import BaseCommand

from cadences import services


class Command(BaseCommand):
    help = "Claims due email touches and enqueues their sends (what beat does every minute)."

    def handle(self, *args, **options):
        reaped = services.touches_reap_expired()
        claimed = services.dispatch_due()
        self.stdout.write(
            f"claimed {claimed} due email touches; reaper: {reaped['rescheduled']} rescheduled, "
            f"{reaped['unknown']} unknown"
        )
