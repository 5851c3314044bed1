"""The demo district: places, buildings and one account per role, for trying the portal out."""
