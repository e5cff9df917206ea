"""Orgbook: metadata dictionary and documentation for teams that run several Salesforce orgs."""

__version__ = "0.1.0"

from orgbook.celery import app as celery_app

__all__ = ["celery_app"]
