"""The translation catalogues: reading them for the tests, and keeping English complete.

Message ids are English, so the English catalogue repeats them; `python -m tests.catalogues`
(run by `make messages`) copies each new id into its English entry, leaving edited ones alone.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
LOCALES = ("zh_Hans_CN", "en")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def catalogue_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def read(locale: str) -> Catalog:
    with catalogue_path(locale).open("rb") as file:
        return read_po(file, locale=locale)


def _not_hidden(path: str) -> bool:
    # Babel skips directories starting with "_" unless told otherwise; templates/_macros is one.
    return not Path(path).name.startswith(".")


def ids_in_code() -> set[str]:
    """Every message id used by the Python code and the templates."""
    found: set[str] = set()
    method_map = [("portal/**.py", "python"), ("templates/**.html", "jinja2")]
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=method_map, keywords=KEYWORDS, directory_filter=_not_hidden
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def fill_english() -> int:
    """Give each untranslated English entry its id as text; return how many were filled."""
    catalogue = read("en")
    filled = 0
    for message in catalogue:
        if not message.id or (message.string and any(message.string)):
            continue
        message.string = message.id if isinstance(message.id, str) else tuple(message.id)
        message.flags.discard("fuzzy")
        filled += 1
    with catalogue_path("en").open("wb") as file:
        write_po(file, catalogue, width=0, omit_header=False)
    return filled


if __name__ == "__main__":
    print(f"English catalogue: {fill_english()} entries filled.")
