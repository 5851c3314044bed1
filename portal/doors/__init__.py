"""Doors: the permanent door page /b/<code> of every building, its QR code and its posters."""
