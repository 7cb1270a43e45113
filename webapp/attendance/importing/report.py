"""What reading a participant report produces: its rows, and the error for an unreadable file."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from webapp.attendance.importing.layouts import Layout

# What a person did in the meeting, from the report's own role column or section.
ROLE_ATTENDEE = "attendee"
ROLE_HOST = "host"
ROLE_COHOST = "cohost"
ROLE_PANELIST = "panelist"
TEAM_ROLES = (ROLE_HOST, ROLE_COHOST, ROLE_PANELIST)


class ImportFileError(ValueError):
    """The file cannot be read as a participant report; ``message`` says why, for people."""

    def __init__(self, message: object) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class ParticipantRow:
    """One row of a participant report: one stay of one person, or their total.

    ``joined_at``/``left_at`` are one continuous stay when both are set; ``minutes``
    alone is a total the platform measured (a layout without stays, or a span whose
    gaps only the platform knows).
    """

    line: int
    name: str
    email: str
    joined_at: datetime | None = None
    left_at: datetime | None = None
    minutes: float | None = None
    role: str = ROLE_ATTENDEE

    @property
    def has_interval(self) -> bool:
        return self.joined_at is not None and self.left_at is not None


@dataclass
class ParsedReport:
    layout: Layout
    encoding: str
    delimiter: str
    rows: list[ParticipantRow] = field(default_factory=list)
    duplicate_rows: int = 0
    waiting_room_rows: int = 0
    not_attended_rows: int = 0
    # Addresses the report names as the meeting's host (Zoom's meeting summary).
    host_emails: set[str] = field(default_factory=set)
    skipped: list[tuple[int, object]] = field(default_factory=list)
    warnings: list[object] = field(default_factory=list)

    @property
    def layout_label(self) -> object:
        return self.layout.label
