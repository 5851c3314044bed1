"""Searching the public questions and answers (FAQ): Chinese text has no spaces between words,
so a published answer's text and a query are both cut into words by jieba's search mode, and
an answer matches when it holds every word of the query.

The words of a published answer are kept in FaqWord (written when it is published, removed
when it is withdrawn), one row per distinct word, so that a search is an index lookup on both
databases and never a `LIKE '%…%'` scan of every text.
"""

from __future__ import annotations

import functools
import logging
import unicodedata
from typing import Any

from sqlalchemy import Select, and_, case, delete, desc, func, insert, select
from sqlalchemy.orm import Session, aliased

from portal.legal.models import Faq, FaqState, FaqWord
from portal.numbers import page_number
from portal.pagination import Page

WORD_MAX = 40  # FaqWord.word's length
QUERY_MAX = 100  # characters of a query read; the rest says nothing more
# One-character words so common that a query holding them would match nearly every answer.
STOP_WORDS = frozenset(
    "的了是在我你他她它们和与及或吗呢吧啊呀也都就被把给对向请要会能可有这那之其等个么"
)
PER_PAGE = 20
# Answers holding a query's rarest word up to which they are ranked here rather than by the
# database: one pass gives their order and their number, where the database would need two.
RANKED_HERE = 5_000


@functools.cache
def _segmenter() -> Any:
    # jieba reads its dictionary (about 350,000 words) on its first cut, which takes about a
    # second and 50 MB: loaded lazily, once per process, so that the web workers, the worker
    # and the command line pay for it only when they first index or search, and never at start.
    import jieba

    jieba.setLogLevel(logging.WARNING)
    segmenter = jieba.Tokenizer()
    segmenter.initialize()
    return segmenter


def _is_word(word: str) -> bool:
    if not word or len(word) > WORD_MAX:
        return False
    if all(unicodedata.category(char)[0] in "PSZC" for char in word):
        return False  # punctuation, symbols, spaces
    return not (len(word) == 1 and word in STOP_WORDS)


def cut(text: str) -> list[str]:
    """The words of `text` as the search keeps them: jieba's search mode (a long word and
    the shorter words inside it), lower case, without punctuation or one-character stop
    words, in the order found, each once."""
    normal = unicodedata.normalize("NFKC", text or "").lower()
    seen: dict[str, None] = {}
    for word in _segmenter().cut_for_search(normal):
        word = word.strip()
        if _is_word(word):
            seen.setdefault(word, None)
    return list(seen)


def query_words(query: str) -> list[str]:
    """The words an answer must hold to match `query`.

    A long word whose characters are all covered by shorter words of the same query is left
    out: jieba cuts 劳动合同 in a query into 劳动, 合同 and 劳动合同, but 劳动合同法 in an
    answer into 劳动, 合同 and 合同法, and the answer must still be found."""
    words = cut((query or "")[:QUERY_MAX])
    kept = []
    for word in words:
        covered = [False] * len(word)
        for other in words:
            if other == word or other not in word:
                continue
            start = word.find(other)
            while start != -1:
                covered[start : start + len(other)] = [True] * len(other)
                start = word.find(other, start + 1)
        if not all(covered):
            kept.append(word)
    return kept


def index(session: Session, faq: Faq) -> int:
    """Keep the words of a published answer (its question and answer); how many."""
    unindex(session, faq)
    words = cut(f"{faq.question}\n{faq.answer}")
    if words:
        session.execute(insert(FaqWord), [{"word": word, "faq_id": faq.id} for word in words])
    return len(words)


def unindex(session: Session, faq: Faq) -> None:
    """Forget the words of an answer no longer published."""
    session.execute(delete(FaqWord).where(FaqWord.faq_id == faq.id))


def _published(topic_id: int | None) -> list[Any]:
    conditions = [Faq.state == FaqState.PUBLISHED]
    if topic_id is not None:
        conditions.append(Faq.topic_id == topic_id)
    return conditions


def _load(session: Session, chosen: list[int], number: int, total: int) -> Page:
    """The page of the answers `chosen`, in their order: only these are read whole."""
    loaded = {faq.id: faq for faq in session.scalars(select(Faq).where(Faq.id.in_(chosen)))}
    items = [loaded[faq_id] for faq_id in chosen if faq_id in loaded]
    return Page(items=items, number=number, per_page=PER_PAGE, total=total)


def _page(session: Session, ids: Select, total: int, raw_page: str | None) -> Page:
    """One page of the answers `ids` selects in order: the ids are ordered and cut first,
    from narrow rows, and only the page's answers are read whole."""
    number = page_number(raw_page)
    chosen = list(session.scalars(ids.limit(PER_PAGE).offset((number - 1) * PER_PAGE)))
    return _load(session, chosen, number, total)


def latest(session: Session, topic_id: int | None, raw_page: str | None) -> Page:
    """The published answers (of one topic, or all), newest first, one page."""
    conditions = _published(topic_id)
    total = session.scalar(select(func.count()).select_from(Faq).where(*conditions)) or 0
    ids = select(Faq.id).where(*conditions).order_by(desc(Faq.published_at), desc(Faq.id))
    return _page(session, ids, total, raw_page)


def holding(words: list[str]) -> Select:
    """The ids of the answers holding every one of `words` (at least one), from the index
    alone: the postings of the first word, each checked for the others on the (word,
    faq_id) index (so the rarest word goes first)."""
    first, *others = words
    query = select(FaqWord.faq_id).where(FaqWord.word == first)
    for number, word in enumerate(others):
        other = aliased(FaqWord, name=f"also_{number}")
        query = query.join(other, and_(other.faq_id == FaqWord.faq_id, other.word == word))
    return query


def postings(session: Session, words: list[str]) -> dict[str, int]:
    """How many published answers hold each of `words` (a word none holds is left out)."""
    return dict(
        session.execute(
            select(FaqWord.word, func.count()).where(FaqWord.word.in_(words)).group_by(FaqWord.word)
        ).all()
    )


def _contains(dialect: str, text: Any, word: str) -> Any:
    if dialect == "postgresql":
        return func.strpos(text, word) > 0
    return func.instr(text, word) > 0


def _in_question(words: list[str], dialect: str) -> Any:
    # Only the answers the index found are ranked: the question of each is looked at for
    # the words, which tells a question about them from an answer that merely mentions them.
    return sum(case((_contains(dialect, Faq.question, word), 1), else_=0) for word in words)


def matching(words: list[str], topic_id: int | None, dialect: str) -> Select:
    """The ids of the published answers holding every one of `words`, best first: those
    whose question holds more of the words, then the newest."""
    found = holding(words).subquery()
    return (
        select(Faq.id)
        .join(found, found.c.faq_id == Faq.id)
        .where(*_published(topic_id))
        .order_by(desc(_in_question(words, dialect)), desc(Faq.published_at), desc(Faq.id))
    )


def _ranked_here(
    session: Session, words: list[str], topic_id: int | None, dialect: str
) -> list[int]:
    """What `matching` selects, ranked here: one pass over the answers found gives both
    their order and their number."""
    found = holding(words).subquery()
    rows = session.execute(
        select(Faq.id, _in_question(words, dialect), Faq.published_at)
        .join(found, found.c.faq_id == Faq.id)
        .where(*_published(topic_id))
    ).all()
    rows.sort(key=lambda row: (row[1], row[2], row[0]), reverse=True)
    return [row[0] for row in rows]


def search(session: Session, query: str, topic_id: int | None, raw_page: str | None) -> Page:
    """The published answers matching `query` (of one topic, or all), best first, one page;
    none when the query has no word to look for, or a word no answer holds."""
    words = query_words(query)
    held = postings(session, words) if words else {}
    if not words or len(held) < len(words):
        return Page(items=[], number=1, per_page=PER_PAGE, total=0)
    # The rarest word first: its postings are the fewest to check for the others.
    words.sort(key=lambda word: held[word])
    dialect = session.get_bind().dialect.name
    if held[words[0]] <= RANKED_HERE:
        found = _ranked_here(session, words, topic_id, dialect)
        number = page_number(raw_page)
        chosen = found[(number - 1) * PER_PAGE : number * PER_PAGE]
        return _load(session, chosen, number, len(found))
    ids = matching(words, topic_id, dialect)
    if len(words) == 1 and topic_id is None:
        total = held[words[0]]  # only published answers have words kept
    else:
        total = session.scalar(select(func.count()).select_from(ids.order_by(None).subquery()))
    return _page(session, ids, total or 0, raw_page)
