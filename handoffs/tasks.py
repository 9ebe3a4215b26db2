"""Celery entry points for handoffs: thin, by id, safe to run twice."""

from celery import shared_task

from handoffs import services


@shared_task(name="handoffs.sla_sweep")
def handoff_sla_sweep() -> int:
    """Run by beat every minute: flags handoffs past their SLA once and notifies the AE and managers."""
    return services.handoff_sla_sweep()


@shared_task(name="handoffs.handoff_email_ae")
def handoff_email_ae(handoff_id: int) -> bool:
    """Emails the AE the booked meeting's invitation; a repeat sends nothing."""
    return services.handoff_email_ae(handoff_id=handoff_id)
