"""sdrcrm: a self-hosted CRM for SDR teams."""

from sdrcrm.celery import app as celery_app

__all__ = ["celery_app"]
