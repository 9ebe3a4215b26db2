"""The audit log: who changed what, when, in which team. Services call `audit.services.record`; managers
read their team's events (admins every team's) through the API and the /audit/ page."""
