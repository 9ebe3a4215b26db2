"""Cadences: sequences of steps, enrollments, the touches and reminders they schedule, the dispatcher
that sends due email exactly once, inbound email events, and the SDR's Today queue."""
