"""The kinds of document features issue, and what the verification page may show of each.

A feature registers its kinds in its init_app (`register_kind`); the page looks a document's
kind up by name. A document whose kind is no longer registered still verifies, with a plain
title and none of its facts: the paper outlives the feature that printed it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask

from portal.permissions import Permission

# Where an app keeps its kinds, by name.
KINDS_EXTENSION = "portal.verification.kinds"


def _no_facts(_facts: dict[str, Any]) -> list[tuple[Any, str]]:
    return []


@dataclass(frozen=True)
class DocumentKind:
    """A kind of document: a volunteer's certificate, an archive result letter …"""

    # Stored with every document of the kind, so never renamed: "volunteer_certificate".
    name: str
    title: Any  # a lazy gettext string: "Volunteer service certificate"
    # Held on the issuing place, to issue a document of this kind and to withdraw one.
    permission: Permission
    # The rows the page shows, as (label, value) in the reader's language, from the facts the
    # feature stored when it issued the document; by default none.
    shown: Callable[[dict[str, Any]], list[tuple[Any, str]]] = _no_facts
    # Whether the page says why a withdrawn document was withdrawn.
    shows_reason: bool = False


def init_app(app: Flask) -> None:
    app.extensions[KINDS_EXTENSION] = {}


def register_kind(app: Flask, kind: DocumentKind) -> None:
    """Let documents of `kind` be issued and verified."""
    kinds: dict[str, DocumentKind] = app.extensions[KINDS_EXTENSION]
    if kinds.get(kind.name, kind) != kind:
        raise ValueError(f"another document kind is already called {kind.name!r}")
    kinds[kind.name] = kind


def kind_named(app: Flask, name: str) -> DocumentKind | None:
    """The registered kind called `name`, or None."""
    return app.extensions[KINDS_EXTENSION].get(name)
