"""The data model, one module per aggregate."""

from webapp.models.attendance import (
    ATTENDANCE_SOURCES,
    ATTENDANCE_STATUSES,
    THRESHOLD_UNITS,
    Attendance,
    AttendanceImport,
    AttendanceThreshold,
)
from webapp.models.audit import AuditEntry
from webapp.models.contacts import PartnerContact
from webapp.models.events import (
    EVENT_FORMATS,
    EVENT_KINDS,
    EVENT_STATUSES,
    EVENT_VISIBILITIES,
    LOGISTICS_QUESTION_KINDS,
    QUESTION_KINDS,
    Event,
    EventSeries,
    Question,
    event_regions,
)
from webapp.models.invitations import INVITATION_ANSWERS, Invitation
from webapp.models.messages import MESSAGE_AUDIENCES, Message
from webapp.models.outbox import OutboxMessage
from webapp.models.polls import (
    POLL_ANSWERS,
    POLL_STATUSES,
    SLOT_STATUSES,
    Poll,
    PollAnswer,
    PollInvitee,
    PollSlot,
)
from webapp.models.programme import (
    MATERIAL_AUDIENCES,
    PROGRAMME_KINDS,
    Material,
    ProgrammeItem,
    Speaker,
    programme_item_speakers,
)
from webapp.models.regions import Partner, Region
from webapp.models.registrations import (
    ACTIVE_STATUSES,
    REGISTRATION_STATUSES,
    STAKEHOLDER_TYPES,
    Registration,
)
from webapp.models.reporting import (
    ActionPlan,
    Certificate,
    PlanAction,
    PlatformReport,
    ReportingPeriod,
    event_actions,
)
from webapp.models.search import EventSearchText
from webapp.models.users import ROLES, RecoveryCode, SecurityPolicy, User, UserSession
from webapp.models.versions import DATA_VERSION_ID, DataVersion

__all__ = [
    "ACTIVE_STATUSES",
    "ATTENDANCE_SOURCES",
    "ATTENDANCE_STATUSES",
    "DATA_VERSION_ID",
    "EVENT_FORMATS",
    "EVENT_KINDS",
    "EVENT_STATUSES",
    "EVENT_VISIBILITIES",
    "INVITATION_ANSWERS",
    "MESSAGE_AUDIENCES",
    "POLL_ANSWERS",
    "POLL_STATUSES",
    "LOGISTICS_QUESTION_KINDS",
    "MATERIAL_AUDIENCES",
    "PROGRAMME_KINDS",
    "QUESTION_KINDS",
    "REGISTRATION_STATUSES",
    "ROLES",
    "SLOT_STATUSES",
    "STAKEHOLDER_TYPES",
    "THRESHOLD_UNITS",
    "ActionPlan",
    "Attendance",
    "AttendanceImport",
    "AttendanceThreshold",
    "PlatformReport",
    "AuditEntry",
    "Certificate",
    "DataVersion",
    "Event",
    "EventSearchText",
    "EventSeries",
    "Invitation",
    "Message",
    "Material",
    "OutboxMessage",
    "Partner",
    "PartnerContact",
    "Poll",
    "PollAnswer",
    "PollInvitee",
    "PollSlot",
    "ProgrammeItem",
    "PlanAction",
    "Question",
    "RecoveryCode",
    "Region",
    "Registration",
    "SecurityPolicy",
    "Speaker",
    "User",
    "UserSession",
    "ReportingPeriod",
    "event_actions",
    "event_regions",
    "programme_item_speakers",
]
