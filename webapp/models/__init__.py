"""The data model, one module per aggregate."""

from webapp.models.attendance import ATTENDANCE_SOURCES, ATTENDANCE_STATUSES, Attendance
from webapp.models.audit import AuditEntry
from webapp.models.contacts import PartnerContact
from webapp.models.events import (
    EVENT_FORMATS,
    EVENT_KINDS,
    EVENT_STATUSES,
    EVENT_VISIBILITIES,
    QUESTION_KINDS,
    Event,
    EventSeries,
    Question,
    event_regions,
)
from webapp.models.invitations import INVITATION_ANSWERS, Invitation
from webapp.models.outbox import OutboxMessage
from webapp.models.regions import Partner, Region
from webapp.models.registrations import (
    ACTIVE_STATUSES,
    REGISTRATION_STATUSES,
    STAKEHOLDER_TYPES,
    Registration,
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
    "INVITATION_ANSWERS",
    "QUESTION_KINDS",
    "REGISTRATION_STATUSES",
    "ROLES",
    "STAKEHOLDER_TYPES",
    "Attendance",
    "AuditEntry",
    "Event",
    "EventSeries",
    "Invitation",
    "OutboxMessage",
    "Partner",
    "PartnerContact",
    "Question",
    "Region",
    "Registration",
    "User",
    "event_regions",
]
