"""The store's files: private, named at random, written whole, and out of reach of a bad name."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from portal.uploads.store import Store


def test_a_stored_file_is_private_and_named_at_random(tmp_path: Path):
    store = Store(tmp_path / "uploads" / "2026")

    name = store.write(b"jpeg", "jpg")

    assert len(name) == 36 and name.endswith(".jpg")
    int(name.removesuffix(".jpg"), 16)
    assert stat.S_IMODE(store.folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((store.folder / name).stat().st_mode) == 0o600
    assert (store.folder / name).read_bytes() == b"jpeg"
    assert [path.name for path in store.folder.iterdir()] == [name]  # no temporary file left
    assert store.write(b"jpeg", "jpg") != name
    assert store.write(b"%PDF-", "pdf").endswith(".pdf")


def test_only_the_kinds_the_store_keeps_can_be_written(tmp_path: Path):
    with pytest.raises(ValueError, match="not a kind of file"):
        Store(tmp_path).write(b"<?php", "php")
    assert list(tmp_path.iterdir()) == []


def test_path_finds_only_stored_files(tmp_path: Path):
    store = Store(tmp_path / "uploads")
    name = store.write(b"jpeg", "jpg")
    (tmp_path / "x.jpg").write_bytes(b"secret")
    (store.folder / "notes.jpg").write_bytes(b"not an upload")

    assert store.path(name) == store.folder / name
    for bad in [
        "../x.jpg",
        "notes.jpg",
        "ABC.jpg",
        name.upper(),
        name + "\n",
        name.removesuffix(".jpg") + ".png",
        "../" + name,
        str(store.folder / name),
        "",
        "0" * 32 + ".jpg",  # the right form, but no such file
    ]:
        assert store.path(bad) is None, bad


def test_a_deleted_file_is_gone_and_deleting_again_is_harmless(tmp_path: Path):
    store = Store(tmp_path)
    name = store.write(b"jpeg", "jpg")

    store.delete(name)
    store.delete(name)

    assert store.path(name) is None
    assert list(tmp_path.iterdir()) == []


def test_delete_refuses_a_name_the_store_never_made(tmp_path: Path):
    (tmp_path / "x.jpg").write_bytes(b"keep")
    store = Store(tmp_path / "uploads")

    with pytest.raises(ValueError, match="not an upload's name"):
        store.delete("../x.jpg")

    assert (tmp_path / "x.jpg").exists()


def test_names_older_than_a_moment(tmp_path: Path):
    store = Store(tmp_path)
    old, new = store.write(b"a", "jpg"), store.write(b"b", "pdf")
    (tmp_path / "stranger.jpg").write_bytes(b"c")
    moment = datetime.now(UTC) - timedelta(hours=1)
    os.utime(tmp_path / old, (0, 0))
    os.utime(tmp_path / "stranger.jpg", (0, 0))

    assert list(store.names_older_than(moment)) == [old]
    assert new not in list(store.names_older_than(moment))
    assert list(Store(tmp_path / "none").names_older_than(moment)) == []
