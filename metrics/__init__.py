"""Metrics: the funnel, SDR leaderboards, cadence step analytics, the manager dashboard and exports.
Reads every app; no app imports it."""
