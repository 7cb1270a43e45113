"""The data model, one module per aggregate."""

from webapp.models.attendance import ATTENDANCE_SOURCES, ATTENDANCE_STATUSES, Attendance
from webapp.models.audit import AuditEntry
from webapp.models.events import (
    EVENT_FORMATS,
    EVENT_KINDS,
    EVENT_STATUSES,
    EVENT_VISIBILITIES,
    QUESTION_KINDS,
    Event,
    Question,
    event_regions,
)
from webapp.models.outbox import OutboxMessage
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
from webapp.models.users import ROLES, User

__all__ = [
    "ACTIVE_STATUSES",
    "ATTENDANCE_SOURCES",
    "ATTENDANCE_STATUSES",
    "EVENT_FORMATS",
    "EVENT_KINDS",
    "EVENT_STATUSES",
    "EVENT_VISIBILITIES",
    "QUESTION_KINDS",
    "REGISTRATION_STATUSES",
    "ROLES",
    "STAKEHOLDER_TYPES",
    "ActionPlan",
    "Attendance",
    "PlatformReport",
    "AuditEntry",
    "Certificate",
    "Event",
    "OutboxMessage",
    "Partner",
    "PlanAction",
    "Question",
    "Region",
    "Registration",
    "ReportingPeriod",
    "User",
    "event_actions",
    "event_regions",
]
