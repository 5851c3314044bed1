"""Notifications: SMS messages to residents and staff, rendered in the recipient's language."""
