"""Appeals (诉求): what residents report, and how staff handle it."""
