"""Writes of the cadences domain, one module per concern; the names below are the public surface.

Invariants (each written once, in the module named):
- enrollments: one open enrollment per lead (database); a touch once per (enrollment, step); the next
  step is scheduled when the previous one ends; every enrollment change leaves a timeline row.
- sending: an email touch is claimed by one dispatcher (SKIP LOCKED / conditional UPDATE), sent at
  most once (send_started_at marker, lease-conditional finalise), never to an opted-out, bounced or
  suppressed address, inside the lead's send window and under the rep's and the company's caps.
"""

from cadences.services.enrollments import (
    cadence_enroll,
    enrollment_exit,
    enrollment_pause,
    enrollment_resume,
    enrollments_exit_for_lead,
    enrollments_resume_due,
    schedule_next_touch,
)

__all__ = [
    "cadence_enroll",
    "enrollment_exit",
    "enrollment_pause",
    "enrollment_resume",
    "enrollments_exit_for_lead",
    "enrollments_resume_due",
    "schedule_next_touch",
]
