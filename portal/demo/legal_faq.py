"""The demo's public legal questions and answers: a few closed consultations of the demo
resident with the first community's legal adviser, which the resident agreed to publish and
a supervisor published, so that the FAQ's pages and its search have something to show."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.appeals.tracking import ALPHABET
from portal.legal import faq_search
from portal.legal.faq import token_digest
from portal.legal.models import (
    ClosedBecause,
    Consultation,
    ConsultationEntry,
    ConsultationState,
    EntryKind,
    Faq,
    FaqState,
    LegalTopic,
)
from portal.places.models import Place

COMMUNITY = "440399001001"
RESIDENT_PHONE = "13800138001"
ADVISER_PHONE = "13800138028"

# (topic, the resident's question, the adviser's answer, the anonymised question, days ago)
FAQS = [
    (
        "房屋租赁",
        "我租的房子合同还有两个月到期，房东要卖房让我马上搬走，还不退押金，我该怎么办？",
        "根据《中华人民共和国民法典》第七百二十五条，租赁物在承租人按照租赁合同占有期限内发生"
        "所有权变动的，不影响租赁合同的效力，即“买卖不破租赁”。您可以住到合同期满；房东要求提前"
        "解除合同的，应当按合同约定承担违约责任，押金应当返还。建议保留好合同和付款记录，先协商，"
        "协商不成可以向社区人民调解委员会申请调解，或向人民法院起诉。",
        "合同没到期，房东卖房要求租客马上搬走，还不退押金，怎么办？",
        40,
    ),
    (
        "劳动争议",
        "我在一家公司干了五年，劳动合同到期公司不续签了，公司说不用给补偿，对吗？",
        "依照《中华人民共和国劳动合同法》第四十六条、第四十七条，劳动合同期满，除用人单位维持"
        "或者提高劳动合同约定条件续订而劳动者不同意续订的情形外，用人单位终止固定期限劳动合同的，"
        "应当向劳动者支付经济补偿，按工作年限每满一年支付一个月工资。您工作五年，一般可以得到五个"
        "月工资的经济补偿。协商不成的，可以在一年内向劳动人事争议仲裁委员会申请仲裁。",
        "劳动合同到期公司不续签，能拿到经济补偿吗？",
        25,
    ),
    (
        "继承",
        "我父亲去世了，没有留遗嘱，留下一套房子，我和哥哥、还有我母亲怎么分？",
        "没有遗嘱的，按法定继承办理。依照《中华人民共和国民法典》第一千一百二十七条，配偶、子女、"
        "父母是第一顺序继承人。房子如果是您父母婚后共同购买的，先分出一半归您母亲，另一半作为遗产，"
        "由您母亲、您和哥哥（以及在世的祖父母）一般均等分配。可以协商一致后到公证处办理继承公证，"
        "再办理不动产过户。",
        "父亲去世没有遗嘱，房子怎么继承？",
        12,
    ),
    (
        "物业纠纷",
        "楼上漏水把我家天花板泡坏了，物业说不归他们管，楼上也不愿意修，怎么办？",
        "依照《中华人民共和国民法典》第二百九十六条，不动产权利人因用水、排水等利用相邻不动产的，"
        "应当尽量避免对相邻的不动产权利人造成损害。楼上漏水造成您家损失的，可以要求楼上住户维修并"
        "赔偿。请先拍照留存证据，请物业到场查看并出具说明；物业有协助和配合的义务。协商不成，可以"
        "申请社区调解或向人民法院起诉。",
        "楼上漏水泡坏天花板，楼上不修、物业不管，怎么办？",
        5,
    ),
]


def seed_demo_faqs(session: Session, *, now: datetime) -> int:
    """The demo's published questions and answers (adds only those it has not yet)."""
    community = session.scalar(select(Place).where(Place.code == COMMUNITY))
    resident = session.scalar(select(User).where(User.phone == RESIDENT_PHONE))
    adviser = session.scalar(select(User).where(User.phone == ADVISER_PHONE))
    if community is None or resident is None or adviser is None:
        return 0
    topics = {topic.name_zh: topic for topic in session.scalars(select(LegalTopic))}
    published = set(session.scalars(select(Faq.question)))
    added = 0
    for topic_name, question, answer, public_question, days_ago in FAQS:
        topic = topics.get(topic_name)
        if topic is None or public_question in published:
            continue
        asked = now - timedelta(days=days_ago + 10)
        answered = asked + timedelta(hours=20)
        closed = answered + timedelta(days=1)
        consultation = Consultation(
            reference="L" + "".join(secrets.choice(ALPHABET) for _ in range(7)),
            user_id=resident.id, community_id=community.id, topic_id=topic.id,
            state=ConsultationState.CLOSED, consented_at=asked, created_at=asked,
            asked_at=asked, adviser_id=adviser.id, cleared_at=asked + timedelta(hours=1),
            last_answer_at=answered, closed_at=closed, closed_because=ClosedBecause.RATED,
        )  # fmt: skip
        session.add(consultation)
        session.flush()
        session.add_all([
            ConsultationEntry(consultation_id=consultation.id, kind=EntryKind.QUESTION,
                              author_id=resident.id, body=question, written_at=asked,
                              due_at=asked + timedelta(days=2), answered_at=answered),
            ConsultationEntry(consultation_id=consultation.id, kind=EntryKind.ANSWER,
                              author_id=adviser.id, body=answer, written_at=answered),
        ])  # fmt: skip
        faq = Faq(
            consultation_id=consultation.id, topic_id=topic.id, state=FaqState.PUBLISHED,
            token_digest=token_digest(secrets.token_hex(16)), proposed_by_id=adviser.id,
            proposed_at=closed, consented_at=closed + timedelta(hours=2),
            question=public_question, answer=answer, flags=[],
            submitted_at=closed + timedelta(days=1), published_at=now - timedelta(days=days_ago),
        )  # fmt: skip
        session.add(faq)
        session.flush()
        faq_search.index(session, faq)
        added += 1
    return added
