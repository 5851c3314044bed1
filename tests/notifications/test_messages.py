"""Message texts: both languages, and the length an operator bills."""

import pytest
from flask_babel import force_locale

# Realistic parameters for every kind of message, the longest they get.
# The kinds of other features register as their messages modules load.
import portal.legal.messages
import portal.meetings.messages
import portal.points.messages
import portal.volunteering.messages  # noqa: F401
from portal.i18n import LOCALES
from portal.notifications.labels import KIND_LABELS
from portal.notifications.messages import TEMPLATES, render, segments, sms_length

MEETING = {
    "starts_at": "2026-12-08T06:00:00+00:00",
    "venue": "centre",
    "centre_zh": "光明社区党群服务中心",
    "centre_en": "Guangming Community Service Centre",
    "url": "wg.gm.gov.cn/m/M7K3QM2P",
}
# The longest title, place and reason: the texts shorten them to fit.
VOLUNTEERING = {
    "title": "光明社区独居老人周末上门陪伴与代购生活用品服务活动",
    "starts_at": "2026-12-08T06:00:00+00:00",
    "location": "光明社区党群服务中心二楼多功能活动室（东侧电梯上楼）",
    "reason": "气象台发布暴雨红色预警，为保障志愿者和老人安全取消",
}
# The longest kind, place and reason, and hours over a volunteer's limit.
TIME_BANK_HELP = {
    "kind_zh": "助医陪诊与代办服务",
    "kind_en": "Escort to the doctor and errands",
    "starts_at": "2026-12-08T06:00:00+00:00",
    "location": "光明社区幸福里小区12栋2单元1203室",
    "reason": "老人已住院，子女回家照顾，暂时不需要上门服务",
    "hours": "7.5",
    "over": "2.5",
    "phone": "0755-88881234",
}
EXAMPLES = {
    "sign_in_code": {"code": "123456", "minutes": 5},
    "appeal_code": {"code": "123456", "tracking": "A2611-7K3Q", "minutes": 10},
    "appeal_received": {
        "tracking": "A2611-7K3Q",
        "minutes": 10,
        "url": "wg.gm.gov.cn/t/A2611-7K3Q",
    },
    "appeal_new": {
        "tracking": "A2611-7K3Q",
        "building": "光明花园12栋",
        "item": "楼道堆放杂物",
        "minutes": 10,
    },
    "appeal_accepted": {"tracking": "A2611-7K3Q", "handler": "欧阳小明", "phone": "0755-88881234"},
    "appeal_escalated": {"tracking": "A2611-7K3Q", "place": "光明社区"},
    "appeal_overdue": {"tracking": "A2611-7K3Q", "clock": "resolve"},
    "appeal_resolved": {"tracking": "A2611-7K3Q", "url": "wg.gm.gov.cn/t/A2611-7K3Q"},
    "appeal_reopened": {"tracking": "A2611-7K3Q", "level": 2},
    "appeal_callback": {"tracking": "A2611-7K3Q"},
    "appeal_summoned": {
        "tracking": "A2611-7K3Q",
        "building": "光明花园12栋",
        "place": "区住房和建设局",
        "hours": 72,
    },
    "appeal_answered": {"tracking": "A2611-7K3Q", "place": "区住房和建设局"},
    "appeal_merged": {
        "tracking": "A2611-7K3Q",
        "into": "A2611-8M4R",
        "url": "wg.gm.gov.cn/t/A2611-8M4R",
    },
    "meeting_request_new": {
        "community": "光明社区",
        "reference": "S7K3QM2P",
    },
    "meeting_request_unseen": {
        "community": "光明社区",
        "reference": "S7K3QM2P",
    },
    "meeting_request_unarranged": {
        "community": "光明社区",
        "reference": "S7K3QM2P",
    },
    "meeting_request_seen": {"host": "欧阳小明", "phone": "0755-88881234"},
    "meeting_booked": {**MEETING, "host": "欧阳小明"},
    "meeting_cancelled": {**MEETING, "reason": "临时有会议"},
    "meeting_moved": MEETING,
    "meeting_moved_by_resident": {
        "reference": "M7K3QM2P",
        "was": "2026-12-08T06:00:00+00:00",
        "starts_at": "2026-12-09T02:20:00+00:00",
    },
    "meeting_cancelled_by_resident": {
        "reference": "M7K3QM2P",
        "starts_at": "2026-12-08T06:00:00+00:00",
    },
    "meeting_remind_day_before": MEETING,
    "meeting_remind_hour_before": MEETING,
    "volunteer_activity_seated": VOLUNTEERING,
    "volunteer_activity_changed": VOLUNTEERING,
    "volunteer_activity_cancelled": VOLUNTEERING,
    "volunteer_activity_reminder": VOLUNTEERING,
    "time_bank_relative_confirmed": {"name": "欧阳*娜", "reason": ""},
    "time_bank_relative_refused": {
        "name": "欧阳*娜",
        "reason": "户口簿上的姓名与申报的姓名不一致，请核对后重新申报",
    },
    "time_bank_hours_received": {
        "name": "欧阳娜娜",
        "hours": "1500",
        "url": "https://wg.gm.gov.cn/volunteering/hours",
    },
    "time_bank_help_asked_for_you": {**TIME_BANK_HELP, "asker": "欧阳娜娜娜娜娜"},
    "time_bank_help_matched": {
        **TIME_BANK_HELP,
        "elder": "欧阳娜娜娜娜娜",
        "url": "https://wg.gm.gov.cn/volunteering/help/mine",
    },
    "time_bank_help_volunteer_coming": {**TIME_BANK_HELP, "volunteer": "欧阳娜娜娜娜娜"},
    "time_bank_help_paid": TIME_BANK_HELP,
    "time_bank_help_cancelled": TIME_BANK_HELP,
    # A long community name, as some are.
    "volunteer_approved": {
        "community_zh": "栖霞区尧化街道尧林仙居社区",
        "community_en": "Yaolin",
        "url": "https://wg.gm.gov.cn/volunteering/",
    },
    "volunteer_declined": {
        "community_zh": "栖霞区尧化街道尧林仙居社区",
        "community_en": "Yaolin",
        "url": "https://wg.gm.gov.cn/volunteering/",
    },
    "volunteer_hours_donated": {"minutes": 90},
    # The longest deed a rule may name, cut to fit; a balance in the tens of thousands.
    "points_credited": {
        "deed_zh": "参加社区环境整治志愿清洁活动并带动邻里共同参与的表彰",
        "deed_en": "Took part in the community clean-up and brought the neighbours along",
        "points": 600,
        "balance": 12345,
    },
    # A balance in the hundreds of thousands, the most a holder is likely to have.
    "points_expiring": {"points": 123456, "year": 2026},
    # The longest name a reward may have, cut to leave its link whole.
    "points_restocked": {
        "reward_zh": "有机五常稻花香大米5斤装（东北黑土地当季新米）真空包装",
        "reward_en": "Organic Wuchang rice, 2.5 kg, this season's, vacuum-packed",
        "url": "wg.gm.gov.cn/points/shop/440399001001#reward-1234",
    },
    # The longest name a reward may have, and an order id of six digits.
    "points_ordered": {
        "code": "20481234",
        "name_zh": "社区老年大学书法班一学期课程名额含笔墨纸砚全套用品",
        "name_en": "A term of the calligraphy class at the community college, with brushes and ink",
        "day": "2026-12-18",
        "url": "https://wg.gm.gov.cn/points/orders/123456",
        "orders_url": "https://wg.gm.gov.cn/points/orders",
    },
    # Legal consultations, the resident's side: a topic longer than the room is cut.
    "legal_consultation_new": {
        "reference": "L7K3QW9X",
        "topic_zh": "房屋租赁合同及押金纠纷处理",
        "topic_en": "Renting a home",
        "due": "2026-12-28",
    },
    "legal_follow_up": {"reference": "L7K3QW9X", "due": "2026-12-28"},
    "legal_guardian_code": {"code": "690525", "minutes": 10},
    "points_order_lapsed": {
        "name_zh": "社区老年大学书法班一学期课程名额含笔墨纸砚全套用品",
        "name_en": "A term of the calligraphy class at the community college, with brushes and ink",
        "points": 12000,
    },
    # Legal consultations, the advisers' and supervisors' side: the longest community name.
    "legal_answered": {
        "reference": "L7K3QM2P",
        "url": "https://wg.gm.gov.cn/legal/consultations/L7K3QM2P",
    },
    "legal_due_soon": {"reference": "L7K3QM2P", "due_at": "2026-12-08T15:59:59.999999+00:00"},
    "legal_overdue": {"reference": "L7K3QM2P", "community": "光明街道幸福里第二社区"},
    "legal_unassigned": {"reference": "L7K3QM2P", "community": "光明街道幸福里第二社区"},
    # Public legal questions and answers: the longest link (a base address and a token).
    "legal_faq_consent": {"url": "wg.gm.gov.cn/legal/faq/consent/ABCDEFGHJKLM"},
    "legal_faq_code": {"code": "123456", "minutes": 10},
    "legal_faq_consented": {"reference": "L7K3QM2P", "url": "wg.gm.gov.cn/legal/faq/drafts/123456"},
    # Archive queries: the request's short address, with a base address and its scheme.
    "archives_more_documents": {"reference": "D7K3QM2P", "url": "https://wg.gm.gov.cn/d/D7K3QM2P"},
    "archives_refused": {"reference": "D7K3QM2P", "url": "https://wg.gm.gov.cn/d/D7K3QM2P"},
    "archives_answered": {"reference": "D7K3QM2P", "url": "https://wg.gm.gov.cn/d/D7K3QM2P"},
    "archives_letter_withdrawn": {
        "reference": "D7K3QM2P",
        "url": "https://wg.gm.gov.cn/d/D7K3QM2P",
    },
    "archives_assist": {"reference": "D7K3QM2P", "url": "https://wg.gm.gov.cn/d/D7K3QM2P"},
}
# A Chinese SMS is 70 characters; the gateway's signature (【明湖区网格服务】) takes up to 10.
CHINESE_ROOM = 60


def test_every_kind_of_message_has_an_example_and_a_name():
    assert set(EXAMPLES) == set(TEMPLATES) == set(KIND_LABELS)


@pytest.mark.parametrize("kind", sorted(TEMPLATES))
@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_renders_in_both_languages(app_context, kind, locale):
    text = render(kind, EXAMPLES[kind], locale)
    assert text and "%(" not in text
    with force_locale("en"):
        english = TEMPLATES[kind].text(EXAMPLES[kind])
    assert (text == english) == (locale == "en")


@pytest.mark.parametrize("kind", sorted(TEMPLATES))
def test_every_chinese_message_leaves_room_for_the_signature_in_one_sms(app_context, kind):
    assert sms_length(render(kind, EXAMPLES[kind], "zh_Hans_CN")) <= CHINESE_ROOM


@pytest.mark.parametrize(
    "params",
    [
        {"handler": "欧阳小明", "phone": "0755-88881234"},
        {"handler": "欧阳小明", "phone": ""},
        {"handler": "", "phone": "0755-88881234"},
    ],
)
def test_the_accepted_message_fits_with_or_without_a_name_and_a_number(app_context, params):
    chinese = render("appeal_accepted", {"tracking": "A2611-7K3Q", **params}, "zh_Hans_CN")
    assert sms_length(chinese) <= CHINESE_ROOM and "%(" not in chinese


@pytest.mark.parametrize("clock", ["contact", "resolve", "callback", "summons"])
def test_every_overdue_clock_has_its_own_words_in_one_sms(app_context, clock):
    params = {"tracking": "A2611-7K3Q", "clock": clock, "place": "区住房和建设局"}
    chinese = render("appeal_overdue", params, "zh_Hans_CN")
    assert sms_length(chinese) <= CHINESE_ROOM and "%(" not in chinese
    others = {
        c: render("appeal_overdue", {**params, "clock": c}, "en")
        for c in ("contact", "resolve", "callback", "summons")
    }
    assert len(set(others.values())) == 4


def test_a_restocked_reward_is_named_when_there_is_room_and_its_link_stays_whole(app_context):
    link = "wg.gm.gov.cn/points/shop/440399001001#reward-12"
    params = {"reward_zh": "理发一次", "reward_en": "A haircut", "url": link}
    assert render("points_restocked", params, "zh_Hans_CN") == f"积分超市：理发一次有货了 {link}"
    longer = {**params, "reward_zh": "食用花生油五升装"}
    assert render("points_restocked", longer, "zh_Hans_CN") == f"积分超市：食用花…有货了 {link}"
    assert "A haircut" in render("points_restocked", params, "en")
    assert render("points_restocked", EXAMPLES["points_restocked"], "zh_Hans_CN").endswith(
        EXAMPLES["points_restocked"]["url"]
    )


@pytest.mark.parametrize(
    ("length", "expected"), [(1, 1), (70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)]
)
def test_segments_are_70_characters_alone_and_67_each_in_a_long_message(length, expected):
    assert segments("字" * length) == expected
    assert segments("a" * length) == expected


def test_an_emoji_costs_two_characters():
    assert sms_length("好🙂") == 3
    assert segments("字" * 69 + "🙂") == 2


@pytest.mark.parametrize("kind", ["meeting_remind_day_before", "meeting_remind_hour_before"])
@pytest.mark.parametrize("venue", ["centre", "phone"])
def test_a_reminder_says_when_and_where_in_one_sms(app_context, kind, venue):
    params = {**MEETING, "venue": venue}
    chinese = render(kind, params, "zh_Hans_CN")
    assert sms_length(chinese) <= CHINESE_ROOM and "12月8日周二 14:00" in chinese
    assert ("光明社区党群服务中心" in chinese) == (venue == "centre")
    english = render(kind, params, "en")
    assert "Tue 8 Dec 14:00" in english and params["url"] in english
    where = "Guangming Community Service Centre" if venue == "centre" else "we will call you"
    assert where in english


@pytest.mark.parametrize("asker", ["欧阳娜娜娜娜娜", ""])
def test_the_elder_is_told_who_asked_for_help_in_their_name_in_one_sms(app_context, asker):
    params = {**TIME_BANK_HELP, "asker": asker}
    chinese = render("time_bank_help_asked_for_you", params, "zh_Hans_CN")
    assert sms_length(chinese) <= CHINESE_ROOM and "12月8日周二 14:00" in chinese
    assert ("欧阳娜娜娜…" in chinese) == bool(asker) and ("社区为您" in chinese) != bool(asker)
    english = render("time_bank_help_asked_for_you", params, "en")
    assert ("your community asked" in english) != bool(asker)


@pytest.mark.parametrize(
    "location",
    ["幸福里小区12栋2单元1203室", "光明社区幸福里小区12栋2单元1203室", "幸福里 12栋\n1203室"],
)
def test_the_volunteer_gets_a_typical_address_whole_in_one_sms(app_context, location):
    params = {**EXAMPLES["time_bank_help_matched"], "location": location}
    chinese = render("time_bank_help_matched", params, "zh_Hans_CN")
    assert sms_length(chinese) <= CHINESE_ROOM
    assert " ".join(location.split()) in chinese and "欧阳娜娜娜…" in chinese
    assert "http" not in chinese
    english = render("time_bank_help_matched", params, "en")
    assert " ".join(location.split()) in english


def test_an_address_too_long_for_one_sms_gives_the_link_instead_of_a_cut_one(app_context):
    location = "栖霞区尧化街道尧林仙居社区幸福里小区东区12栋2单元1203室（电梯旁）"
    params = {**EXAMPLES["time_bank_help_matched"], "location": location}
    chinese = render("time_bank_help_matched", params, "zh_Hans_CN")
    assert "https://wg.gm.gov.cn/volunteering/help/mine" in chinese and "地址详情" in chinese
    assert "栖霞" not in chinese and "12月8日周二 14:00" in chinese


@pytest.mark.parametrize("elder", ["", "王秀英"])
def test_the_elder_and_whoever_asked_hear_which_volunteer_comes(app_context, elder):
    params = {**TIME_BANK_HELP, "volunteer": "李志愿", "for": elder}
    chinese = render("time_bank_help_volunteer_coming", params, "zh_Hans_CN")
    assert sms_length(chinese) <= CHINESE_ROOM and "志愿者李志愿" in chinese
    assert "12月8日周二 14:00" in chinese and ("为王秀英" in chinese) == bool(elder)
    # The elder is given the community's number to call.
    assert ("0755-88881234" in chinese) != bool(elder)


@pytest.mark.parametrize(
    "kind", ["time_bank_help_asked_for_you", "time_bank_help_volunteer_coming"]
)
@pytest.mark.parametrize("phone", ["0755-88881234", "13912345678", ""])
def test_the_elder_is_given_the_communitys_number_when_it_has_one(app_context, kind, phone):
    params = {**EXAMPLES[kind], "phone": phone}
    chinese = render(kind, params, "zh_Hans_CN")
    assert sms_length(chinese) <= CHINESE_ROOM
    assert chinese.endswith(f"疑问请致电社区{phone}。" if phone else "如有疑问请致电社区。")
    english = render(kind, params, "en")
    assert english.endswith(f"call the community on {phone}." if phone else "any question.")


def test_the_pick_up_code_sms_always_has_the_code_day_and_link_and_the_name_when_it_fits(
    app_context,
):
    long_link = render("points_ordered", EXAMPLES["points_ordered"], "zh_Hans_CN")
    assert "20481234" in long_link and "12月18日" in long_link
    # Too long a link to the order for one SMS: the resident's orders, a tap from it.
    assert long_link.endswith("：https://wg.gm.gov.cn/points/orders")
    short_link = {**EXAMPLES["points_ordered"], "name_zh": "大米5斤",
                  "url": "https://wg.cn/points/orders/12"}  # fmt: skip
    chinese = render("points_ordered", short_link, "zh_Hans_CN")
    assert "大米5斤" in chinese and "20481234" in chinese
    assert chinese.endswith("https://wg.cn/points/orders/12")
    assert sms_length(chinese) <= CHINESE_ROOM
