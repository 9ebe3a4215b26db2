"""Metrics: the funnel, SDR leaderboards, cadence step analytics, the manager dashboard and exports.
Reads every app; no app imports it. Nothing here writes.

Choices where API.md leaves room (each written beside its code too):
- A team's days are its first active manager's time zone (UTC without one, and for an admin's
  all-teams view); `metrics.periods` turns [from, to] into UTC bounds with zoneinfo.
- A rep (`owner`) means: for an SDR/BDR the leads they own, handoffs they created, deals they
  sourced; for an AE the leads handed to them, handoffs assigned to them, deals they own.
- Rates are clamped to [0, 1] (e.g. `mql_rate` counts MQL events of the period over leads created in
  it, which could pass 1); ratios (`opportunities_per_mql`, `sdr_to_ae_ratio`) are not.
- SDR-sourced bookings: won deals whose `sourced_by` is an SDR or BDR; headcounts are active users.
- A step's reply: a reply event naming the touch, else the last done touch of an enrollment that
  ended `replied`.
"""
