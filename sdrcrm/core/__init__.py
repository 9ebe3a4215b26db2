"""Plumbing every app shares: domain errors, the API exception handler, pagination, htmx helpers,
the time-zone middleware, the scheduler heartbeat and the demo-data command."""
