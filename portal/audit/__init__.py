"""The audit log: who did what, on what, when, from where, and with what result."""
