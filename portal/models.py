"""Every model of the portal, imported in one place for Alembic and the tests."""

from portal.accounts.models import PhoneCode, RoleGrant, User
from portal.appeals.models import (
    Appeal,
    AppealEvent,
    AppealPhoto,
    BlockedPhone,
    Summons,
)
from portal.archives.models import (
    Archive,
    ArchiveKind,
    ArchiveMember,
    ArchiveRequest,
    Assist,
    RecordKind,
    RequestStep,
)
from portal.audit.models import AuditEvent
from portal.catalogue.models import CatalogueGroup, CatalogueItem
from portal.doors.models import BuildingScan
from portal.drafts.models import Draft
from portal.jobs.models import JobRun
from portal.ledger.models import LedgerAccount, LedgerMovement, LedgerTransfer
from portal.legal.models import (
    AnswerSnippet,
    Assignment,
    Consultation,
    ConsultationEntry,
    Faq,
    FaqWord,
    LegalTopic,
)
from portal.meetings.models import (
    Booking,
    BookingEvent,
    CalendarFeed,
    Closure,
    HostDay,
    MeetingRequest,
    OnlineHoursSetting,
    Schedule,
)
from portal.notifications.models import SmsMessage
from portal.places.models import Building, Place
from portal.points.models import PointsAward, PointsObjection, PointsRule
from portal.units.models import Unit, UnitMember
from portal.uploads.models import Upload
from portal.verification.models import IssuedDocument
from portal.volunteering.models import (
    Activity,
    Elder,
    HelpRequest,
    Relative,
    ServiceKind,
    SignUp,
    Volunteer,
)
from portal.workdays.models import WorkdayEntry, WorkdayYear

__all__ = [
    "Activity",
    "AnswerSnippet",
    "Appeal",
    "AppealEvent",
    "AppealPhoto",
    "Archive",
    "ArchiveKind",
    "ArchiveMember",
    "ArchiveRequest",
    "Assignment",
    "Assist",
    "AuditEvent",
    "BlockedPhone",
    "Booking",
    "BookingEvent",
    "Building",
    "BuildingScan",
    "CalendarFeed",
    "CatalogueGroup",
    "CatalogueItem",
    "Closure",
    "Consultation",
    "ConsultationEntry",
    "Draft",
    "Elder",
    "Faq",
    "FaqWord",
    "HelpRequest",
    "HostDay",
    "IssuedDocument",
    "JobRun",
    "LedgerAccount",
    "LedgerMovement",
    "LedgerTransfer",
    "LegalTopic",
    "MeetingRequest",
    "OnlineHoursSetting",
    "PhoneCode",
    "Place",
    "PointsAward",
    "PointsObjection",
    "PointsRule",
    "RecordKind",
    "Relative",
    "RequestStep",
    "RoleGrant",
    "Schedule",
    "ServiceKind",
    "SignUp",
    "SmsMessage",
    "Summons",
    "Unit",
    "UnitMember",
    "Upload",
    "User",
    "Volunteer",
    "WorkdayEntry",
    "WorkdayYear",
]
