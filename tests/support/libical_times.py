"""Print each event's UTC start and end as read by libical (Debian's ``gir1.2-ical-3.0``).

Run with the system Python, which has PyGObject: ``/usr/bin/python3 libical_times.py FILE``.
Times with a ``TZID`` are resolved through the file's own ``VTIMEZONE`` components (each
loaded into an ``ICalTimezone`` of its own), never through libical's built-in zones.
Prints JSON like the ical.js script in ``tests/js/ical_times.mjs``.
"""

import json
import sys
from datetime import UTC, datetime

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib  # noqa: E402

Kind = ICalGLib.ComponentKind
PropertyKind = ICalGLib.PropertyKind


def components(parent, kind):
    child = parent.get_first_component(kind)
    while child is not None:
        yield child
        child = parent.get_next_component(kind)


def main(path: str) -> None:
    with open(path, encoding="utf-8") as handle:
        calendar = ICalGLib.Component.new_from_string(handle.read())
    if calendar is None:
        raise SystemExit("libical could not parse the file")

    zones = {}
    for vtimezone in components(calendar, Kind.VTIMEZONE_COMPONENT):
        zone = ICalGLib.Timezone.new()
        if not zone.set_component(vtimezone.clone()):
            raise SystemExit("libical refused a VTIMEZONE")
        zones[zone.get_tzid()] = zone

    def instant(prop, value):
        tzid = prop.get_parameter_as_string("TZID")
        if value.is_date():
            return {"date": f"{value.get_year():04d}-{value.get_month():02d}-{value.get_day():02d}"}
        if tzid:
            if tzid not in zones:
                raise SystemExit(f"TZID {tzid} has no VTIMEZONE in the file")
            seconds = value.as_timet_with_zone(zones[tzid])
        elif value.is_utc():
            seconds = value.as_timet_with_zone(ICalGLib.Timezone.get_utc_timezone())
        else:
            raise SystemExit("floating time without a zone")
        stamp = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {"utc": stamp, "tzid": tzid or "UTC"}

    events = {}
    for vevent in components(calendar, Kind.VEVENT_COMPONENT):
        start = vevent.get_first_property(PropertyKind.DTSTART_PROPERTY)
        end = vevent.get_first_property(PropertyKind.DTEND_PROPERTY)
        events[vevent.get_uid()] = {
            "start": instant(start, start.get_dtstart()),
            "end": instant(end, end.get_dtend()),
            "sequence": vevent.get_sequence(),
            "status": vevent.get_first_property(PropertyKind.STATUS_PROPERTY).get_value_as_string(),
            "summary": vevent.get_summary(),
        }
    print(json.dumps({"zones": sorted(zones), "events": events}))


if __name__ == "__main__":
    main(sys.argv[1])
