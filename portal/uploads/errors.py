"""What the upload store raises when it will not keep a file."""

from __future__ import annotations

from portal.errors import Invalid


class UploadRefused(Invalid):
    """A file the store will not keep; the message says why, in the sender's language."""
