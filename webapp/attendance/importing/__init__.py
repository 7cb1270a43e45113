"""Reading meeting platforms' participant reports (see :mod:`.layouts` for which).

:func:`read_report` turns an uploaded file into :class:`ParticipantRow` objects;
:mod:`.intervals` adds up a person's minutes and :mod:`.matching` tells who is who.
Nothing in this package touches the database.
"""

from webapp.attendance.importing.intervals import merge, minutes_per_day
from webapp.attendance.importing.layouts import LAYOUTS, LAYOUTS_BY_KEY, Layout
from webapp.attendance.importing.matching import (
    Directory,
    FilePerson,
    Match,
    group_people,
    name_keys,
    normalise_name,
)
from webapp.attendance.importing.reading import (
    MAX_IMPORT_BYTES,
    MAX_IMPORT_ROWS,
    decode_report,
    read_report,
)
from webapp.attendance.importing.report import (
    TEAM_ROLES,
    ImportFileError,
    ParsedReport,
    ParticipantRow,
)
from webapp.attendance.importing.timestamps import (
    choose_timestamp_format,
    parse_duration_minutes,
)

__all__ = [
    "LAYOUTS",
    "LAYOUTS_BY_KEY",
    "MAX_IMPORT_BYTES",
    "MAX_IMPORT_ROWS",
    "TEAM_ROLES",
    "Directory",
    "FilePerson",
    "ImportFileError",
    "Layout",
    "Match",
    "ParsedReport",
    "ParticipantRow",
    "choose_timestamp_format",
    "decode_report",
    "group_people",
    "merge",
    "minutes_per_day",
    "name_keys",
    "normalise_name",
    "parse_duration_minutes",
    "read_report",
]
