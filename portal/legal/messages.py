"""The SMS texts of legal consultations, in both languages (each Chinese text within about 60
characters, so that with the gateway's signature it stays one SMS)."""

from __future__ import annotations
