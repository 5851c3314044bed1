"""Finding rows by what people type into a search box."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy.orm import InstrumentedAttribute

# Words looked for at most, and their length: a longer query is someone pasting a paragraph
# (and SQLite refuses a LIKE pattern over 50,000 bytes).
MOST_WORDS = 8
LONGEST_WORD = 100


def each_word_in(columns: list[InstrumentedAttribute[str]], words: str) -> ColumnElement[bool]:
    """Every word of `words` (split at spaces, full-width ones too) found in one of `columns`,
    in any case: "楼道 灯" finds 楼道灯不亮, "light stairwell" finds "The stairwell light is
    out". A % or _ typed is only itself; a word past LONGEST_WORD is cut there. `words` must
    hold at least one word."""
    return and_(
        *(
            or_(*(column.icontains(word[:LONGEST_WORD], autoescape=True) for column in columns))
            for word in words.split()[:MOST_WORDS]
        )
    )
