"""Benchmark: searching 20,000 published legal questions and answers (issue 22).

Budget: the public search page (/legal/faq?q=…) answers in p95 ≤ 50 ms, for a common word, a
rare one, two words, a word within one topic, and words no answer holds together. On SQLite
and, when it answers at PORTAL_TEST_DATABASE_URL, PostgreSQL (BENCH_DATABASES=postgres for one).

The answers (BENCH_FAQS, 20,000) are closed consultations of one community, each published:
its question and answer are sentences built from a few hundred legal words and phrases
(parties, what happened, laws, remedies), drawn with a Zipf-like skew, so that some words are
in most answers and others in a handful, as in a real district's. Every distinct sentence is
cut by the portal's own segmenter (portal.legal.faq_search.cut) once, and an answer's words
are the union of its sentences' (jieba cuts at punctuation, so this is what cutting the whole
text gives); rows are written in bulk, then (on PostgreSQL) vacuumed and analysed.

Run with `make bench` (or `python -m tests.bench.legal_faq`).
"""

from __future__ import annotations

import os
import random
import time
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, text

from portal.accounts.models import User, new_session_token
from portal.db import db, utcnow
from portal.legal import faq_search
from portal.legal.models import (
    ClosedBecause,
    Consultation,
    ConsultationState,
    Faq,
    FaqState,
    FaqWord,
    LegalTopic,
)
from portal.migrations import upgrade
from portal.permissions import SYSTEM
from portal.places import services as places
from tests.bench.databases import on_each_database
from tests.bench.volunteering import _write, figure, settle, timed
from tests.conftest import dispose, make_test_app

FAQS = int(os.environ.get("BENCH_FAQS", 20_000))
SEARCH_BUDGET_MS = 50
SKEW = 1.1  # the Zipf exponent of the phrases' frequencies

PARTIES = [
    "房东", "租客", "公司", "员工", "物业公司", "业主", "邻居", "子女", "父母", "配偶", "前夫",
    "前妻", "借款人", "出借人", "商家", "消费者", "网店", "装修公司", "保险公司", "包工头",
    "开发商", "中介", "快递公司", "培训机构", "用人单位", "劳务派遣公司", "司机", "医院",
    "学校", "村委会", "继父", "养子", "兄弟姐妹", "祖父母", "担保人", "合伙人", "承包方",
    "发包方", "平台", "房产中介", "家政公司", "保姆", "老板", "股东", "小区业委会",
]  # fmt: skip
EVENTS = [
    "不退押金", "拖欠工资", "解除劳动合同", "拒绝维修", "占用公共通道", "不履行赡养义务",
    "到期不还款", "出售假冒商品", "延期交房", "克扣加班费", "不缴社会保险", "违法辞退",
    "不支付抚养费", "擅自改变房屋结构", "楼上漏水", "噪音扰民", "高空抛物", "宠物伤人",
    "装修质量不合格", "虚假宣传", "拒绝退款", "遗产分配不均", "遗嘱真假有争议", "房屋被强拆",
    "借条丢失", "利息过高", "担保责任", "工伤不认定", "试用期被辞退", "竞业限制",
    "离婚财产分割", "孩子抚养权", "家庭暴力", "彩礼返还", "交通事故赔偿", "医疗纠纷",
    "物业费上涨", "停车位被占", "电梯长期停运", "租金上涨", "提前退租", "转租", "群租",
    "网购退货", "预付卡跑路", "培训费不退", "快递丢失", "手机被盗刷", "电信诈骗",
    "土地承包经营权", "宅基地纠纷", "拆迁补偿", "相邻通行", "采光被挡", "共有房屋出售",
]  # fmt: skip
LAWS = [
    "《中华人民共和国民法典》", "《中华人民共和国劳动合同法》", "《中华人民共和国劳动法》",
    "《中华人民共和国消费者权益保护法》", "《物业管理条例》", "《中华人民共和国民事诉讼法》",
    "《中华人民共和国道路交通安全法》", "《工伤保险条例》", "《中华人民共和国社会保险法》",
    "《中华人民共和国反家庭暴力法》", "《中华人民共和国人民调解法》",
    "《中华人民共和国农村土地承包法》", "《中华人民共和国老年人权益保障法》",
    "《中华人民共和国未成年人保护法》", "《中华人民共和国产品质量法》",
]  # fmt: skip
REMEDIES = [
    "先与对方协商解决", "向社区人民调解委员会申请调解", "向劳动人事争议仲裁委员会申请仲裁",
    "向人民法院提起诉讼", "拨打12345热线反映", "向市场监督管理部门投诉", "拨打12315投诉",
    "向住房和城乡建设部门反映", "申请法律援助", "到公证处办理公证", "保留好合同和付款凭证",
    "注意诉讼时效是三年", "收集聊天记录和录音作为证据", "要求对方赔偿损失", "要求支付违约金",
    "要求返还押金", "要求支付经济补偿", "申请工伤认定", "申请财产保全", "申请支付令",
    "请物业到场出具书面说明", "向街道综治中心求助", "报警并保存报警回执", "拍照录像固定证据",
]  # fmt: skip
FEELINGS = [
    "请问我该怎么办", "这种情况合法吗", "我能要求赔偿吗", "需要准备哪些材料", "要多长时间",
    "要花多少钱", "能不能不去法院", "对方不理我怎么办", "我有没有责任", "可以找谁帮忙",
]  # fmt: skip
QUERIES = [
    ("a common word", "合同"),
    ("a word in a few answers", "宅基地"),
    ("two words", "押金 调解"),
    ("a phrase cut into words", "劳动合同 经济补偿"),
    ("words no answer holds together", "彩礼 工伤"),
]


def _skewed(rng: random.Random, items: list[str]) -> str:
    weights = [1 / (rank + 1) ** SKEW for rank in range(len(items))]
    return rng.choices(items, weights)[0]


def _sentence_pools(rng: random.Random) -> tuple[list[str], list[str]]:
    """Distinct question and answer sentences, each from a template and skewed phrases."""
    questions, answers = set(), set()
    while len(questions) < 4_000:
        questions.add(f"{_skewed(rng, PARTIES)}{_skewed(rng, EVENTS)}，"
                      f"{_skewed(rng, FEELINGS)}？")  # fmt: skip
    while len(answers) < 6_000:
        law = _skewed(rng, LAWS)
        answers.add(rng.choice([
            f"根据{law}第{rng.randint(1, 1260)}条，{_skewed(rng, PARTIES)}应当承担相应责任。",
            f"{_skewed(rng, EVENTS)}的，建议您{_skewed(rng, REMEDIES)}。",
            f"依照{law}，{_skewed(rng, PARTIES)}{_skewed(rng, EVENTS)}属于违约行为，"
            f"您可以{_skewed(rng, REMEDIES)}。",
            f"协商不成的，可以{_skewed(rng, REMEDIES)}，也可以{_skewed(rng, REMEDIES)}。",
        ]))  # fmt: skip
    return sorted(questions), sorted(answers)


@dataclass
class Built:
    faqs: int
    words: int
    topic_id: int


def build(session) -> Built:
    """One community's 20,000 published answers, and their words."""
    now = utcnow()
    rng = random.Random(22)
    district = places.create_place(session, SYSTEM, None, code="L", name_zh="基准区",
                                   name_en="", now=now)  # fmt: skip
    street = places.create_place(session, SYSTEM, district, code="L0", name_zh="基准街道",
                                 name_en="", now=now)  # fmt: skip
    community = places.create_place(session, SYSTEM, street, code="L0-0", name_zh="基准社区",
                                    name_en="Benchmark", now=now)  # fmt: skip
    resident = User(phone="13700000001", display_name="居民", session_token=new_session_token(),
                    phone_verified_at=now, created_at=now)  # fmt: skip
    adviser = User(phone="13700000002", display_name="律师", session_token=new_session_token(),
                   created_at=now)  # fmt: skip
    session.add_all([resident, adviser])
    session.flush()
    topics = list(session.scalars(select(LegalTopic.id).order_by(LegalTopic.id)))
    questions, answers = _sentence_pools(rng)
    words_of = {sentence: faq_search.cut(sentence) for sentence in questions + answers}
    first = (session.scalar(select(func.max(Consultation.id))) or 0) + 1
    rows = []
    for n in range(FAQS):
        at = now - timedelta(minutes=30 * (FAQS - n))
        question = rng.choice(questions)
        said = [_skewed(rng, answers) if rng.random() < 0.5 else rng.choice(answers)
                for _ in range(rng.randint(3, 7))]  # fmt: skip
        rows.append((first + n, at, topics[n % len(topics)], question, said))
    _write(session, Consultation, (
        {"id": cid, "reference": f"L{cid:07d}", "user_id": resident.id,
         "community_id": community.id, "topic_id": topic, "state": ConsultationState.CLOSED,
         "consented_at": at, "created_at": at, "asked_at": at, "adviser_id": adviser.id,
         "closed_at": at, "closed_because": ClosedBecause.RATED, "follow_ups": 0,
         "is_minor": False, "other_party": "", "locale": "zh_Hans_CN", "rating_comment": ""}
        for cid, at, topic, _question, _said in rows
    ))  # fmt: skip
    _write(session, Faq, (
        {"id": cid, "consultation_id": cid, "topic_id": topic, "state": FaqState.PUBLISHED,
         "token_digest": f"{cid:064d}", "proposed_by_id": adviser.id, "proposed_at": at,
         "consented_at": at, "question": question, "answer": "".join(said), "flags": [],
         "submitted_at": at, "published_by_id": adviser.id, "published_at": at}
        for cid, at, topic, question, said in rows
    ))  # fmt: skip
    count = 0

    def words():
        nonlocal count
        for cid, _at, _topic, question, said in rows:
            held: dict[str, None] = {}
            for sentence in (question, *said):
                held.update(dict.fromkeys(words_of[sentence]))
            count += len(held)
            yield from ({"word": word, "faq_id": cid} for word in held)

    _write(session, FaqWord, words())
    if session.get_bind().dialect.name == "postgresql":
        # Rows written with their ids leave the tables' sequences behind: set them past them.
        session.execute(text("SELECT setval(pg_get_serial_sequence('legal_consultations', "
                             "'id'), (SELECT max(id) FROM legal_consultations))"))  # fmt: skip
        session.execute(text("SELECT setval(pg_get_serial_sequence('legal_faqs', 'id'), "
                             "(SELECT max(id) FROM legal_faqs))"))  # fmt: skip
    return Built(FAQS, count, topics[0])


def run(name: str, url: str) -> None:
    app = make_test_app(url)
    with app.app_context(), db.engine.begin() as connection:
        upgrade(connection)
    with app.app_context():
        started = time.perf_counter()
        built = build(db.session)
        db.session.commit()
        spent = time.perf_counter() - started
        if db.session.bind.dialect.name == "postgresql":
            settle(db.engine)
    print(f"{name}: {built.faqs:,} published answers, {built.words:,} words kept, "
          f"built in {spent:.0f} s")  # fmt: skip
    anyone = [app.test_client()]
    for label, query in QUERIES:
        with app.app_context():
            found = faq_search.search(db.session, query, None, None).total
            db.session.rollback()
        print(figure(f"search, {label} ({query}: {found:,} found)",
                     timed(anyone, f"/legal/faq?q={query}"), SEARCH_BUDGET_MS))  # fmt: skip
    print(figure("search, a common word in one topic",
                 timed(anyone, f"/legal/faq?q=合同&topic={built.topic_id}"),
                 SEARCH_BUDGET_MS))  # fmt: skip
    print(figure("the list, newest first, page 3", timed(anyone, "/legal/faq?page=3"),
                 SEARCH_BUDGET_MS))  # fmt: skip
    dispose(app)


def main() -> None:
    on_each_database(run)


if __name__ == "__main__":
    main()
