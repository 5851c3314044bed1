"""Accounts: people, their roles on places, and how they sign in."""
