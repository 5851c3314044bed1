"""The demo district's places, estates and people. Names are made up but look like real ones."""

DISTRICT = ("440399", "明湖区", "Minghu District")

# Each street: code, names, and its communities. Each community: code, names, its road, and
# one housing estate per grid (Chinese name, English name).
STREETS = [
    (
        "440399001",
        "凤凰街道",
        "Fenghuang Subdistrict",
        [
            (
                "440399001001",
                "塘尾社区",
                "Tangwei Community",
                "塘尾路",
                [
                    ("塘尾新村", "Tangwei New Village"),
                    ("凤凰花园", "Fenghuang Garden"),
                    ("龙湾小区", "Longwan Estate"),
                ],
            ),
            (
                "440399001002",
                "甲子塘社区",
                "Jiazitang Community",
                "甲子路",
                [
                    ("甲子塘公寓", "Jiazitang Apartments"),
                    ("荔园小区", "Liyuan Estate"),
                    ("金桂苑", "Jingui Court"),
                ],
            ),
        ],
    ),
    (
        "440399002",
        "翠湖街道",
        "Cuihu Subdistrict",
        [
            (
                "440399002001",
                "碧眼社区",
                "Biyan Community",
                "碧眼大道",
                [
                    ("翠湖花园", "Cuihu Garden"),
                    ("碧水湾", "Bishui Bay"),
                    ("光明里", "Guangming Lane"),
                ],
            ),
            (
                "440399002002",
                "新羌社区",
                "Xinqiang Community",
                "新羌路",
                [
                    ("新羌家园", "Xinqiang Homes"),
                    ("东周新村", "Dongzhou New Village"),
                    ("玉律苑", "Yulü Court"),
                ],
            ),
        ],
    ),
]

BUILDINGS_PER_GRID = 5
# A community's hotline is its service centre's landline; a grid's number is its grid
# worker's work phone (the demo grid worker 王强 works 塘尾社区第一网格, 139 2550 0101).
COMMUNITY_PHONES = {
    "440399001001": "0755-2345 6601",
    "440399001002": "0755-2345 6602",
    "440399002001": "0755-2345 6701",
    "440399002002": "0755-2345 6702",
}
SERVICE_HOURS = (
    "周一至周五 8:30–12:00，14:00–18:00；周六 9:00–12:00",
    "Mon–Fri 8:30–12:00 and 14:00–18:00; Sat 9:00–12:00",
)
# Where each community's service centre (党群服务中心) is: on its own road, between the
# estates' numbers, as residents would be told the way.
SERVICE_CENTRES = {
    "440399001001": (
        "塘尾社区党群服务中心（塘尾路18号）",
        "Tangwei Community Party and Public Service Centre, 18 Tangwei Road",
    ),
    "440399001002": (
        "甲子塘社区党群服务中心（甲子路30号）",
        "Jiazitang Community Party and Public Service Centre, 30 Jiazi Road",
    ),
    "440399002001": (
        "碧眼社区党群服务中心（碧眼大道16号）",
        "Biyan Community Party and Public Service Centre, 16 Biyan Avenue",
    ),
    "440399002002": (
        "新羌社区党群服务中心（新羌路32号）",
        "Xinqiang Community Party and Public Service Centre, 32 Xinqiang Road",
    ),
}
# Work numbers, none of them anyone's sign-in number (a door poster is no secret).
GRID_PHONE_FIRST = 13925500101
GRID_NAMES = ["第一网格", "第二网格", "第三网格"]
GRID_NAMES_EN = ["Grid 1", "Grid 2", "Grid 3"]

# Password of every demo staff account; printed by `flask --app portal demo seed`.
STAFF_PASSWORD = "demo-portal-2026"  # noqa: S105  (demo data only; never seeded in production)

# (role, phone, name, code of the place the role is held on, or None). Every grid has its grid
# worker and every community its secretary, so that every door names someone to call; every
# community has a deputy secretary too, who receives residents with the secretary (书记在线).
PEOPLE = [
    ("resident", "13800138001", "张建国", None),
    ("volunteer", "13800138002", "李秀英", "440399001001"),
    ("grid_worker", "13800138003", "王强", "44039900100101"),
    ("grid_worker", "13800138010", "李娜", "44039900100102"),
    ("grid_worker", "13800138011", "张伟", "44039900100103"),
    ("grid_worker", "13800138012", "刘洋", "44039900100201"),
    ("grid_worker", "13800138013", "陈静", "44039900100202"),
    ("grid_worker", "13800138014", "杨帆", "44039900100203"),
    ("grid_worker", "13800138015", "高磊", "44039900200101"),
    ("grid_worker", "13800138016", "吴婷", "44039900200102"),
    ("grid_worker", "13800138017", "罗涛", "44039900200103"),
    ("grid_worker", "13800138018", "徐芳", "44039900200201"),
    ("grid_worker", "13800138019", "马超", "44039900200202"),
    ("grid_worker", "13800138020", "朱琳", "44039900200203"),
    ("secretary", "13800138004", "陈丽华", "440399001001"),
    ("secretary", "13800138021", "郭志强", "440399001002"),
    ("secretary", "13800138022", "何雪梅", "440399002001"),
    ("secretary", "13800138023", "林国平", "440399002002"),
    ("deputy_secretary", "13800138024", "郑海燕", "440399001001"),
    ("deputy_secretary", "13800138025", "谢文斌", "440399001002"),
    ("deputy_secretary", "13800138026", "韩晓东", "440399002001"),
    ("deputy_secretary", "13800138027", "曹玉梅", "440399002002"),
    ("officer", "13800138005", "刘志明", "440399001"),
    # Works the queue of the district's housing bureau (UNITS), and answers its summonses.
    ("officer", "13800138009", "黄建华", "440399"),
    ("legal_adviser", "13800138006", "赵敏", "440399"),
    # Each community's own legal adviser, who receives residents on its legal service days.
    ("legal_adviser", "13800138028", "吴志远", "440399001001"),
    ("legal_adviser", "13800138029", "钱慧", "440399001002"),
    ("legal_adviser", "13800138030", "冯立新", "440399002001"),
    ("legal_adviser", "13800138031", "蒋丽", "440399002002"),
    # Each community's volunteer coordinator (协调员), and three more of its volunteers.
    ("coordinator", "13800138032", "孔繁华", "440399001001"),
    ("coordinator", "13800138033", "彭晓燕", "440399001002"),
    ("coordinator", "13800138034", "袁志刚", "440399002001"),
    ("coordinator", "13800138035", "蔡明", "440399002002"),
    ("volunteer", "13800138036", "陈志刚", "440399001002"),
    ("volunteer", "13800138037", "黄丽", "440399002001"),
    ("volunteer", "13800138038", "刘建军", "440399002002"),
    ("archivist", "13800138007", "孙伟", "440399"),
    # Works the records room of 凤凰街道 (ARCHIVES); 孙伟 works the district's archive.
    ("archivist", "13800138040", "许晓梅", "440399001"),
    # Legal consultations (e法官): the district's legal supervisor reads and reassigns them.
    ("legal_supervisor", "13800138039", "沈文静", "440399"),
    ("admin", "13800138008", "周静", None),
]

# The approved volunteers of the demo (each a "volunteer" of PEOPLE, with the community and name
# given there): phone, 身份证 number (valid, made up: many in a city were born elsewhere), and
# the kinds of service they offer.
VOLUNTEERS = [
    ("13800138002", "31010119580312024X", ["company", "meals"]),
    ("13800138036", "440303198504200510", ["patrol", "environment"]),
    ("13800138037", "440106199301070624", ["culture", "company"]),
    ("13800138038", "110102196208150173", ["medical", "cleaning"]),
]

# (code, name, English name, place code, office phone, member phones, catalogue items at level 3)
UNITS = [
    (
        "minghu-housing",
        "明湖区住房和建设局",
        "Minghu District Housing and Construction Bureau",
        "440399",
        "0755-88211234",
        ["13800138009"],
        ["illegal-construction", "road-collapse"],
    ),
]

# 书记在线: every community's secretary and deputy receive on weekdays, morning and afternoon.
SECRETARY_HOURS = [["09:00", "11:30"], ["14:00", "17:00"]]
# 遇8有约: every community's legal adviser on the 8th, 18th and 28th, in the morning.
LEGAL_DAYS = [8, 18, 28]
LEGAL_HOURS = [["09:00", "11:30"]]

# The demo district's grid points rules (网格积分), after published schemes (a household
# scheme: +5 a clean-up or an evening class, commendations +5 in the community to +50 in the
# nation): (Chinese, English, points, needs review and public notice, per day, month, year).
POINTS_RULES = [
    ("参加社区清洁", "Community clean-up", 5, False, 5, None, None),
    ("夜校听课", "Evening class", 5, False, 1, 8, None),
    ("调解邻里纠纷", "Settling a dispute between neighbours", 10, True, None, 4, None),
    ("社区表彰", "Community commendation", 5, True, None, None, 4),
    ("区级表彰", "District commendation", 20, True, None, None, 2),
    ("市级表彰", "City commendation", 30, True, None, None, 2),
    ("国家级表彰", "National commendation", 50, True, None, None, 1),
]
# The rules of the built-in sources, which the portal applies when their cause happens (named
# as the deed, since the resident's page and SMS say what earned the points by the rule's
# name): (source, Chinese, English, points (an hour, for volunteer hours), per month).
POINTS_SOURCE_RULES = [
    ("volunteer_hours", "志愿服务时长", "Volunteer service hours", 10, None),
    ("appeal_rated", "诉求办结获满意评价", "Appeal closed and rated satisfied", 5, 3),
    ("meeting_attended", "参加书记在线会面", "Secretary online meeting attended", 5, None),
    ("legal_day_attended", "参加遇8有约法律服务日", "Legal service day attended", 5, None),
]

# The points shop (积分超市) of the first community, 塘尾社区, kept by its coordinator: (kind,
# Chinese, English, price in points, stock, per person). The towel is out of stock, so that a
# resident sees "notify me".
SHOP_COMMUNITY = "440399001001"
SHOP_REWARDS = [
    ("goods", "大米 5斤", "Rice, 2.5 kg", 300, 20, None),
    ("goods", "食用油", "Cooking oil", 500, 10, None),
    ("service", "理发一次", "A haircut", 200, 30, 2),
    ("goods", "毛巾", "A towel", 100, 0, None),
]
SHOP_PICKUP = (
    "塘尾社区党群服务中心一楼（塘尾路18号），工作日 9:00–17:00",
    "Tangwei Community Centre, ground floor, 18 Tangwei Road; weekdays 9:00–17:00",
)

# Legal consultations (e法官) of the demo resident, each at a different stage on their
# community adviser's queue: (community code, topic's Chinese name, other party, question,
# stage, days ago it was asked). Stages: "waiting" (the adviser has not checked for a
# conflict), "cleared" (checked, not answered), "answered" and "closed" (rated); one waiting
# since six days ago is overdue.
LEGAL_CONSULTATIONS = [
    (
        "440399001001",
        "房屋租赁",
        "王某（房东）",
        "我租的房子合同还有半年到期，房东说要卖房，让我一个月内搬走，押金也不退。我该怎么办？",
        "waiting",
        0,
    ),
    (
        "440399001001",
        "劳动争议",
        "某物流公司",
        "公司两个月没发工资了，我想辞职，能要求补发工资和经济补偿吗？",
        "cleared",
        1,
    ),
    (
        "440399001001",
        "邻里纠纷",
        "楼上住户",
        "楼上邻居装修把我家卫生间天花板泡坏了，他不肯赔，我能怎么办？",
        "cleared",
        6,
    ),
    (
        "440399001001",
        "继承",
        "",
        "父亲去世没有留遗嘱，房子在父亲名下，我和两个姐姐怎么分？",
        "answered",
        3,
    ),
    (
        "440399001002",
        "消费维权",
        "某健身房",
        "健身房办了年卡，才去了两次就关门了，老板联系不上，钱能要回来吗？",
        "closed",
        20,
    ),
]
LEGAL_ANSWERS = {
    "继承": (
        "没有遗嘱的，按法定继承办理：第一顺序继承人是配偶、子女、父母，同一顺序继承人一般均等分配。"
        "您和两位姐姐（以及您母亲，如健在）可以协商分割，协商不成可以向法院起诉。",
        [{"law": "中华人民共和国民法典", "article": "第一千一百二十七条"}],
    ),
    "消费维权": (
        "经营者停业、不能提供服务的，应当退还剩余费用。建议保留合同和付款记录，向12315投诉，"
        "或与其他会员一起向法院起诉。",
        [{"law": "中华人民共和国消费者权益保护法", "article": "第五十三条"}],
    ),
}

# Civil archive queries (民生档案查档): the district's archive, worked by 孙伟, and 凤凰街道's
# records room, worked by 许晓梅: (code, name, English name, place code, pick-up address in
# Chinese and English, office phone, archivists' phones, codes of the kinds it keeps, or None
# for every kind).
ARCHIVES = [
    (
        "district-archive",
        "明湖区档案馆",
        "Minghu District Archives",
        "440399",
        "明湖区明湖路1号区档案馆一楼查档大厅",
        "Search room, ground floor, Minghu District Archives, 1 Minghu Road",
        "0755-8821 2345",
        ["13800138007"],
        None,
    ),
    (
        "fenghuang-archive",
        "凤凰街道档案室",
        "Fenghuang Subdistrict Records Room",
        "440399001",
        "凤凰街道办事处二楼档案室（凤凰路8号）",
        "Records room, first floor, Fenghuang Subdistrict Office, 8 Fenghuang Road",
        "0755-2345 6600",
        ["13800138040"],
        ["marriage", "only-child", "educated-youth", "housing"],
    ),
]

# The demo resident's archive queries, one at each stage an archive's queue shows: (archive,
# kind, relation, person concerned and their 身份证 number ("" for oneself), purpose, delivery,
# stage, days ago it was sent). Stages: "sent" (to review), "more" (the archivist asked for
# another document) and "answered" (found, with its letter). The resident's own number:
ARCHIVE_RESIDENT_ID = "440303196203150410"
ARCHIVE_REQUESTS = [
    ("district-archive", "length-of-service", "self", "", "", "办理退休手续，核对工龄",
     "pickup", "sent", 0),
    ("district-archive", "marriage", "next_of_kin", "张德福", "440303193508120318",
     "办理父亲房产继承公证", "post", "more", 2),
    ("fenghuang-archive", "educated-youth", "self", "", "", "补办知青经历证明，办理养老保险",
     "online", "answered", 10),
]  # fmt: skip
ARCHIVE_MORE_ASKED = (
    "请补充您与父亲关系的证明：户口簿（有亲属关系的页面）或派出所出具的亲属关系证明。"
)
ARCHIVE_POSTAL_ADDRESS = "张建国 138 0013 8001 明湖区凤凰街道塘尾路8号塘尾新村1栋302"
# What the records room found: the file number (档号) and the summary on the letter.
ARCHIVE_FILE_NUMBER = "FH·知青-1979-0213"
ARCHIVE_SUMMARY = (
    "经查，张建国，1962年3月生，1979年9月至1983年12月在明湖区凤凰公社塘尾大队插队落户，"
    "1984年1月招工回城。档案所载知青登记表及招工审批表复印件附后。"
)
