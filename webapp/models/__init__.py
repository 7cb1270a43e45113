"""The data model, one module per aggregate."""

from webapp.models.attendance import ATTENDANCE_SOURCES, ATTENDANCE_STATUSES, Attendance
from webapp.models.audit import AuditEntry
from webapp.models.events import (
    EVENT_FORMATS,
    EVENT_KINDS,
    EVENT_STATUSES,
    EVENT_VISIBILITIES,
    LOGISTICS_QUESTION_KINDS,
    QUESTION_KINDS,
    Event,
    Question,
    event_regions,
)
from webapp.models.outbox import OutboxMessage
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
from webapp.models.users import ROLES, User

__all__ = [
    "ACTIVE_STATUSES",
    "ATTENDANCE_SOURCES",
    "ATTENDANCE_STATUSES",
    "EVENT_FORMATS",
    "EVENT_KINDS",
    "EVENT_STATUSES",
    "EVENT_VISIBILITIES",
    "LOGISTICS_QUESTION_KINDS",
    "MATERIAL_AUDIENCES",
    "PROGRAMME_KINDS",
    "QUESTION_KINDS",
    "REGISTRATION_STATUSES",
    "ROLES",
    "STAKEHOLDER_TYPES",
    "Attendance",
    "AuditEntry",
    "Event",
    "Material",
    "OutboxMessage",
    "Partner",
    "ProgrammeItem",
    "Question",
    "Region",
    "Registration",
    "Speaker",
    "User",
    "event_regions",
    "programme_item_speakers",
]
