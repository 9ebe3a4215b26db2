"""Celery entry points: thin, by id, safe to run twice (each re-checks the row it is given)."""

from celery import shared_task

from cadences import services


@shared_task(name="cadences.dispatch_due", ignore_result=True)
def dispatch_due() -> int:
    return services.dispatch_due()


@shared_task(name="cadences.touches_send", ignore_result=True, acks_late=True)
def touches_send(touch_ids: list[int]) -> dict:
    return services.touches_send(touch_ids=touch_ids)


@shared_task(name="cadences.touch_send", ignore_result=True, acks_late=True)
def touch_send(touch_id: int) -> str:
    """One touch: the task the dispatcher sent before chunks; kept for messages still queued."""
    return services.touch_send(touch_id=touch_id)


@shared_task(name="cadences.reap_expired", ignore_result=True)
def reap_expired() -> dict:
    return services.touches_reap_expired()


@shared_task(name="cadences.enrollments_resume_due", ignore_result=True)
def enrollments_resume_due() -> int:
    return services.enrollments_resume_due()


@shared_task(name="cadences.reminders_notify_due", ignore_result=True)
def reminders_notify_due() -> int:
    return services.reminders_notify_due()


@shared_task(name="cadences.reminder_email", ignore_result=True)
def reminder_email(reminder_id: int) -> bool:
    return services.reminder_email_send(reminder_id=reminder_id)


@shared_task(name="cadences.speed_to_lead_check", ignore_result=True)
def speed_to_lead_check() -> int:
    return services.speed_to_lead_check()
