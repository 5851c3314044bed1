"""The upload store's files on disk: one folder, files under generated names, written whole.

A name is 32 random hex digits and the kind's suffix: it says nothing about what the file
shows or whose it is, cannot be guessed from another's, and cannot reach outside the folder.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

NAME = re.compile(r"[0-9a-f]{32}\.(jpg|pdf)")


@dataclass(frozen=True)
class Store:
    """The folder the files of uploads are kept in."""

    folder: Path

    def write(self, data: bytes, suffix: str) -> str:
        """Keep `data` under a new generated name ending in `suffix` ("jpg", "pdf"); return it."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        name = f"{secrets.token_hex(16)}.{suffix}"
        if not NAME.fullmatch(name):
            raise ValueError(f"not a kind of file the store keeps: {suffix!r}")
        # Written under a temporary name and renamed once complete, so a reader never finds
        # half a file, and a crash leaves no file under a real name.
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".upload-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            # Only the portal's own user may read them: they show residents' homes and papers.
            os.chmod(temporary, 0o600)
            os.replace(temporary, self.folder / name)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
        self._sync_folder()
        return name

    def path(self, name: str) -> Path | None:
        """The file called `name`, or None if there is none.

        `name` may come from a URL: only names `write` makes are accepted, so no name can
        reach outside the folder.
        """
        if not NAME.fullmatch(name):
            return None
        path = self.folder / name
        return path if path.is_file() else None

    def delete(self, name: str) -> None:
        """Remove the file called `name`; nothing happens if it is already gone."""
        # A name of any other form is a mistake in the caller, never an upload: refusing it
        # keeps a delete from reaching a file outside the folder.
        if not NAME.fullmatch(name):
            raise ValueError(f"not an upload's name: {name!r}")
        (self.folder / name).unlink(missing_ok=True)

    def names_older_than(self, moment: datetime) -> Iterator[str]:
        """The names of the files last written before `moment`."""
        if not self.folder.is_dir():
            return
        cutoff = moment.timestamp()
        for entry in os.scandir(self.folder):
            if NAME.fullmatch(entry.name) and entry.stat().st_mtime < cutoff:
                yield entry.name

    def _sync_folder(self) -> None:
        # The row naming the file is committed right after; without this, a power cut could
        # lose the rename and leave the row pointing at nothing.
        descriptor = os.open(self.folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
