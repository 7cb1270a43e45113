"""Feeds and calendar files speak the subscriber's language when the organisers gave one."""

from icalendar import Calendar


def _summaries(body: bytes) -> list[str]:
    return [str(c["SUMMARY"]) for c in Calendar.from_ical(body).walk("VEVENT")]


def _descriptions(body: bytes) -> list[str]:
    return [str(c["DESCRIPTION"]) for c in Calendar.from_ical(body).walk("VEVENT")]


def test_catalogue_feed_uses_the_visitors_language_else_the_original(client, make_event):
    make_event(
        slug="export-webinar",
        title="Export webinar",
        summary="For SMEs going abroad.",
        language="en",
        translations={"hu": {"title": "Export webinárium", "summary": "KKV-knak."}},
    )
    hungarian = client.get("/calendar.ics", headers={"Accept-Language": "hu"})
    assert _summaries(hungarian.data) == ["Export webinárium"]
    assert _descriptions(hungarian.data)[0].startswith("KKV-knak.")
    polish = client.get("/calendar.ics", headers={"Accept-Language": "pl"})
    assert _summaries(polish.data) == ["Export webinar"]
    assert hungarian.headers["ETag"] != polish.headers["ETag"]


def test_event_file_and_calendar_links_use_the_translation(client, make_event):
    make_event(
        slug="visit",
        title="Study visit",
        language="en",
        translations={"lt": {"title": "Studijų vizitas"}},
    )
    body = client.get("/events/visit.ics", headers={"Accept-Language": "lt"}).data
    assert _summaries(body) == ["Studijų vizitas"]
    page = client.get("/events/visit", headers={"Accept-Language": "lt"}).get_data(as_text=True)
    assert "text=Studij%C5%B3+vizitas" in page
