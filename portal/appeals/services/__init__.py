"""The rules of the appeal loop, callable from a view, the command line, the worker or a test.

Functions take a Session, the acting user (portal.permissions.Actor, or a User where only
staff act), plain values, `now` and, where the configuration matters, the AppealSettings;
they flush but never commit, and never look at the request or the app. Each transition
checks the state table (states.py) and who may act, writes the timeline and, for staff, the
audit log, and queues the SMS it causes in the same transaction.

By use case:
  intake     a resident's report: input checks, the SMS code, confirmation, holding
  writes     the report's fast write path (one statement on PostgreSQL)
  access     who may see and act; finding an appeal; a resident's own appeals
  routing    levels, queues and who works them; where an appeal may be sent
  deadlines  the clocks an appeal carries (due_at and the sweep's sweep_at)
  handling   accept, contact, start, resolve, relevel, transfer
  kinds      filing an appeal under the kind of problem it is
  summons    吹哨: summoning a unit and its answer
  merging    duplicates, spam set aside, putting back
  blocklist  phones whose reports are held
  review     the resident's rating, reopening, the call-back, revealing the number
  timeline   the appeal's timeline and audit entries
"""

from __future__ import annotations

from portal.appeals.services.access import (
    available_actions,
    can_act,
    can_view,
    files_anywhere,
    files_for_resident,
    find,
    get_for_staff,
    is_owner,
    lock,
    owns_by_phone,
    owns_verified,
    phone_matches,
    require_act,
    require_files_anywhere,
    require_handler,
    require_state,
    residents_appeals,
    session_of,
    state_word,
    tracking_of,
    units_of,
)
from portal.appeals.services.blocklist import (
    BLOCKLIST_ROLES,
    block,
    blocklist,
    is_blocked,
    keeps_blocklist,
    keeps_entry,
    require_blocklist_keeper,
    unblock,
)
from portal.appeals.services.deadlines import (
    finish,
    hide_as,
    minutes_of,
    set_due,
    set_handling_due,
    start_clocks,
    wait_for_acceptance,
)
from portal.appeals.services.handling import (
    accept,
    record_contact,
    relevel,
    resolve,
    start,
    transfer,
)
from portal.appeals.services.intake import (
    APPEAL_CODE,
    DESCRIPTION_MAX,
    DESCRIPTION_MIN,
    Report,
    building_by_code,
    check_description,
    check_phone,
    check_reason,
    code_subject,
    codes_left,
    confirm,
    hold_reason,
    meeting_requested,
    offered_items,
    resend_code,
    submit,
    tell_received,
)
from portal.appeals.services.kinds import reclassify
from portal.appeals.services.merging import (
    DUPLICATE_WINDOW,
    hide,
    merge,
    possible_duplicates,
    restore,
)
from portal.appeals.services.photos import (
    MAX_PHOTOS,
    PURPOSES,
    attach_photos,
    find_photo,
    photo_owner,
)
from portal.appeals.services.review import (
    call_back,
    ratings,
    reveal_phone,
    review,
)
from portal.appeals.services.routing import (
    LEVEL_OF_KIND,
    MAX_ESCALATIONS,
    QUEUE_KIND,
    Target,
    alert_queue,
    dispatch_to,
    handlers_of,
    place_for_level,
    queue_handlers,
    queue_in,
    responsible_unit,
    summon_units,
    supervisor_place,
    transfer_targets,
)
from portal.appeals.services.summons import (
    SUMMONS_HOURS,
    answer_summons,
    get_summons,
    summon,
    summonses,
    waiting_summonses,
)
from portal.appeals.services.timeline import (
    add_event,
    audit_step,
    event_values,
    insert_event,
    timeline,
)
from portal.appeals.services.writes import (
    TRACKING_DRAWS,
    insert_message,
    write_report,
)

__all__ = [
    "APPEAL_CODE",
    "BLOCKLIST_ROLES",
    "DESCRIPTION_MAX",
    "DESCRIPTION_MIN",
    "DUPLICATE_WINDOW",
    "LEVEL_OF_KIND",
    "MAX_ESCALATIONS",
    "MAX_PHOTOS",
    "PURPOSES",
    "QUEUE_KIND",
    "SUMMONS_HOURS",
    "TRACKING_DRAWS",
    "Report",
    "Target",
    "accept",
    "add_event",
    "alert_queue",
    "answer_summons",
    "attach_photos",
    "audit_step",
    "available_actions",
    "block",
    "blocklist",
    "building_by_code",
    "call_back",
    "can_act",
    "can_view",
    "check_description",
    "check_phone",
    "check_reason",
    "code_subject",
    "codes_left",
    "confirm",
    "dispatch_to",
    "event_values",
    "files_anywhere",
    "files_for_resident",
    "find",
    "find_photo",
    "finish",
    "get_for_staff",
    "get_summons",
    "handlers_of",
    "hide",
    "hide_as",
    "hold_reason",
    "insert_event",
    "insert_message",
    "is_blocked",
    "is_owner",
    "keeps_blocklist",
    "keeps_entry",
    "lock",
    "meeting_requested",
    "merge",
    "minutes_of",
    "offered_items",
    "owns_by_phone",
    "owns_verified",
    "phone_matches",
    "photo_owner",
    "place_for_level",
    "possible_duplicates",
    "queue_handlers",
    "queue_in",
    "ratings",
    "reclassify",
    "record_contact",
    "relevel",
    "require_act",
    "require_blocklist_keeper",
    "require_files_anywhere",
    "require_handler",
    "require_state",
    "resend_code",
    "residents_appeals",
    "resolve",
    "responsible_unit",
    "restore",
    "reveal_phone",
    "review",
    "session_of",
    "set_due",
    "set_handling_due",
    "start",
    "start_clocks",
    "state_word",
    "submit",
    "summon",
    "summon_units",
    "summonses",
    "supervisor_place",
    "tell_received",
    "timeline",
    "tracking_of",
    "transfer",
    "transfer_targets",
    "unblock",
    "units_of",
    "wait_for_acceptance",
    "waiting_summonses",
    "write_report",
]
