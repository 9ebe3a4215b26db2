"""Writes of the cadences domain, one module per concern; the names below are the public surface.

Invariants (each written once, in the module named):
- enrollments: one open enrollment per lead (database); a touch once per (enrollment, step); the next
  step is scheduled when the previous one ends; every enrollment change leaves a timeline row.
- sending: an email touch is claimed by one dispatcher (SKIP LOCKED / conditional UPDATE), sent at
  most once (send_started_at marker, lease-conditional finalise), never to an opted-out, bounced or
  suppressed address, inside the lead's send window and under the rep's and the company's caps.
- builder: templates use known placeholders only; steps are numbered 1…n; used steps are archived.
- touches: only a scheduled touch changes; a voicemail makes a follow-up reminder.
- events: provider events act once; inbound round-robin is serialised by a row lock.
"""

from cadences.services.builder import cadence_create, cadence_update, step_move, step_remove, step_save
from cadences.services.enrollments import (
    cadence_enroll,
    enrollment_exit,
    enrollment_pause,
    enrollment_resume,
    enrollments_exit_for_lead,
    enrollments_resume_due,
    schedule_next_touch,
)
from cadences.services.events import (
    email_event_record,
    inbound_lead_create,
    reminder_email_send,
    reminders_notify_due,
    rep_work_reassign,
    round_robin_next,
    speed_to_lead_check,
    unsubscribe_by_link,
)
from cadences.services.sending import (
    dispatch_due,
    dispatcher_health,
    policy_for,
    sending_policy_update,
    touch_resolve_unknown,
    touch_send,
    touches_claim_due,
    touches_reap_expired,
    touches_send,
)
from cadences.services.touches import (
    reminder_create,
    reminder_done,
    reminder_snooze,
    touch_complete,
    touch_preview,
    touch_reschedule,
    touch_send_manual,
    touch_skip,
)

__all__ = [
    "cadence_create",
    "cadence_enroll",
    "cadence_update",
    "dispatch_due",
    "dispatcher_health",
    "email_event_record",
    "enrollment_exit",
    "enrollment_pause",
    "enrollment_resume",
    "enrollments_exit_for_lead",
    "enrollments_resume_due",
    "inbound_lead_create",
    "policy_for",
    "reminder_create",
    "reminder_done",
    "reminder_email_send",
    "reminder_snooze",
    "reminders_notify_due",
    "rep_work_reassign",
    "round_robin_next",
    "schedule_next_touch",
    "sending_policy_update",
    "speed_to_lead_check",
    "step_move",
    "step_remove",
    "step_save",
    "touch_complete",
    "touch_preview",
    "touch_reschedule",
    "touch_resolve_unknown",
    "touch_send",
    "touch_send_manual",
    "touch_skip",
    "touches_claim_due",
    "touches_reap_expired",
    "touches_send",
    "unsubscribe_by_link",
]
