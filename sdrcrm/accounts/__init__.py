"""Accounts: teams, users and their roles, team API keys, in-app notifications, and the rule of who
may see and do what (`roles`), written once and used by every app."""
