"""Leads: the companies and people SDRs work, the Ideal Customer Profile and its scoring, the
activity timeline, CSV imports, and the lead pages and API."""
