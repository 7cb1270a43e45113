"""Read calendar files back, three independent ways, to check what clients will show.

- ``python_times``: the ``icalendar`` parser for the syntax, and this module's own
  resolution of each ``TZID`` through the file's ``VTIMEZONE`` (``dateutil`` expands the
  observances' ``RRULE``s) — never through a time zone database.
- ``icaljs_times``: Mozilla's ical.js under Node (``tests/js/ical_times.mjs``).
- ``libical_times``: libical through Debian's ``gir1.2-ical-3.0`` (``libical_times.py``).

Each returns ``{"zones": [...], "events": {uid: {"start": ..., "end": ..., ...}}}`` where a
start or end is ``{"utc": "2026-03-29T07:00:00Z", "tzid": ...}`` or ``{"date": "2026-05-11"}``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from bisect import bisect_right
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import icalendar
from dateutil.rrule import rrulestr

HERE = Path(__file__).resolve().parent
JS_DIR = HERE.parent / "js"
ICALJS_SCRIPT = JS_DIR / "ical_times.mjs"
LIBICAL_SCRIPT = HERE / "libical_times.py"
SYSTEM_PYTHON = "/usr/bin/python3"
RESOLVE_UNTIL_YEAR = 2100


class OwnZone:
    """A time zone known only from one ``VTIMEZONE`` component."""

    def __init__(self, component: icalendar.cal.Component) -> None:
        onsets: list[tuple[datetime, timedelta, timedelta]] = []
        for observance in component.subcomponents:
            start = observance["DTSTART"].dt
            offset_from = observance["TZOFFSETFROM"].td
            offset_to = observance["TZOFFSETTO"].td
            if "RDATE" in observance:
                raise AssertionError("VTIMEZONE uses RDATE lists (read an hour off by ical.js)")
            if "RRULE" in observance:
                rule = observance["RRULE"]
                text = rule.to_ical().decode()
                until = rule.get("UNTIL")
                if until:
                    # UNTIL is UTC; dateutil wants it on the same (wall) clock as DTSTART.
                    until_local = until[0].astimezone(UTC).replace(tzinfo=None) + offset_from
                    text = ";".join(p for p in text.split(";") if not p.startswith("UNTIL="))
                    text += f";UNTIL={until_local:%Y%m%dT%H%M%S}"
                else:
                    text += f";UNTIL={RESOLVE_UNTIL_YEAR}0101T000000"
                walls = list(rrulestr(text, dtstart=start))
            else:
                walls = [start]
            onsets += [(wall - offset_from, offset_to, offset_from) for wall in walls]
        onsets.sort()
        self._instants = [onset[0] for onset in onsets]
        self._offsets = [onset[1] for onset in onsets]
        self._before = onsets[0][2]  # the offset before the first onset

    def offset_at(self, utc_naive: datetime) -> timedelta:
        index = bisect_right(self._instants, utc_naive) - 1
        return self._offsets[index] if index >= 0 else self._before

    def to_utc(self, wall: datetime) -> datetime:
        """The first instant whose wall clock shows ``wall`` (RFC 5545, 3.3.5)."""
        candidates = sorted(
            wall - offset
            for offset in set(self._offsets) | {self._before}
            if self.offset_at(wall - offset) == offset
        )
        if not candidates:
            raise AssertionError(f"{wall} does not exist in this VTIMEZONE")
        return candidates[0]


def _stamp(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


def python_times(ics: bytes) -> dict:
    calendar = icalendar.Calendar.from_ical(ics)
    zones = {str(c["TZID"]): OwnZone(c) for c in calendar.walk("VTIMEZONE")}

    def instant(prop) -> dict:
        value = prop.dt
        if isinstance(value, date) and not isinstance(value, datetime):
            return {"date": value.isoformat()}
        tzid = prop.params.get("TZID")
        if tzid:
            wall = value.replace(tzinfo=None)
            return {"utc": _stamp(zones[tzid].to_utc(wall)), "tzid": tzid}
        if value.tzinfo is None:
            raise AssertionError("floating time without a zone")
        return {"utc": _stamp(value.astimezone(UTC).replace(tzinfo=None)), "tzid": "UTC"}

    events = {}
    for vevent in calendar.walk("VEVENT"):
        events[str(vevent["UID"])] = {
            "start": instant(vevent["DTSTART"]),
            "end": instant(vevent["DTEND"]),
            "sequence": int(vevent["SEQUENCE"]),
            "status": str(vevent["STATUS"]),
            "summary": str(vevent["SUMMARY"]),
        }
    return {"zones": sorted(zones), "events": events}


def _run_on_file(command: list[str], ics: bytes) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".ics") as handle:
        handle.write(ics)
        handle.flush()
        completed = subprocess.run(
            [*command, handle.name], capture_output=True, text=True, timeout=60, check=False
        )
    if completed.returncode != 0:
        raise AssertionError(f"{command[0]} failed: {completed.stderr.strip()}")
    return json.loads(completed.stdout)


def icaljs_missing() -> str | None:
    """Why ical.js cannot run here, or ``None``."""
    if not shutil.which("node"):
        return "node is not installed (apt-get install nodejs npm)"
    if not (JS_DIR / "node_modules" / "ical.js").is_dir():
        return "ical.js is not installed (npm ci --prefix tests/js)"
    return None


def icaljs_times(ics: bytes) -> dict:
    return _run_on_file([shutil.which("node") or "node", str(ICALJS_SCRIPT)], ics)


def libical_missing() -> str | None:
    """Why libical cannot run here, or ``None``."""
    if not Path(SYSTEM_PYTHON).exists():
        return f"{SYSTEM_PYTHON} is missing"
    probe = subprocess.run(
        [
            SYSTEM_PYTHON,
            "-c",
            "import gi; gi.require_version('ICalGLib', '3.0'); from gi.repository import ICalGLib",
        ],
        capture_output=True,
        timeout=30,
        check=False,
    )
    if probe.returncode != 0:
        return "libical is not installed (apt-get install gir1.2-ical-3.0 python3-gi)"
    return None


def libical_times(ics: bytes) -> dict:
    return _run_on_file([SYSTEM_PYTHON, str(LIBICAL_SCRIPT)], ics)
