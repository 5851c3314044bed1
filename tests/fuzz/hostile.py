"""The request generator: what the portal's pages offer, and hostile requests made from it.

`read_page` finds the forms a page renders (their action, fields, choices) and the query
arguments of its links; a `Target` is one URL rule as one role reaches it, with the fields it
was seen to take. `requests(targets)` is a hypothesis strategy of `Request`s: the target's
fields kept, changed to hostile values (NUL and control characters, astral and full-width
characters, huge and negative numbers, oversized text, bad files, a file where text is
expected), left out or repeated, plus unexpected fields, and now and then a hostile value
in place of a URL argument. A `Request` prints as Python that can be pinned with `@example`.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from hypothesis import strategies as st

# -- What a page offers --------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """A form field as a page renders it: its kind decides which hostile values it gets."""

    name: str
    kind: str = "text"  # text, hidden, number, choice, check, file, button
    value: str = ""
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Target:
    """A URL rule as one role reaches it: the URL with its arguments, and the fields seen."""

    role: str
    method: str
    rule: str
    args: tuple[tuple[str, str], ...]
    fields: tuple[Field, ...] = ()

    @property
    def url(self) -> str:
        return fill(self.rule, dict(self.args))


@dataclass
class Page:
    """The forms (method, action, fields) and the links a page holds."""

    forms: list[tuple[str, str, list[Field]]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


_ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def fill(rule: str, args: dict[str, str]) -> str:
    """The path of `rule` with its arguments, percent-encoded as a browser sends them."""

    def one(match: re.Match) -> str:
        safe = "/" if match[1] == "path" else ""
        return quote(str(args[match[2]]), safe=safe)

    return _ARGUMENT.sub(one, rule)


def arguments(rule: str) -> list[str]:
    return [match[2] for match in _ARGUMENT.finditer(rule)]


class _PageReader(HTMLParser):
    def __init__(self, url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.url = url
        self.page = Page()
        self._fields: dict[str, Field] | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {name: value or "" for name, value in attrs}
        if tag == "a" and "href" in attr:
            self.page.links.append(attr["href"])
        elif tag == "form":
            self._fields = {}
            method = attr.get("method", "get").upper()
            self.page.forms.append((method, attr.get("action") or self.url, []))
        elif tag == "option":
            self._add_option(attr)
        elif self._fields is None or not attr.get("name"):
            return
        elif tag == "button" or attr.get("type") == "submit":
            # Sent only when pressed, one of them: a form's Back or Change is not its Send.
            self._fields[attr["name"]] = Field(attr["name"], "button", attr.get("value", ""))
        elif tag == "input":
            self._add_input(attr)
        elif tag == "select":
            self._select = attr["name"]
            self._fields[self._select] = Field(self._select, "choice")
        elif tag == "textarea":
            self._textarea = attr["name"]
            self._fields[self._textarea] = Field(self._textarea)

    def _add_option(self, attr: dict[str, str]) -> None:
        if self._fields is None or self._select is None:
            return
        known = self._fields[self._select]
        value = attr.get("value", "")
        self._fields[self._select] = Field(
            known.name, "choice", known.value or value, (*known.options, value)
        )

    def _add_input(self, attr: dict[str, str]) -> None:
        name, kind, value = attr["name"], attr.get("type", "text"), attr.get("value", "")
        if name == "csrf_token" or (kind in ("submit", "reset", "image") and not value):
            return
        known = self._fields.get(name)
        if kind in ("radio", "checkbox"):
            value = value or "y"
            options = (*(known.options if known else ()), value)
            # Sent as rendered: the checked radio button, a ticked checkbox.
            chosen = value if "checked" in attr or kind == "checkbox" else ""
            kept = (known.value if known else "") or chosen
            self._fields[name] = Field(
                name, "choice" if kind == "radio" else "check", kept, options
            )
        elif kind == "file":
            self._fields[name] = Field(name, "file")
        elif kind == "hidden" or attr.get("tabindex") == "-1":
            # Filled by the page, not by a person (who cannot even tab to a field such as a
            # form's trap for robots): a browser sends it as rendered.
            self._fields[name] = Field(name, "hidden", value)
        elif kind == "number" or attr.get("inputmode") == "numeric":
            self._fields[name] = Field(name, "number", value)
        else:
            self._fields[name] = Field(name, "text", value)

    def handle_data(self, data: str) -> None:
        if self._fields is not None and self._textarea is not None:
            self._fields[self._textarea] = Field(self._textarea, "text", data.strip())

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._fields is not None:
            self.page.forms[-1][2].extend(self._fields.values())
            self._fields = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def read_page(url: str, html: str) -> Page:
    """The forms and links of a rendered page (`url` is where it was served)."""
    reader = _PageReader(url)
    reader.feed(html)
    return reader.page


def as_sent(action: str, fields: list[Field]) -> str:
    """The URL a GET form goes to when sent as rendered (a choice not made: its first)."""
    sent = [(each.name, each.value or next(iter(each.options), "")) for each in fields]
    return f"{urlsplit(action).path}?{urlencode(sent)}"


def query_fields(link: str) -> tuple[str, list[Field]]:
    """The path of a link and its query arguments as text fields with the values linked."""
    parts = urlsplit(link)
    return parts.path, [Field(name, "text", value) for name, value in parse_qsl(parts.query)]


# -- Hostile values ------------------------------------------------------------------------


@dataclass(frozen=True)
class BadFile:
    """A file as a form would send it: its name, bytes and declared type."""

    name: str
    content: bytes
    mimetype: str = "application/octet-stream"

    def as_upload(self) -> tuple[io.BytesIO, str, str]:
        return io.BytesIO(self.content), self.name, self.mimetype

    def __repr__(self) -> str:
        return f"BadFile({short(self.name)}, {short(self.content)}, {self.mimetype!r})"

    def _repr_pretty_(self, printer, _cycle: bool) -> None:
        printer.text(repr(self))


@dataclass(frozen=True)
class Request:
    """One request of the fuzzer: who sends it, how, where, and its fields in order (the
    query string of a GET, the body of a POST; a valid CSRF token is added to a POST)."""

    role: str
    method: str
    url: str
    fields: tuple[tuple[str, str | BadFile], ...] = ()

    def __repr__(self) -> str:
        fields = "".join(
            f"({short(name)}, {short(value) if isinstance(value, str) else repr(value)}), "
            for name, value in self.fields
        )
        return f"Request({self.role!r}, {self.method!r}, {short(self.url)}, ({fields}))"

    # Hypothesis prints a failing example with this: short enough to read, and to pin.
    def _repr_pretty_(self, printer, _cycle: bool) -> None:
        printer.text(repr(self))


def short(value: str | bytes) -> str:
    """Python for `value`, with a long run of one character written as a multiplication."""
    if len(value) <= 80:
        return repr(value)
    first = value[:1]
    run = len(value) - len(value.lstrip(first))
    if run < 40:
        return repr(value)
    rest = value[run:]
    return f"{first!r} * {run}" + (f" + {short(rest)}" if rest else "")


# What people and tools really send that the portal may not expect.
TRICKY_TEXT = (
    "\x00",
    "a\x00b",
    "\x1b[31m",
    "\x7f\x85\x9c",
    "\u202e12345",
    "\ufeff\u200b\u2028",
    "１３８００１３８０００",
    "１２３４",
    "２０２７",
    "²",
    "٣٤",
    "𝟙𝟚𝟛",
    "Ⅻ",
    "😀",
    "𠀀𪚥",
    "A2611-2345",
    "a2611-２３４５",
    " ",
    "",
    "\r\n\t",
    "<script>alert(1)</script>",
    "' OR '1'='1",
    "../../etc/passwd",
    "%00",
    "null",
    "[]",
)
TRICKY_NUMBERS = (
    "0",
    "-1",
    "+1",
    "1.5",
    "1e309",
    "nan",
    "-inf",
    "0x10",
    "+8613800138000",
    "99999999999999999999999",
    "-99999999999999999999999",
    "2147483648",
    "9223372036854775808",
)
_FULL_WIDTH = str.maketrans("0123456789+-", "０１２３４５６７８９＋－")

# A 1x1 PNG, a GIF header and a PDF start: real types with broken or tiny content.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f5e6c50000000049454e44ae426082"
)
BAD_CONTENT = (b"", b"not a picture", PNG, PNG[:20], b"GIF89a\x01\x00\x01\x00", b"%PDF-1.4\n%%EOF")
BAD_NAMES = ("photo.jpg", "a\x00.jpg", "../../x.png", "照片.JPG", "x" * 300 + ".png", "", "noext")


# What a browser sends for a file field left empty.
NO_FILE = BadFile("", b"")


def oversized() -> st.SearchStrategy[str]:
    return st.builds(
        lambda unit, count: unit * count,
        st.sampled_from(["a", "字", "😀", "\x00", "1"]),
        st.sampled_from([300, 5_000, 70_000]),
    )


def numbers() -> st.SearchStrategy[str]:
    plain = st.one_of(
        st.sampled_from(TRICKY_NUMBERS),
        st.integers(-(10**30), 10**30).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
    )
    return st.one_of(plain, plain.map(lambda number: number.translate(_FULL_WIDTH)))


def texts() -> st.SearchStrategy[str]:
    # Every character but lone surrogates (which no browser can send): controls and astral too.
    return st.one_of(st.sampled_from(TRICKY_TEXT), st.text(max_size=40), numbers(), oversized())


def bad_files() -> st.SearchStrategy[BadFile]:
    return st.builds(
        BadFile,
        name=st.sampled_from(BAD_NAMES),
        content=st.one_of(st.sampled_from(BAD_CONTENT), st.binary(max_size=300)),
        mimetype=st.sampled_from(["image/jpeg", "image/png", "application/pdf", "text/plain"]),
    )


def values_for(given: Field) -> st.SearchStrategy[str | BadFile]:
    """The value a field is sent: as rendered half the time, else hostile (or of a wrong
    type: a file where text is expected, text where a file is)."""
    if given.kind == "file":
        return weighted({st.just(NO_FILE): 2, bad_files(): 2, texts(): 1})
    kept = st.sampled_from([given.value, *given.options]) if given.options else st.just(given.value)
    hostile = numbers() if given.kind == "number" else texts()
    if given.kind == "hidden":
        # A page's own values (a form's step, its key) come back unchanged from a browser;
        # changed less often, they let more requests reach the fields people type in.
        return weighted({kept: 6, hostile: 2})
    return weighted({kept: 4, hostile: 3, bad_files(): 1})


def weighted(choices: dict[st.SearchStrategy, int]) -> st.SearchStrategy:
    """One of the strategies, each as often as its weight says (st.one_of draws each
    alike, and treats equal strategies as one)."""
    pool = [strategy for strategy, weight in choices.items() for _ in range(weight)]
    return st.sampled_from(range(len(pool))).flatmap(pool.__getitem__)


def _field_values(given: Field) -> st.SearchStrategy[list[tuple[str, str | BadFile]]]:
    # Sent once mostly; sometimes left out, sometimes repeated. A button mostly not pressed.
    times = st.sampled_from([0, 0, 0, 1] if given.kind == "button" else [1, 1, 1, 1, 0, 2])
    return times.flatmap(
        lambda n: st.lists(values_for(given), min_size=n, max_size=n).map(
            lambda values: [(given.name, value) for value in values]
        )
    )


def _url(target: Target) -> st.SearchStrategy[str]:
    names = arguments(target.rule)
    if not names:
        return st.just(target.url)
    hostile = st.tuples(st.sampled_from(names), st.one_of(texts(), numbers())).map(
        lambda changed: fill(target.rule, {**dict(target.args), changed[0]: changed[1]})
    )
    # One request in ten: most should reach the form behind the URL.
    return weighted({st.just(target.url): 9, hostile: 1})


def _extra_fields() -> st.SearchStrategy[list[tuple[str, str]]]:
    names = st.one_of(
        st.sampled_from(["page", "next", "id", "q", "csrf_token"]), st.text(max_size=8)
    )
    return st.lists(st.tuples(names, texts()), max_size=2)


def _request(target: Target) -> st.SearchStrategy[Request]:
    return st.builds(
        lambda url, fields, extra: Request(
            target.role,
            target.method,
            url,
            tuple(pair for pairs in fields for pair in pairs) + tuple(extra),
        ),
        _url(target),
        st.tuples(*(_field_values(given) for given in target.fields)),
        weighted({st.just([]): 3, _extra_fields(): 1}),
    )


def requests(targets: list[Target]) -> st.SearchStrategy[Request]:
    """Hostile requests to one route, as any of the roles that reach it."""
    return st.sampled_from(targets).flatmap(_request)
