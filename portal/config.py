"""Configuration defaults.

Layers, each overriding the last: these defaults, `ProductionConfig` when PORTAL_ENV=production,
`instance/config.py`, then `PORTAL_*` environment variables (PORTAL_DATABASE_URL → DATABASE_URL).
Every PORTAL_* variable is listed in README.md.
"""

from datetime import timedelta
from typing import ClassVar


class Config:
    ENV_NAME = "development"
    # None: read instance/secret_key, creating it on the first run outside production.
    SECRET_KEY: str | None = None
    # None: SQLite at instance/portal.db.
    DATABASE_URL: str | None = None
    BASE_URL = "http://127.0.0.1:5000"
    # Strict-Transport-Security is sent only where the portal is served over HTTPS.
    HSTS = False

    # Requests: a CSV import of a district fits in 16 MB, three photos of 10 MB in 32. A larger
    # body gets the 413 page; a file over UPLOAD_MAX_BYTES in a smaller one gets its form back.
    MAX_CONTENT_LENGTH = 32 * 1024 * 1024
    # Fields and files of one form; Werkzeug refuses a body with more parts (413).
    MAX_FORM_PARTS = 100
    # The upload store (portal/uploads): files a request may carry (those past it are not
    # read), bytes a file may have, and files one address may send (kept or refused).
    UPLOAD_MAX_FILES = 10
    UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    UPLOADS_PER_ADDRESS = "30/hour"
    # Where uploaded files are kept (default: instance/uploads). APPEAL_PHOTOS_DIR, the older
    # name, is still read when this one is not set.
    UPLOADS_DIR: str | None = None
    # Door pages: how long a rendered page is kept (an edit shows within this), and how often
    # each process writes its pending scan counts (None: only when asked, as in tests).
    PAGE_CACHE_SECONDS = 60
    # The report form: how old each process's copy of the catalogue may grow (an edit shows
    # within this in the processes that did not make it).
    CATALOGUE_REFRESH_SECONDS = 5
    # The report's first screen: how often each process counts again the kinds of problem a
    # community reports most (over 90 days of reports, so they change slowly).
    USUAL_KINDS_REFRESH_SECONDS = 600
    # Requests to meet the community secretary (书记在线), counted per address and per phone.
    MEETING_REQUESTS_PER_ADDRESS = "10/hour"
    MEETING_REQUESTS_PER_PHONE = "5/day"
    SCAN_FLUSH_SECONDS: float | None = 10
    # Keys the hash that keeps one volunteer per ID card number (portal/volunteering/
    # idnumbers.py) and the sealing of the numbers (idseal.py). None: derived from SECRET_KEY.
    # Never change it once volunteers register: sealed numbers could no longer be read.
    VOLUNTEER_ID_KEY: str | None = None
    # Number of reverse proxies in front of the portal whose X-Forwarded-For may be trusted.
    PROXY_COUNT = 0

    # Sessions live in a signed cookie; a per-user token inside it lets the server revoke them.
    SESSION_COOKIE_NAME = "portal_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # The cookie is re-sent only when the session changes (at most once a minute, see
    # accounts/sessions.py), not with every response.
    SESSION_REFRESH_EACH_REQUEST = False
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = timedelta(days=30)
    STAFF_IDLE_MINUTES = 30
    STAFF_SESSION_HOURS = 12
    RESIDENT_IDLE_MINUTES = 24 * 60

    # Rate limits per client address, phone number and building (portal/ratelimit.py). None
    # counts in memory, per process; with several processes or servers, use
    # redis://127.0.0.1:6379 so that they share the counts. RATELIMIT_STORAGE_URI, the older
    # name, is still read when this one is not set.
    RATELIMIT_STORAGE_URL: str | None = None
    # Starts every key, so that the portal's counts are easy to tell apart in a shared Redis.
    RATELIMIT_KEY_PREFIX = "portal"
    SIGN_IN_LIMIT_PER_ADDRESS = "30 per 10 minutes"
    # Searches for a building and codes that lead nowhere, from one address.
    LOOKUP_LIMIT_PER_ADDRESS = "60 per minute"
    # The last four digits of a phone typed on tracking pages, from one address (one appeal's
    # wrong tries from anywhere slow its next ones down: portal/appeals/digit_tries.py).
    TRACKING_DIGITS_LIMIT_PER_ADDRESS = "20 per hour"
    # Appeals staff open by number, per account: a day's work stays well within it; reading
    # through the numbers does not.
    STAFF_LOOKUP_LIMIT_PER_ACCOUNT = "120 per minute"
    # Documents checked at /v/<code>, from one address: an office checking a pile of
    # certificates stays well within it; walking through the codes does not.
    VERIFY_LIMIT_PER_ADDRESS = "30 per minute"
    # Legal service day (遇8有约) bookings, from one address and by one phone: a family
    # booking for its elders stays well within them; holding a lawyer's day hostage does not.
    LEGAL_BOOKING_LIMIT_PER_ADDRESS = "20 per hour"
    LEGAL_BOOKING_LIMIT_PER_PHONE = "10 per day"

    # How SMS messages leave the portal. "log" delivers nothing: it notes each message in the
    # log, and with DEV_PAGES shows its text at /dev/messages. "http" posts them to an SMS
    # gateway at SMS_GATEWAY_URL, signed with SMS_GATEWAY_SECRET (see README.md).
    NOTIFICATIONS_PROVIDER = "log"
    SMS_GATEWAY_URL = ""
    SMS_GATEWAY_SECRET = ""
    SMS_GATEWAY_TIMEOUT = 5
    # The worker claims this many messages at a time, and keeps them from other workers for
    # the lease, which must outlast sending a whole batch to a slow gateway.
    SMS_BATCH_SIZE = 20
    SMS_LEASE_SECONDS = 180
    # A message the gateway could not take is tried again after about 30 s, 1, 2, 4 … minutes
    # (at most 30), eight times in all (about an hour), then marked failed for an admin.
    SMS_MAX_ATTEMPTS = 8
    SMS_RETRY_BASE_SECONDS = 30
    SMS_RETRY_CAP_SECONDS = 1800
    # Sent messages hold residents' numbers: they are deleted after this many days.
    SMS_KEEP_DAYS = 180
    # The appeal clocks, in minutes, where a district's differ from the 12345 defaults, e.g.
    # {"accept": 10, "contact": 30, "handling": {"general": 10080}} (see appeals/sla.py).
    APPEAL_CLOCKS: ClassVar[dict] = {}
    # Confirmed reports from residents one building may send in an hour; those past it are not
    # refused but held for staff to look at (reports waiting for their code do not count).
    APPEAL_REPORTS_PER_BUILDING_HOUR = 60
    # Meetings: the resident is texted a reminder this many hours before a meeting, and again
    # this many minutes before it. A booking made or moved after the first moment gets only
    # the second (the booked or moved SMS has just told them).
    MEETING_REMIND_DAY_BEFORE_HOURS = 24
    MEETING_REMIND_HOUR_BEFORE_MINUTES = 60
    # A host's calendar feed (/meetings/feeds/<token>.ics), fetched by calendar apps from one
    # address: a calendar service fetching for many hosts stays within it; a flood does not.
    MEETING_FEED_LIMIT_PER_ADDRESS = "60 per minute"
    # The time bank (Nanjing's rules by default): the most hours one person may store (hours
    # confirmed above it go to the community's pool), the age from which stored hours are
    # spent, and the age below which a volunteer registers only with a guardian.
    TIME_BANK_CAP_HOURS = 1500
    TIME_BANK_SPENDING_AGE = 60
    VOLUNTEER_ADULT_AGE = 18
    # Whom a volunteer may give stored hours to, once a coordinator has confirmed the
    # relationship (Beijing's and Nanjing's rules: a spouse, parents, grandparents).
    TIME_BANK_RELATIVES = ("spouse", "parent", "grandparent")
    # Grid points (网格积分): how many days an approved award needing review is on the
    # community's public notice (公示) before it is credited; a district may set its own days
    # by its code ({"QX": 7}).
    POINTS_NOTICE_DAYS = 5
    POINTS_NOTICE_DAYS_BY_DISTRICT: ClassVar[dict] = {}
    # Days a reward ordered in the points shop waits to be picked up before the order is
    # cancelled and refunded; and the codes of the districts whose unspent points expire at
    # the end of each year, with an SMS a month before (none by default).
    POINTS_COLLECT_DAYS = 14
    POINTS_EXPIRING_DISTRICTS: ClassVar[tuple] = ()
    # Legal consultations (e法官), in working days of the district's calendar: the first answer
    # is due at the end of the 2nd working day after the question, a follow-up's at the end of
    # the next; a resident may follow up twice. A consultation closes 7 days after its last
    # answer when nothing follows, and its documents are deleted 180 days after it closes.
    LEGAL_FIRST_ANSWER_DAYS = 2
    LEGAL_FOLLOW_UP_DAYS = 1
    LEGAL_MOST_FOLLOW_UPS = 2
    LEGAL_CLOSE_AFTER_DAYS = 7
    LEGAL_DOCUMENTS_KEPT_DAYS = 180
    # Legal questions asked from one address, and by one resident's phone (e法官).
    LEGAL_ASK_LIMIT_PER_ADDRESS = "10 per hour"
    LEGAL_ASK_LIMIT_PER_PHONE = "5 per day"
    # Archive queries (民生档案查档) sent from one address, and by one resident's phone: a
    # family may ask for several records in an afternoon, nobody for dozens.
    ARCHIVES_ASK_LIMIT_PER_ADDRESS = "10 per hour"
    ARCHIVES_ASK_LIMIT_PER_PHONE = "10 per day"
    # Archive queries, in working days: reviewed by the end of the next working day, answered
    # within 3 once accepted; an archive asked to help (协办) has 4, and the receiving archive 2
    # more after that. The requester's own documents are deleted 90 days after closing.
    ARCHIVES_REVIEW_DAYS = 1
    ARCHIVES_ANSWER_DAYS = 3
    ARCHIVES_ASSIST_DAYS = 4
    ARCHIVES_AFTER_ASSIST_DAYS = 2
    ARCHIVES_DOCUMENTS_KEPT_DAYS = 90
    # A request waiting 30 days for documents the archive asked for closes by itself.
    ARCHIVES_DOCUMENTS_WAIT_DAYS = 30
    # How often an idle worker looks for messages and jobs that have come due.
    WORKER_POLL_SECONDS = 1.0
    # The development page /dev/messages shows sign-in codes, so it is off unless asked for
    # (`make run` does) and never served in production.
    DEV_PAGES = False

    WTF_CSRF_TIME_LIMIT = None  # The token lives as long as the session; expiry is handled there.
    BABEL_DEFAULT_LOCALE = "zh_Hans_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"


class ProductionConfig(Config):
    ENV_NAME = "production"
    NOTIFICATIONS_PROVIDER = "http"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-portal_session"
    DEV_PAGES = False
    HSTS = True
