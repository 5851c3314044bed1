"""Both catalogues are complete and in step with the code."""

from __future__ import annotations

import re

import pytest

from tests.catalogues import LOCALES, ids_in_code, read

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%")


def entries(locale: str):
    return [message for message in read(locale) if message.id]


def as_tuple(value) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_entry_is_translated_and_none_is_fuzzy(locale):
    untranslated = [m.id for m in entries(locale) if not all(as_tuple(m.string))]
    fuzzy = [m.id for m in entries(locale) if m.fuzzy]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("locale", LOCALES)
def test_placeholders_survive_translation(locale):
    broken = []
    for message in entries(locale):
        wanted = sorted(PLACEHOLDER.findall(as_tuple(message.id)[0]))
        for text in as_tuple(message.string):
            if sorted(PLACEHOLDER.findall(text)) != wanted:
                broken.append((message.id, text))
    assert broken == []


def test_every_message_in_the_code_is_in_both_catalogues():
    in_code = ids_in_code()
    assert len(in_code) > 100
    for locale in LOCALES:
        catalogued = {as_tuple(m.id)[0] for m in entries(locale)}
        assert sorted(in_code - catalogued) == [], f"run `make messages` and translate ({locale})"
        assert sorted(catalogued - in_code) == [], (
            f"obsolete entries in {locale}: run `make messages`"
        )


def test_chinese_entries_are_chinese():
    """A Chinese entry that repeats the English id is an untranslated one in disguise."""
    latin = re.compile(r"[A-Za-z]{3,}")
    copied = [
        m.id for m in entries("zh_Hans_CN")
        if latin.search(PLACEHOLDER.sub("", as_tuple(m.id)[0])) and as_tuple(m.string)[0] == as_tuple(m.id)[0]
    ]  # fmt: skip
    assert copied == []
