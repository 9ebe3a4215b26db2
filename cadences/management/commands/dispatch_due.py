"""`manage.py dispatch_due`: one dispatcher pass without beat (reap expired claims, then claim what is due)."""

from django.core.management.base import BaseCommand

from cadences import services


class Command(BaseCommand):
    help = "Claims due email touches and enqueues their sends (what beat does every minute)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--send-here", action="store_true", help="Send in this process instead of a worker."
        )

    def handle(self, *args, **options):
        reaped = services.touches_reap_expired()
        if options["send_here"]:
            from django.test.utils import override_settings

            with override_settings(CELERY_TASK_ALWAYS_EAGER=True):
                from cadences.tasks import touch_send

                touch_send.app.conf.task_always_eager = True
                claimed = services.dispatch_due()
        else:
            claimed = services.dispatch_due()
        self.stdout.write(
            f"claimed {claimed} due email touches; reaper: {reaped['rescheduled']} rescheduled, "
            f"{reaped['unknown']} unknown"
        )
