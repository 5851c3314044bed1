"""The catalogue (事项清单) a new district starts with: groups of appeal types, as plain data.

Each item carries a level and a handling class.

Levels say who is expected to deal with it:

1. the grid worker fixes it on the spot (or reports it and sees it done);
2. the community (社区) handles or coordinates it: property company, neighbours, services;
3. the street office (街道) or a department (utility, police, labour inspection,
   urban management) is summoned (吹哨报到).

Handling classes follow the 12345 hotline's classes and their time limits:

- ``emergency``: danger to people (gas smell, bare wires, open manhole, someone trapped
  in a lift, blocked fire exits): 2 hours;
- ``utilities``: water, power, gas or heating cut off, a lift stopped: 24 hours;
- ``general``: most things: 7 days;
- ``complex``: several parties, labour disputes, illegal construction: 15 days.

Names are written the way a resident, often an older one, would say it, not in the words of
an office. Administrators edit the catalogue afterwards; this is only the start.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SeedItem:
    code: str  # stable, lower-case ascii slug, unique across the whole catalogue
    name_zh: str  # plain-language name a resident recognises, ≤ 20 Chinese characters
    name_en: str  # plain English, ≤ 60 characters
    level: int  # 1, 2 or 3
    handling: str  # "emergency" | "utilities" | "general" | "complex"


@dataclass(frozen=True)
class SeedGroup:
    code: str
    name_zh: str
    name_en: str
    items: tuple[SeedItem, ...]


CATALOGUE: tuple[SeedGroup, ...] = (
    SeedGroup(
        "environment",
        "环境卫生",
        "Cleanliness and rubbish",
        (
            SeedItem(
                "rubbish-not-collected",
                "垃圾满了没人清运",
                "Rubbish bins full and not collected",
                1,
                "general",
            ),
            SeedItem(
                "rubbish-in-corridor",
                "楼道里堆着垃圾",
                "Rubbish left in the stairwell",
                1,
                "general",
            ),
            SeedItem(
                "dumped-furniture",
                "旧家具旧床垫扔在楼下",
                "Old furniture or mattresses dumped downstairs",
                1,
                "general",
            ),
            SeedItem("dog-mess", "路上狗屎没人收拾", "Dog mess left on the paths", 1, "general"),
            SeedItem(
                "rats-and-cockroaches",
                "老鼠蟑螂太多了",
                "Too many rats or cockroaches",
                2,
                "general",
            ),
        ),
    ),
    SeedGroup(
        "public-facilities",
        "市政设施",
        "Streets, lights and drains",
        (
            SeedItem("street-light-broken", "路灯不亮了", "A street light is out", 1, "general"),
            SeedItem(
                "manhole-cover-loose",
                "井盖松了，踩上去晃",
                "A manhole cover is loose and rocks underfoot",
                1,
                "emergency",
            ),
            SeedItem(
                "manhole-open",
                "井盖没了，地上有个洞",
                "A manhole is open, the cover is gone",
                3,
                "emergency",
            ),
            SeedItem(
                "drain-blocked",
                "下水道堵了，一下雨就积水",
                "Drains blocked, water stands after rain",
                2,
                "general",
            ),
            SeedItem(
                "road-damaged",
                "路面坑坑洼洼不好走",
                "Road or pavement broken and hard to walk on",
                3,
                "general",
            ),
            SeedItem("road-collapse", "路面塌了个坑", "The road has caved in", 3, "emergency"),
        ),
    ),
    SeedGroup(
        "property",
        "物业管理",
        "Building and property management",
        (
            SeedItem(
                "lift-people-trapped",
                "电梯里关着人出不来",
                "Someone is trapped in the lift",
                2,
                "emergency",
            ),
            SeedItem(
                "lift-stopped", "电梯坏了不能坐", "The lift has stopped working", 2, "utilities"
            ),
            SeedItem(
                "common-area-leak",
                "楼道、地下室漏水",
                "Water leaking in the stairwell or basement",
                2,
                "general",
            ),
            SeedItem(
                "door-access-broken",
                "单元门禁坏了",
                "The building's door entry system is broken",
                2,
                "general",
            ),
            SeedItem(
                "parking-chaos",
                "小区里乱停车，把路堵了",
                "Cars parked anyhow, blocking the way",
                2,
                "general",
            ),
            SeedItem(
                "stairwell-light-out", "楼道灯不亮", "The stairwell light is out", 1, "general"
            ),
            SeedItem(
                "illegal-construction",
                "有人私搭乱建",
                "Someone is building without permission",
                3,
                "complex",
            ),
        ),
    ),
    SeedGroup(
        "utilities",
        "水电气暖",
        "Water, power, gas and heating",
        (
            SeedItem("water-outage", "家里停水了", "No water at home", 2, "utilities"),
            SeedItem("power-outage", "家里停电了", "No electricity at home", 2, "utilities"),
            SeedItem("gas-smell", "闻到煤气味", "I can smell gas", 3, "emergency"),
            SeedItem(
                "exposed-wires",
                "电线露在外面，怕触电",
                "Bare electric wires, someone could get a shock",
                2,
                "emergency",
            ),
            SeedItem("no-heating", "暖气不热", "The heating is cold", 2, "utilities"),
            SeedItem(
                "water-discoloured",
                "自来水发黄、有怪味",
                "Tap water is yellow or smells odd",
                2,
                "utilities",
            ),
        ),
    ),
    SeedGroup(
        "neighbours",
        "邻里纠纷",
        "Neighbours",
        (
            SeedItem(
                "neighbour-noise",
                "邻居家太吵，睡不好觉",
                "Neighbours are too noisy to sleep",
                2,
                "general",
            ),
            SeedItem(
                "pets-disturbing",
                "邻居家的狗乱叫、乱跑",
                "A neighbour's dog barks or runs loose",
                2,
                "general",
            ),
            SeedItem(
                "corridor-occupied",
                "邻居在楼道里堆东西",
                "A neighbour keeps things in the stairwell",
                2,
                "general",
            ),
            SeedItem(
                "leak-from-upstairs",
                "楼上漏水漏到我家",
                "Water coming through from the flat upstairs",
                2,
                "complex",
            ),
            SeedItem(
                "shared-space-quarrel",
                "几家人为公共地方闹矛盾",
                "Several households quarrelling over shared space",
                2,
                "complex",
            ),
        ),
    ),
    SeedGroup(
        "safety",
        "治安隐患",
        "Safety and security",
        (
            SeedItem(
                "strangers-loitering",
                "有生人在楼里转悠",
                "Strangers hanging around the building",
                1,
                "general",
            ),
            SeedItem(
                "building-door-lock-broken",
                "单元门锁坏了，关不上",
                "The building door lock is broken and won't shut",
                2,
                "general",
            ),
            SeedItem(
                "scam-calls",
                "接到骗钱的电话、短信",
                "Calls or messages trying to cheat me of money",
                2,
                "general",
            ),
            SeedItem(
                "being-scammed",
                "老人可能正在被骗钱",
                "An older person may be being cheated right now",
                3,
                "emergency",
            ),
            SeedItem("theft", "东西被偷了", "Something has been stolen", 3, "general"),
        ),
    ),
    SeedGroup(
        "fire-safety",
        "消防安全",
        "Fire safety",
        (
            SeedItem(
                "fire-exit-blocked",
                "消防通道被堵死了",
                "The fire exit or fire lane is blocked",
                2,
                "emergency",
            ),
            SeedItem(
                "ebike-charging-indoors",
                "有人在楼道里给电动车充电",
                "Someone charges an e-bike in the stairwell",
                1,
                "emergency",
            ),
            SeedItem(
                "extinguisher-missing",
                "灭火器没了或过期了",
                "Fire extinguisher missing or out of date",
                2,
                "general",
            ),
            SeedItem(
                "fire-door-broken",
                "楼道防火门坏了",
                "The fire door in the stairwell is broken",
                2,
                "general",
            ),
            SeedItem(
                "fire-hydrant-broken",
                "消防栓坏了或没水",
                "Fire hydrant broken or has no water",
                2,
                "general",
            ),
        ),
    ),
    SeedGroup(
        "elderly-care",
        "养老服务",
        "Help for older people",
        (
            SeedItem(
                "meal-help",
                "老人做饭难，想有人送饭",
                "An older person needs help with meals",
                2,
                "general",
            ),
            SeedItem(
                "elderly-regular-visits",
                "独居老人想有人常来看看",
                "An older person living alone would like visits",
                2,
                "general",
            ),
            SeedItem(
                "elderly-not-seen",
                "独居老人好几天没露面",
                "An older person living alone not seen for days",
                1,
                "emergency",
            ),
            SeedItem(
                "no-ramp",
                "楼门口没坡道，轮椅出不去",
                "No ramp at the door, a wheelchair can't get out",
                2,
                "general",
            ),
            SeedItem(
                "home-care",
                "家里老人需要上门照护",
                "An older person needs care at home",
                2,
                "general",
            ),
        ),
    ),
    SeedGroup(
        "social-security",
        "社保就业",
        "Social security and jobs",
        (
            SeedItem(
                "certificate-needed",
                "要开个证明",
                "I need a certificate from the community",
                2,
                "general",
            ),
            SeedItem(
                "pension-problem",
                "养老金没按时到账",
                "My pension hasn't arrived on time",
                3,
                "general",
            ),
            SeedItem(
                "medical-insurance-problem",
                "看病报销有问题",
                "Trouble getting medical costs refunded",
                3,
                "general",
            ),
            SeedItem("job-help", "想找份工作", "I'd like help finding a job", 2, "general"),
            SeedItem(
                "hardship-support",
                "生活困难，想申请低保",
                "Hard up, want to apply for basic living support",
                2,
                "general",
            ),
        ),
    ),
    SeedGroup(
        "labour",
        "劳动纠纷",
        "Work and wages",
        (
            SeedItem(
                "unpaid-wages", "干了活拿不到工钱", "I worked but haven't been paid", 3, "complex"
            ),
            SeedItem(
                "no-labour-contract",
                "老板不给签劳动合同",
                "The boss won't sign a work contract",
                3,
                "complex",
            ),
            SeedItem(
                "unfair-dismissal", "无缘无故被辞退", "I was let go for no reason", 3, "complex"
            ),
            SeedItem(
                "no-social-insurance",
                "单位不给交社保",
                "My employer doesn't pay my social insurance",
                3,
                "complex",
            ),
            SeedItem(
                "work-injury",
                "干活受了伤没人管",
                "Hurt at work and nobody takes responsibility",
                3,
                "complex",
            ),
        ),
    ),
    SeedGroup(
        "policy",
        "政策咨询",
        "Questions about policies",
        (
            SeedItem(
                "policy-where-to-go",
                "不知道这事该找谁",
                "I don't know who to ask about this",
                1,
                "general",
            ),
            SeedItem(
                "policy-pension-medical",
                "问养老、医保的政策",
                "Questions about pensions or medical insurance",
                2,
                "general",
            ),
            SeedItem(
                "policy-housing",
                "问住房、租房的政策",
                "Questions about housing or renting",
                2,
                "general",
            ),
            SeedItem(
                "policy-subsidies",
                "问有什么补贴能领",
                "Questions about benefits I might get",
                2,
                "general",
            ),
            SeedItem(
                "policy-schooling",
                "问孩子上学的政策",
                "Questions about school places for children",
                2,
                "general",
            ),
            SeedItem(
                "policy-residence",
                "问户口、居住证怎么办",
                "Questions about hukou or residence permits",
                2,
                "general",
            ),
        ),
    ),
    SeedGroup(
        "something-else",
        "其他",
        "Something else",
        (
            SeedItem(
                "suggestion", "对社区工作提个建议", "A suggestion for the community", 2, "general"
            ),
            SeedItem(
                "complaint-about-service",
                "对办事的人不满意",
                "Unhappy with how staff dealt with me",
                3,
                "general",
            ),
            SeedItem(
                "praise", "想表扬一下工作人员", "I'd like to thank a member of staff", 1, "general"
            ),
            SeedItem("other", "其他问题", "Something else", 2, "general"),
        ),
    ),
)


# The first choices of the report form in a district whose administrators pinned none, and
# in a community with no reports of its own yet (楼道灯不亮, 电梯故障, 漏水, 楼道堆物,
# 噪音扰民, 垃圾未清运): the problems residents report most, as they name them.
PINNED = (
    "stairwell-light-out",
    "lift-stopped",
    "common-area-leak",
    "corridor-occupied",
    "neighbour-noise",
    "rubbish-not-collected",
)
# Where "something else, in my own words" is filed, for staff to give it its proper kind.
OTHER = "other"
