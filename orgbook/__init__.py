"""Orgbook: metadata dictionary and documentation for teams that run several Salesforce orgs."""

__version__ = "0.1.0"
