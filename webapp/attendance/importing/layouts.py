"""The participant reports the import reads, each declared as data.

A :class:`Layout` says which tables a platform's export holds (their header names,
the section title above each, the role of the people listed there), what its Join and
Leave columns mean and how it writes times. :mod:`.reading` finds the first layout
whose tables are all in a file and reads it by this description alone; adding a
platform's export is adding an entry to :data:`LAYOUTS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from webapp.attendance.importing.report import (
    ROLE_ATTENDEE,
    ROLE_COHOST,
    ROLE_HOST,
    ROLE_PANELIST,
)

# --- what a column holds ------------------------------------------------------------------

NAME = "name"
FIRST_NAME = "first_name"
LAST_NAME = "last_name"
EMAIL = "email"
UPN = "upn"  # Teams' sign-in name: an address for members of an organisation
JOIN = "join"
LEAVE = "leave"
DURATION = "duration"
WAITING_ROOM = "waiting_room"  # "Yes" on a row of time spent waiting to be admitted
ATTENDED = "attended"  # "No" on a registrant of the platform who never came
ROLE = "role"
ACTION = "action"  # "Joined" / "Left"
TIMESTAMP = "timestamp"
TOPIC = "topic"
HOST_EMAIL = "host_email"
MARKER = "marker"  # a column only this platform writes; identifies the layout

# --- what Join and Leave mean -------------------------------------------------------------

# Each row is one continuous stay from Join to Leave: a person's minutes are the union
# of their stays.
SESSIONS = "sessions"
# Join and Leave are the first join and the last leave of a person, who may have left
# and come back in between: the duration column (time online) is what counts.
SPAN = "span"
# Each row is one "Joined" or "Left" action at a time: paired per person into stays.
ACTIONS = "actions"
# Only a duration per row: a person's minutes are their sum.
DURATIONS = "durations"
# A spreadsheet of unknown origin: stays when it has Join and Leave, else durations.
AUTO = "auto"

# Tables whose header names these are a meeting's own summary, not participants.
MEETING_SUMMARY_CELLS = frozenset({"meeting id", "topic", "webinar id", "meeting title"})


@dataclass(frozen=True)
class Table:
    """One table of a report: a header row (maybe under a section title) and its rows.

    ``columns`` maps what a column holds to the header names it goes by (compared in
    lower case, spaces collapsed). The header must hold every field of ``required`` and
    one field of each group in ``any_of``; ``titles``, when given, are the section
    titles one of which must be the line above the header ("2. Participants" matches
    "participants": numbering is ignored). ``role`` is the role of everyone listed.
    A ``meeting`` table describes the meeting itself (its host's address).
    """

    columns: Mapping[str, tuple[str, ...]]
    required: tuple[str, ...] = ()
    any_of: tuple[tuple[str, ...], ...] = ()
    titles: tuple[str, ...] = ()
    role: str | None = None
    optional: bool = False
    meeting: bool = False
    refuse: frozenset[str] = frozenset()
    names: Mapping[str, frozenset[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Header names as sets, for the quick "is this row a header?" test on every row.
        names = {column: frozenset(aliases) for column, aliases in self.columns.items()}
        object.__setattr__(self, "names", names)


@dataclass(frozen=True)
class Layout:
    key: str
    label: object
    tables: tuple[Table, ...]
    times: str
    timestamp_formats: tuple[str, ...] = ()
    # Values of the role column (lower case) that make someone part of the meeting's team.
    roles: Mapping[str, str] = field(default_factory=dict)
    # Where organisers download it, for the help on the upload page.
    where: object = ""

    @property
    def people_tables(self) -> tuple[Table, ...]:
        return tuple(t for t in self.tables if not t.meeting)


# --- header names -------------------------------------------------------------------------

_PERSON_NAMES = (
    "name",
    "full name",
    "display name",
    "participant",
    "participant name",
    "attendee",
    "attendee name",
    "user name",
    "nome",
    "nombre",
    "név",
    "imię i nazwisko",
    "vardas pavardė",
)
_EMAILS = (
    "email",
    "e-mail",
    "email address",
    "e-mail address",
    "user email",
    "attendee email",
    "mail",
    "correo",
    "correo electrónico",
    "e-mail cím",
    "el. paštas",
)

_ZOOM_MEETING_SUMMARY = Table(
    columns={TOPIC: ("topic",), HOST_EMAIL: ("user email", "host email")},
    required=(TOPIC, HOST_EMAIL),
    optional=True,
    meeting=True,
)
_ZOOM_NAMES = ("name (original name)", "user name (original name)")

ZOOM_MEETING = Layout(
    key="zoom_meeting",
    label=_l("Zoom meeting participants report"),
    tables=(
        _ZOOM_MEETING_SUMMARY,
        Table(
            columns={
                NAME: _ZOOM_NAMES,
                EMAIL: ("email", "user email"),
                JOIN: ("join time",),
                LEAVE: ("leave time",),
                DURATION: ("duration (minutes)",),
                WAITING_ROOM: ("in waiting room",),
                MARKER: ("email",),
            },
            required=(NAME, JOIN, LEAVE),
            # The current layout calls the address "Email" and may add "In waiting room";
            # the older one says "User Email" and has no waiting room.
            any_of=((MARKER, WAITING_ROOM),),
        ),
    ),
    times=SESSIONS,
    timestamp_formats=("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p"),
    where=_l("Zoom: Reports → Usage → the meeting's Participants number → Export."),
)

ZOOM_UNIQUE_USERS = Layout(
    key="zoom_unique_users",
    label=_l("Zoom meeting participants report (unique users)"),
    tables=(
        _ZOOM_MEETING_SUMMARY,
        Table(
            columns={
                NAME: _ZOOM_NAMES,
                EMAIL: ("email", "user email"),
                DURATION: ("total duration (minutes)",),
                WAITING_ROOM: ("in waiting room",),
            },
            required=(NAME, DURATION),
        ),
    ),
    times=DURATIONS,
    where=_l("Zoom, with “Show unique users” ticked before exporting."),
)

ZOOM_LEGACY = Layout(
    key="zoom_legacy",
    label=_l("Zoom participants report (older layout)"),
    tables=(
        _ZOOM_MEETING_SUMMARY,
        Table(
            columns={
                NAME: _ZOOM_NAMES,
                EMAIL: ("user email",),
                JOIN: ("join time",),
                LEAVE: ("leave time",),
                DURATION: ("duration (minutes)",),
            },
            required=(NAME, JOIN, LEAVE, EMAIL),
        ),
    ),
    times=SESSIONS,
    timestamp_formats=("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p"),
)

_ZOOM_WEBINAR_COLUMNS = {
    ATTENDED: ("attended",),
    NAME: (*_ZOOM_NAMES, "user name"),
    FIRST_NAME: ("first name",),
    LAST_NAME: ("last name",),
    EMAIL: ("email",),
    JOIN: ("join time",),
    LEAVE: ("leave time",),
    DURATION: ("time in session (minutes)",),
}


def _webinar_section(title: str, role: str, optional: bool = True) -> Table:
    return Table(
        columns=_ZOOM_WEBINAR_COLUMNS,
        required=(NAME, JOIN, LEAVE),
        titles=(title,),
        role=role,
        optional=optional,
    )


ZOOM_WEBINAR = Layout(
    key="zoom_webinar",
    label=_l("Zoom webinar attendee report"),
    tables=(
        _webinar_section("host details", ROLE_HOST),
        _webinar_section("panelist details", ROLE_PANELIST),
        _webinar_section("attendee details", ROLE_ATTENDEE, optional=False),
        # People who joined without registering through Zoom: a header of its own.
        _webinar_section("other attended", ROLE_ATTENDEE),
    ),
    times=SESSIONS,
    timestamp_formats=("%b %d %Y %H:%M:%S", "%b %d %Y %I:%M:%S %p"),
    where=_l("Zoom: Reports → Webinar → Attendee report → the webinar → CSV."),
)

# Teams lets everyone present by default, so "Presenter" says nothing about who ran the
# meeting: only organisers are the team.
_TEAMS_ROLES = {"organizer": ROLE_HOST, "organiser": ROLE_HOST, "co-organizer": ROLE_COHOST}
_TEAMS_FORMATS = ("%m/%d/%y %I:%M:%S %p", "%m/%d/%Y %I:%M:%S %p", "%d/%m/%Y %H:%M:%S")

TEAMS = Layout(
    key="teams",
    label=_l("Microsoft Teams attendance report"),
    tables=(
        Table(
            columns={
                NAME: ("name",),
                JOIN: ("join time",),
                LEAVE: ("leave time",),
                DURATION: ("duration",),
                EMAIL: ("email",),
                ROLE: ("role",),
            },
            required=(NAME, JOIN, LEAVE),
            titles=("in-meeting activities",),
        ),
    ),
    times=SESSIONS,
    timestamp_formats=_TEAMS_FORMATS,
    roles=_TEAMS_ROLES,
    where=_l(
        "Microsoft Teams: the meeting's Attendance tab (or the chat's attendance report) → Download."
    ),
)

TEAMS_PARTICIPANTS = Layout(
    key="teams_participants",
    label=_l("Microsoft Teams attendance report (participants summary only)"),
    tables=(
        Table(
            columns={
                NAME: ("name",),
                JOIN: ("first join",),
                LEAVE: ("last leave",),
                DURATION: ("in-meeting duration",),
                EMAIL: ("email",),
                UPN: ("participant id (upn)",),
                ROLE: ("role",),
            },
            required=(NAME, JOIN, DURATION),
        ),
    ),
    times=SPAN,
    timestamp_formats=_TEAMS_FORMATS,
    roles=_TEAMS_ROLES,
)

TEAMS_ACTIONS = Layout(
    key="teams_actions",
    label=_l("Microsoft Teams attendance list (joined/left actions)"),
    tables=(
        Table(
            columns={
                NAME: ("full name",),
                ACTION: ("user action",),
                TIMESTAMP: ("timestamp",),
                EMAIL: ("email",),
            },
            required=(NAME, ACTION, TIMESTAMP),
        ),
    ),
    times=ACTIONS,
    timestamp_formats=("%d/%m/%Y %H:%M:%S", "%m/%d/%Y %I:%M:%S %p"),
)

BIGBLUEBUTTON = Layout(
    key="bigbluebutton",
    label=_l("BigBlueButton Learning Dashboard session data"),
    tables=(
        Table(
            columns={
                NAME: ("name",),
                ROLE: ("moderator",),
                MARKER: ("activity score",),
                JOIN: ("join",),
                LEAVE: ("left",),
                DURATION: ("duration",),
            },
            required=(NAME, MARKER, JOIN, DURATION),
        ),
    ),
    # "Join" is the first join and "Left" the last leave; "Duration" is time online.
    times=SPAN,
    timestamp_formats=("%m/%d/%Y %I:%M:%S %p", "%d.%m.%Y %H:%M:%S", "%d/%m/%Y %H:%M:%S"),
    roles={"true": ROLE_HOST},
    where=_l("BigBlueButton: Learning Dashboard → Download session data."),
)

WEBEX = Layout(
    key="webex",
    label=_l("Webex meeting attendee report"),
    tables=(
        Table(
            columns={
                NAME: ("name", "participant name", "attendee name", "display name"),
                EMAIL: ("email", "attendee email", "email address"),
                JOIN: ("join time",),
                LEAVE: ("leave time",),
                DURATION: ("duration", "attendance duration", "duration (minutes)"),
                ROLE: ("role", "participant role"),
                MARKER: ("connection type", "invited", "registered"),
            },
            required=(NAME, JOIN, LEAVE, MARKER),
        ),
    ),
    times=SESSIONS,
    timestamp_formats=("%m/%d/%Y %I:%M %p", "%m/%d/%Y %I:%M:%S %p"),
    roles={
        "host": ROLE_HOST,
        "cohost": ROLE_COHOST,
        "co-host": ROLE_COHOST,
        "panelist": ROLE_PANELIST,
    },
    where=_l(
        "Webex: Meetings → the past meeting → Attendees → Export (or the site's attendee report)."
    ),
)

GENERIC = Layout(
    key="generic",
    label=_l("Spreadsheet (CSV) with name, e-mail and times"),
    tables=(
        Table(
            columns={
                NAME: _PERSON_NAMES,
                FIRST_NAME: ("first name", "given name", "firstname"),
                LAST_NAME: ("last name", "surname", "family name", "lastname"),
                EMAIL: _EMAILS,
                JOIN: (
                    "join time",
                    "joined",
                    "join",
                    "joined at",
                    "entered",
                    "start time",
                    "start",
                ),
                LEAVE: ("leave time", "left", "leave", "left at", "exited", "end time", "end"),
                DURATION: (
                    "duration (minutes)",
                    "duration (min)",
                    "duration",
                    "minutes",
                    "time in session (minutes)",
                    "time in session",
                    "attendance duration",
                    "minutes online",
                    "időtartam",
                    "durata",
                    "duración",
                    "czas trwania",
                    "trukmė",
                ),
            },
            any_of=((NAME, FIRST_NAME, LAST_NAME, EMAIL), (LEAVE, DURATION)),
            refuse=MEETING_SUMMARY_CELLS,
        ),
    ),
    times=AUTO,
    where=_l(
        "Any other platform: a CSV with a header row naming the columns Name, E-mail, "
        "Join time and Leave time, or Duration (minutes). Comma, semicolon or tab separated."
    ),
)

# Most specific first: the first layout whose required tables are all found wins.
LAYOUTS: tuple[Layout, ...] = (
    ZOOM_WEBINAR,
    ZOOM_MEETING,
    ZOOM_UNIQUE_USERS,
    ZOOM_LEGACY,
    TEAMS,
    TEAMS_PARTICIPANTS,
    TEAMS_ACTIONS,
    BIGBLUEBUTTON,
    WEBEX,
    GENERIC,
)
LAYOUTS_BY_KEY = {layout.key: layout for layout in LAYOUTS}
