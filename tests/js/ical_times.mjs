// Reads an iCalendar file with Mozilla's ical.js (the parser inside Thunderbird) and
// prints, as JSON, each event's start and end as UTC instants, resolved through the
// file's own VTIMEZONE components (ical.js ships no time zone database of its own),
// with the calendar's METHOD and each event's SEQUENCE, STATUS and SUMMARY.
//
// Usage: node ical_times.mjs FILE.ics   (or the file on standard input)
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const source = readFileSync(process.argv[2] ?? 0, "utf8");
const calendar = new ICAL.Component(ICAL.parse(source));

const zones = {};
for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
  const zone = new ICAL.Timezone(vtimezone);
  ICAL.TimezoneService.register(zone, zone.tzid);
  zones[zone.tzid] = true;
}

function instant(property) {
  const tzid = property.getParameter("tzid");
  const time = property.getFirstValue();
  if (time.isDate) {
    return { date: time.toString() };
  }
  if (tzid && (!time.zone || time.zone.tzid !== tzid || !zones[tzid])) {
    throw new Error(`TZID ${tzid} was not resolved through the file's VTIMEZONE`);
  }
  if (!tzid && time.zone !== ICAL.Timezone.utcTimezone) {
    throw new Error(`floating time ${time.toString()} has no zone`);
  }
  return { utc: new Date(time.toUnixTime() * 1000).toISOString().replace(".000Z", "Z"), tzid: tzid ?? "UTC" };
}

const events = {};
for (const vevent of calendar.getAllSubcomponents("vevent")) {
  const uid = vevent.getFirstPropertyValue("uid");
  events[uid] = {
    start: instant(vevent.getFirstProperty("dtstart")),
    end: instant(vevent.getFirstProperty("dtend")),
    sequence: vevent.getFirstPropertyValue("sequence"),
    status: vevent.getFirstPropertyValue("status"),
    summary: vevent.getFirstPropertyValue("summary"),
  };
}
const method = calendar.getFirstPropertyValue("method");
process.stdout.write(JSON.stringify({ zones: Object.keys(zones).sort(), method, events }) + "\n");
