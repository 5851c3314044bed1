"""Site-wide pages and plumbing: the home page, the language switch, error pages, headers."""
