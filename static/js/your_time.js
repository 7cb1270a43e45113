/* Times in the visitor's own zone, as progressive enhancement: without this script every
   page still shows the event's (or the region's) zone and the partner regions' table.
   - <time data-your-time="Label" data-zone="Europe/Vilnius" datetime="start"
     data-end="end"> gains, at the end of its parent, a line "Label: Wed 2 Dec, 09:00–11:00 (America/New_York)"
     when the browser's zone differs from the zone the page shows.
   - A table with data-your-time-row="Label" (the regions' times) gains a first row for
     the visitor's zone, unless it is one of the regions' zones already. */
(function () {
  "use strict";

  var own;
  try {
    own = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  if (!own) return;
  // English dates are written the British way, as the server writes them
  // (webapp.i18n.FORMATTING_LOCALES).
  var FORMATTING_LOCALES = { en: "en-GB" };
  var lang = document.documentElement.lang || undefined;
  lang = FORMATTING_LOCALES[lang] || lang;
  var options = {
    timeZone: own, weekday: "short", day: "numeric", month: "short",
    hour: "2-digit", minute: "2-digit"
  };
  var format;
  try {
    format = new Intl.DateTimeFormat(lang, options);
  } catch (e) {
    format = new Intl.DateTimeFormat(undefined, options);
  }

  function parse(value) {
    var date = value ? new Date(value) : null;
    return date && !isNaN(date.getTime()) ? date : null;
  }

  function range(start, end) {
    if (!end) return format.format(start);
    if (format.formatRange) return format.formatRange(start, end);
    return format.format(start) + " – " + format.format(end);
  }

  function zoneName() {
    return own.replace(/_/g, " ");
  }

  document.querySelectorAll("time[data-your-time]").forEach(function (time) {
    if (time.getAttribute("data-zone") === own) return;
    var start = parse(time.getAttribute("datetime"));
    if (!start) return;
    var line = document.createElement("span");
    line.className = "your-time";
    line.textContent = time.getAttribute("data-your-time") + ": " +
      range(start, parse(time.getAttribute("data-end"))) + " (" + zoneName() + ")";
    // After the zone the page names, at the end of the time's own line or cell.
    time.parentNode.appendChild(line);
  });

  document.querySelectorAll("table[data-your-time-row]").forEach(function (table) {
    var body = table.tBodies[0];
    var start = parse(table.getAttribute("data-start"));
    var end = parse(table.getAttribute("data-end"));
    if (!body || !start || !end) return;
    var zones = (table.getAttribute("data-zones") || "").split(" ");
    if (zones.indexOf(own) !== -1) return;
    var row = body.insertRow(0);
    row.className = "your-time-row";
    var head = document.createElement("th");
    head.scope = "row";
    head.appendChild(document.createTextNode(table.getAttribute("data-your-time-row")));
    head.appendChild(document.createElement("br"));
    var zoneLine = document.createElement("span");
    zoneLine.className = "muted";
    zoneLine.textContent = zoneName();
    head.appendChild(zoneLine);
    row.appendChild(head);
    [start, end].forEach(function (instant) {
      row.insertCell(-1).textContent = format.format(instant);
    });
  });
})();
