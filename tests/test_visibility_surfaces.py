"""Each visibility on each public surface: catalogue, search, region page, event page,
registration form, feeds, single-event file and the JSON API."""

from __future__ import annotations

import icalendar
import pytest

TITLE = "Cross-border export clinic"


@pytest.fixture
def event_of(make_event):
    def make(visibility: str):
        return make_event(title=TITLE, slug=f"clinic-{visibility}", visibility=visibility)

    return make


def feed_uids(client, url: str) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200
    return {str(v["UID"]) for v in icalendar.Calendar.from_ical(response.data).walk("VEVENT")}


def uid_of(event) -> str:
    return f"event-{event.id}@events.example.org"


@pytest.mark.parametrize("visibility", ["public", "unlisted", "partners"])
def test_listing_surfaces(client, event_of, visibility):
    event = event_of(visibility)
    listed = visibility == "public"

    assert (event.slug in client.get("/").get_data(as_text=True)) is listed
    assert (event.slug in client.get("/?q=export+clinic").get_data(as_text=True)) is listed
    assert (event.slug in client.get("/regions/HU").get_data(as_text=True)) is listed
    assert (uid_of(event) in feed_uids(client, "/calendar.ics")) is listed
    assert (uid_of(event) in feed_uids(client, "/calendar.ics?kind=webinar")) is listed
    assert (uid_of(event) in feed_uids(client, "/regions/HU/calendar.ics")) is listed

    api = client.get("/api/v1/events").get_json()
    assert (event.slug in [e["slug"] for e in api["events"]]) is listed
    searched = client.get("/api/v1/events?q=clinic").get_json()
    assert (event.slug in [e["slug"] for e in searched["events"]]) is listed
    assert client.get(f"/api/v1/events/{event.slug}").status_code == (200 if listed else 404)


@pytest.mark.parametrize(
    ("visibility", "reachable"), [("public", True), ("unlisted", True), ("partners", False)]
)
def test_pages_reached_by_link(client, event_of, visibility, reachable):
    event = event_of(visibility)
    page = client.get(f"/events/{event.slug}")
    form = client.get(f"/events/{event.slug}/register")
    ics = client.get(f"/events/{event.slug}.ics")
    expected = 200 if reachable else 404
    assert (page.status_code, form.status_code, ics.status_code) == (expected,) * 3
    if reachable:
        html = page.get_data(as_text=True)
        noindex = '<meta name="robots" content="noindex, nofollow">' in html
        assert noindex is (visibility == "unlisted")
        assert (page.headers.get("X-Robots-Tag") == "noindex, nofollow") is noindex
        assert ('content="noindex' in form.get_data(as_text=True)) is noindex
        assert (form.headers.get("X-Robots-Tag") == "noindex, nofollow") is noindex
        # The single-event file never carries the join link.
        assert event.online_url not in ics.get_data(as_text=True)


@pytest.mark.parametrize("visibility", ["public", "unlisted", "partners"])
def test_registering(client, event_of, visibility):
    event = event_of(visibility)
    response = client.post(
        f"/events/{event.slug}/register",
        data={
            "name": "Ana Ruiz",
            "email": "ana@example.es",
            "organisation": "SME",
            "stakeholder_type": "sme",
            "region": "ES",
            "consent": "y",
        },
    )
    if visibility == "partners":
        assert response.status_code == 404
        assert event.registrations == []
    else:
        assert response.headers["Location"].endswith("/register/check-your-inbox")
        assert [r.status for r in event.registrations] == ["confirmed"]


def test_an_unlisted_series_links_only_its_visible_dates(client, make_event, app):
    from webapp.extensions import db
    from webapp.models import EventSeries

    series = EventSeries(title=TITLE, rule="dates", timezone="Europe/Budapest")
    first = make_event(slug="first", visibility="unlisted", series=series)
    second = make_event(slug="second", visibility="unlisted", series=series)
    hidden = make_event(slug="invitation-only-date", visibility="partners", series=series)
    db.session.commit()
    html = client.get(f"/events/{first.slug}").get_data(as_text=True)
    assert f'href="/events/{second.slug}"' in html
    assert hidden.slug not in html
    assert first.slug in html
