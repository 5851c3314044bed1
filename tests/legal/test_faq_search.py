"""Searching the public answers: jieba's words, every word of the query, best first."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.legal import faq_search
from portal.legal.models import FaqState, LegalTopic
from tests.legal.faq_helpers import NOW, published_text, world

RENT = ("房东不退押金怎么办？", "租赁合同解除后，押金应当返还；房东无故扣留押金的，可以起诉。")
LABOUR = ("公司不续签劳动合同，有没有经济补偿？", "依照劳动合同法，劳动合同期满不续签的，用人单位应当支付经济补偿。")  # fmt: skip
INHERIT = ("父亲去世没有遗嘱，房子怎么继承？", "没有遗嘱的，按法定继承办理，配偶、子女、父母为第一顺序继承人。")  # fmt: skip


@pytest.fixture
def legal(session):
    return world(session)


@pytest.fixture
def answers(session, legal):
    return {
        name: published_text(session, legal, *text, at=NOW - timedelta(days=n))
        for n, (name, text) in enumerate((("rent", RENT), ("labour", LABOUR),
                                          ("inherit", INHERIT)))
    }  # fmt: skip


def found(session, query: str, topic_id=None) -> list[int]:
    return [faq.id for faq in faq_search.search(session, query, topic_id, None).items]


def test_the_words_are_cut_without_punctuation_or_one_character_stop_words():
    words = faq_search.cut("房东不退押金，怎么办？的")
    assert "押金" in words and "房东" in words and "怎么办" in words
    assert "，" not in words and "？" not in words and "的" not in words


def test_a_two_character_word_from_an_answer_finds_it(session, answers):
    assert found(session, "遗嘱") == [answers["inherit"].id]
    assert found(session, "押金") == [answers["rent"].id]
    assert found(session, "补偿") == [answers["labour"].id]


def test_every_word_of_the_query_must_be_held(session, answers):
    assert found(session, "押金 起诉") == [answers["rent"].id]
    assert found(session, "押金 遗嘱") == []
    assert found(session, "押金，怎么办？") == [answers["rent"].id]


def test_a_long_word_is_found_inside_a_longer_one(session, answers):
    # 劳动合同法 is cut into 劳动, 合同, 合同法: a query for 劳动合同 still finds it.
    assert found(session, "劳动合同") == [answers["labour"].id]


def test_a_query_of_nothing_but_stop_words_and_punctuation_finds_nothing(session, answers):
    assert found(session, "的？！") == []
    assert found(session, "") == []


def test_answers_with_the_words_in_their_question_come_first(session, legal, answers):
    # 合同 is in the rent answer's answer only, and in the labour one's question.
    newer = published_text(session, legal, "合同到期后怎么办", "可以协商续签。", at=NOW)
    assert found(session, "合同") == [newer.id, answers["labour"].id, answers["rent"].id]


def test_a_topic_narrows_the_search(session, legal, answers):
    topics = session.scalars(select(LegalTopic.id).order_by(LegalTopic.id)).all()
    other = published_text(session, legal, "押金问题", "押金应当返还。", topic_id=topics[1])
    assert found(session, "押金", topics[1]) == [other.id]
    assert set(found(session, "押金")) == {other.id, answers["rent"].id}


def test_a_withdrawn_or_unpublished_answer_is_not_found(session, answers):
    rent = answers["rent"]
    rent.state = FaqState.WITHDRAWN
    faq_search.unindex(session, rent)
    labour = answers["labour"]
    labour.state = FaqState.SUBMITTED
    session.flush()
    assert found(session, "押金") == []
    assert found(session, "补偿") == []


def test_the_latest_are_newest_first(session, answers):
    page = faq_search.latest(session, None, None)
    assert [faq.id for faq in page.items] == [answers[name].id for name in
                                              ("rent", "labour", "inherit")]  # fmt: skip
