"""The .ics endpoints as calendar apps and visitors use them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest

from tests.support import ical_check
from tests.support.calendar_cases import read_back
from webapp.extensions import db
from webapp.feeds.services import feed_cache
from webapp.models import Registration


@pytest.fixture(autouse=True)
def empty_feed_cache():
    feed_cache.clear()
    yield
    feed_cache.clear()


def vevents(response) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(response.data)
    return {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}


def unfolded(response) -> str:
    return response.data.decode().replace("\r\n ", "")


def test_catalogue_feed_headers_and_calendar_properties(client, make_event):
    make_event(title="Kick-off")
    response = client.get("/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["ETag"].startswith('"')
    assert response.headers["Last-Modified"]
    assert "max-age=" in response.headers["Cache-Control"]
    text = unfolded(response)
    for line in (
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Inter Ventures events",
        "REFRESH-INTERVAL;VALUE=DURATION:PT6H",
        "X-PUBLISHED-TTL:PT6H",
    ):
        assert f"\r\n{line}\r\n" in text
    assert "Kick-off" in vevents(response)


def test_event_entry_content(client, make_event, regions):
    event = make_event(
        title="Study visit to Burgos",
        kind="study_visit",
        format="onsite",
        venue="CEEI-Burgos",
        address="Calle Real 1, Burgos",
        online_url="",
        region_codes=("ES", "HU"),
        timezone="Europe/Madrid",
        sequence=3,
    )
    entry = vevents(client.get("/calendar.ics"))["Study visit to Burgos"]
    assert str(entry["UID"]) == f"event-{event.id}@events.example.org"
    assert int(entry["SEQUENCE"]) == 3
    assert str(entry["STATUS"]) == "CONFIRMED"
    assert str(entry["LOCATION"]) == "CEEI-Burgos, Calle Real 1, Burgos"
    assert str(entry["URL"]) == f"https://events.example.org/events/{event.slug}"
    assert list(entry["CATEGORIES"].cats) == ["Thematic study visit", "Burgos", "Hungary"]
    assert f"https://events.example.org/events/{event.slug}" in str(entry["DESCRIPTION"])
    assert entry["DTSTART"].params["TZID"] == "Europe/Madrid"
    assert entry["DTSTART"].dt.astimezone(UTC) == event.starts_at
    for absent in ("ORGANIZER", "ATTENDEE", "CONFERENCE"):
        assert absent not in entry


def test_public_feeds_never_show_drafts_partner_events_or_join_links(client, make_event):
    make_event(title="Public webinar", online_url="https://meet.example/public-secret")
    make_event(title="Draft", status="draft")
    make_event(title="Partners only", visibility="partners")
    for url in ("/calendar.ics", "/regions/HU/calendar.ics"):
        response = client.get(url)
        assert set(vevents(response)) == {"Public webinar"}
        assert b"public-secret" not in response.data
        assert b"CONFERENCE" not in response.data


def test_feed_window_covers_the_past_90_days_and_everything_ahead(client, make_event):
    make_event(title="Last month", start=timedelta(days=-30))
    make_event(title="Long ago", start=timedelta(days=-120))
    make_event(title="Next year", start=timedelta(days=365))
    assert set(vevents(client.get("/calendar.ics"))) == {"Last month", "Next year"}


def test_cancelled_events_stay_until_they_are_over(client, make_event):
    make_event(title="Called off", status="cancelled")
    make_event(title="Called off and over", status="cancelled", start=timedelta(days=-3))
    entries = vevents(client.get("/calendar.ics"))
    assert set(entries) == {"Cancelled: Called off"}
    assert str(entries["Cancelled: Called off"]["STATUS"]) == "CANCELLED"


def test_editing_keeps_the_uid_and_raises_the_sequence(client, make_event):
    event = make_event(title="Kick-off")
    first = vevents(client.get("/calendar.ics"))["Kick-off"]
    event.title = "Kick-off (new time)"
    event.starts_at += timedelta(hours=1)
    event.ends_at += timedelta(hours=1)
    event.sequence += 1
    db.session.commit()
    second = vevents(client.get("/calendar.ics"))["Kick-off (new time)"]
    assert second["UID"] == first["UID"]
    assert int(second["SEQUENCE"]) == int(first["SEQUENCE"]) + 1
    assert second["DTSTART"].dt - first["DTSTART"].dt == timedelta(hours=1)


def test_unchanged_data_gives_identical_bytes_and_etag(client, make_event):
    make_event(title="One")
    make_event(title="Two", timezone="Europe/Vilnius")
    first = client.get("/calendar.ics")
    feed_cache.clear()
    second = client.get("/calendar.ics")
    assert first.data == second.data
    assert first.headers["ETag"] == second.headers["ETag"]


def test_conditional_requests_get_304_and_changes_a_new_etag(client, make_event):
    event = make_event(title="One")
    first = client.get("/calendar.ics")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    again = client.get("/calendar.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    assert client.get("/calendar.ics", headers={"If-Modified-Since": modified}).status_code == 304

    event.title = "One, renamed"
    event.updated_at = event.updated_at + timedelta(seconds=5)
    db.session.commit()
    changed = client.get("/calendar.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert "One, renamed" in vevents(changed)


def test_a_new_event_changes_the_etag(client, make_event):
    make_event(title="One")
    etag = client.get("/calendar.ics").headers["ETag"]
    make_event(title="Two")
    response = client.get("/calendar.ics", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert set(vevents(response)) == {"One", "Two"}


def test_a_304_builds_nothing_and_reads_only_the_data_version(client, make_event, count_queries):
    make_event()
    etag = client.get("/calendar.ics").headers["ETag"]
    with count_queries() as statements:
        assert client.get("/calendar.ics", headers={"If-None-Match": etag}).status_code == 304
    # The validator is kept under the data version, read on its own small engine.
    assert statements == []


def test_a_304_reads_the_data_version_once(client, make_event):
    from webapp import data_version

    make_event()
    etag = client.get("/calendar.ics").headers["ETag"]
    before = data_version.reads
    assert client.get("/calendar.ics", headers={"If-None-Match": etag}).status_code == 304
    assert data_version.reads - before == 1


def test_kept_feeds_stay_within_their_byte_budget():
    from webapp.feeds.services import FeedCache

    cache = FeedCache(max_entries=10)
    cache.put("a", b"a" * 40, max_bytes=100)
    cache.put("b", b"b" * 40, max_bytes=100)
    assert cache.get("a", 60) == b"a" * 40  # a is now the most recently used
    cache.put("c", b"c" * 40, max_bytes=100)
    assert cache.get("b", 60) is None  # least recently used, dropped for c
    assert cache.get("a", 60) is not None and cache.get("c", 60) is not None
    assert cache.size == 80
    cache.put("huge", b"h" * 101, max_bytes=100)  # larger than the budget: not kept
    assert cache.get("huge", 60) is None and len(cache) == 2
    cache.put("a", b"A" * 10, max_bytes=100)  # replacing an entry counts its new size
    assert cache.size == 50
    cache.clear()
    assert cache.size == 0 and len(cache) == 0


def test_a_feed_larger_than_the_budget_is_served_and_not_kept(app, client, make_event):
    from webapp.feeds.services import feed_cache

    make_event(title="Too large to keep")
    app.config["FEED_CACHE_MAX_BYTES"] = 100
    first = client.get("/calendar.ics")
    assert first.status_code == 200 and b"Too large to keep" in first.data
    assert len(feed_cache) == 0
    app.config["FEED_CACHE_MAX_BYTES"] = 1_000_000
    client.get("/calendar.ics")
    client.get("/calendar.ics", headers={"Accept-Encoding": "gzip"})
    assert len(feed_cache) == 2 and feed_cache.size == len(first.data) + len(
        client.get("/calendar.ics", headers={"Accept-Encoding": "gzip"}).data
    )


def test_a_kept_validator_ends_when_an_event_leaves_the_feed(app, make_event):
    from webapp.feeds.services import FeedSpec, public_feed_validator
    from webapp.timezones import utcnow

    ending = make_event(start=timedelta(hours=-1), duration=timedelta(hours=2))
    make_event(start=timedelta(days=2))
    now = utcnow()
    with app.test_request_context("/calendar.ics"):
        before = public_feed_validator(FeedSpec(), locale="en", now=now, past_days=0)
        assert public_feed_validator(FeedSpec(), locale="en", now=now, past_days=0) == before
        later = ending.ends_at + timedelta(seconds=1)
        after = public_feed_validator(FeedSpec(), locale="en", now=later, past_days=0)
    assert after.etag != before.etag


def test_queries_per_feed_do_not_grow_with_events(client, make_event, count_queries):
    make_event(region_codes=("HU", "IT"))
    with count_queries() as few:
        client.get("/calendar.ics")
    for _ in range(15):
        make_event(region_codes=("HU", "PL", "LT"), timezone="Europe/Warsaw")
    feed_cache.clear()
    with count_queries() as many:
        response = client.get("/calendar.ics")
    assert len(vevents(response)) == 16
    assert len(many) == len(few) <= 3


def test_head_works(client, make_event):
    make_event()
    response = client.head("/calendar.ics")
    assert response.status_code == 200
    assert response.data == b""
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["ETag"] == client.get("/calendar.ics").headers["ETag"]


def test_kind_filter(client, make_event):
    make_event(title="A webinar", kind="webinar")
    make_event(title="A meeting", kind="partner_meeting")
    response = client.get("/calendar.ics?kind=partner_meeting")
    assert set(vevents(response)) == {"A meeting"}
    assert "X-WR-CALNAME:Inter Ventures: Partner meeting" in unfolded(response)
    assert client.get("/calendar.ics?kind=party").status_code == 400


def test_region_feed(client, make_event):
    make_event(title="For Hungary", region_codes=("HU",))
    make_event(title="For Lithuania", region_codes=("LT",))
    response = client.get("/regions/lt/calendar.ics", headers={"Accept-Language": "en"})
    assert set(vevents(response)) == {"For Lithuania"}
    assert "X-WR-CALNAME:Inter Ventures: Klaipėda" in unfolded(response)
    missing = client.get("/regions/XX/calendar.ics")
    assert missing.status_code == 404
    assert b"could not find" in missing.data


def test_event_file(client, make_event):
    event = make_event(title="Kick-off", status="cancelled")
    response = client.get(f"/events/{event.slug}.ics")
    assert response.status_code == 200
    assert f'filename="{event.slug}.ics"' in response.headers["Content-Disposition"]
    entry = vevents(response)["Cancelled: Kick-off"]
    assert str(entry["STATUS"]) == "CANCELLED"
    assert b"secret-room" not in response.data
    etag = response.headers["ETag"]
    assert (
        client.get(f"/events/{event.slug}.ics", headers={"If-None-Match": etag}).status_code == 304
    )


@pytest.mark.parametrize("fields", [{"status": "draft"}, {"visibility": "partners"}])
def test_event_file_of_hidden_event_is_404(client, make_event, fields):
    event = make_event(**fields)
    assert client.get(f"/events/{event.slug}.ics").status_code == 404
    assert client.get("/events/no-such-event.ics").status_code == 404
    assert client.get("/events/Not_A_Slug.ics").status_code == 404


def test_personal_feed_is_the_only_one_with_the_join_link(client, make_event, make_registration):
    event = make_event(title="Webinar", online_url="https://meet.example/room-42")
    registration = make_registration(event, status="confirmed")
    response = client.get(f"/feeds/{registration.feed_token}.ics")
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("private")
    entry = vevents(response)["Webinar"]
    assert "https://meet.example/room-42" in str(entry["DESCRIPTION"])
    text = unfolded(response)
    assert (
        "CONFERENCE;VALUE=URI;FEATURE=AUDIO,VIDEO;LABEL=Join online:https://meet.example/room-42"
        in text
    )
    assert entry["UID"] == vevents(client.get("/calendar.ics"))["Webinar"]["UID"]
    assert b"room-42" not in client.get("/calendar.ics").data
    assert b"room-42" not in client.get(f"/events/{event.slug}.ics").data


def test_personal_feed_shows_only_confirmed_places(client, make_event, make_registration):
    event = make_event(title="Full webinar")
    waiting = make_registration(event, status="waitlisted")
    response = client.get(f"/feeds/{waiting.feed_token}.ics")
    assert response.status_code == 200
    assert vevents(response) == {}
    assert b"secret-room" not in response.data


def test_personal_feed_includes_a_partners_only_event(client, make_event, make_registration):
    event = make_event(title="Steering group", visibility="partners")
    registration = make_registration(event)
    assert "Steering group" in vevents(client.get(f"/feeds/{registration.feed_token}.ics"))


def test_unknown_or_malformed_personal_token_is_404(client, make_event, make_registration):
    registration = make_registration(make_event())
    assert client.get("/feeds/" + "A" * 32 + ".ics").status_code == 404
    assert client.get("/feeds/short.ics").status_code == 404
    assert client.get(f"/feeds/{registration.token}.ics").status_code == 404
    assert client.get(f"/feeds/{registration.feed_token.upper()}x.ics").status_code == 404


def test_regenerating_the_feed_token_revokes_the_old_address(client, make_event, make_registration):
    registration = make_registration(make_event())
    old = registration.feed_token
    response = client.post(f"/registrations/{registration.token}/feed-token")
    assert response.headers["Location"] == f"/registrations/{registration.token}"
    db.session.expire_all()
    new = db.session.get(Registration, registration.id).feed_token
    assert new != old
    assert client.get(f"/feeds/{old}.ics").status_code == 404
    assert client.get(f"/feeds/{new}.ics").status_code == 200


def test_regenerating_needs_a_known_registration_and_a_post(client, make_event):
    assert client.post("/registrations/" + "B" * 32 + "/feed-token").status_code == 404
    assert client.get("/registrations/" + "B" * 32 + "/feed-token").status_code == 405


def test_feed_times_are_read_correctly_by_other_parsers(client, make_event):
    next_year = datetime.now(UTC).year + 1
    summer = datetime(next_year, 7, 15, 8, 0, tzinfo=UTC)
    winter = datetime(next_year, 1, 15, 9, 0, tzinfo=UTC)
    events = [
        make_event(start=summer, timezone="Europe/Vilnius", title="Summer in Klaipėda"),
        make_event(start=winter, timezone="Europe/Rome", title="Winter in Milan"),
    ]
    ics = client.get("/calendar.ics").data
    parsers = [ical_check.python_times]
    if not ical_check.icaljs_missing():
        parsers.append(ical_check.icaljs_times)
    if not ical_check.libical_missing():
        parsers.append(ical_check.libical_times)
    for parse in parsers:
        times = read_back(parse(ics))
        for event in events:
            uid = f"event-{event.id}@events.example.org"
            assert times[uid]["start"] == event.starts_at.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_pages_offer_subscribe_links(client, make_event):
    event = make_event(title="Kick-off")
    catalogue = client.get("/?kind=webinar").get_data(as_text=True)
    assert 'href="webcal://events.example.org/calendar.ics?kind=webinar"' in catalogue
    assert 'value="https://events.example.org/calendar.ics?kind=webinar"' in catalogue
    region = client.get("/regions/HU").get_data(as_text=True)
    assert 'href="webcal://events.example.org/regions/HU/calendar.ics"' in region
    assert 'value="https://events.example.org/regions/HU/calendar.ics"' in region
    page = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert f'href="webcal://events.example.org/events/{event.slug}.ics"' in page
    assert f'href="/events/{event.slug}.ics" download' in page
    assert "https://calendar.google.com/calendar/render?action=TEMPLATE" in page
    assert "https://outlook.live.com/calendar/0/action/compose?" in page
    assert "secret-room" not in page


def test_etag_is_stable_over_time_until_an_event_leaves_the_window(app, make_event):
    from webapp.feeds.services import FeedSpec, public_feed_validator
    from webapp.timezones import utcnow

    make_event(start=timedelta(days=-89, hours=-3))  # ends 89 days ago
    make_event(start=timedelta(days=10))
    now = utcnow()

    def etag(at):
        return public_feed_validator(FeedSpec(), locale="en", now=at, past_days=90).etag

    assert etag(now) == etag(now + timedelta(hours=12))
    assert etag(now) != etag(now + timedelta(days=2))


def test_region_and_kind_together(client, make_event):
    make_event(title="LT webinar", kind="webinar", region_codes=("LT",))
    make_event(title="LT visit", kind="study_visit", region_codes=("LT",))
    make_event(title="HU webinar", kind="webinar", region_codes=("HU",))

    for url in ("/calendar.ics?region=LT&kind=webinar", "/regions/LT/calendar.ics?kind=webinar"):
        assert set(vevents(client.get(url))) == {"LT webinar"}, url
    response = client.get("/calendar.ics?region=LT&kind=webinar", headers={"Accept-Language": "en"})
    name = icalendar.Calendar.from_ical(response.data)["X-WR-CALNAME"].to_ical().decode()
    assert "Stakeholder webinar" in name and "Klaipėda" in name
    assert set(vevents(client.get("/calendar.ics?region=lt"))) == {"LT webinar", "LT visit"}
    # Bad filters are refused, never widened silently to every event.
    assert client.get("/calendar.ics?region=XX&kind=webinar").status_code == 400
    assert client.get("/regions/LT/calendar.ics?kind=party").status_code == 400


def test_filtered_catalogue_offers_the_feed_of_its_filters(client, make_event):
    make_event(title="LT webinar", kind="webinar", region_codes=("LT",))
    page = client.get(
        "/?region=LT&kind=webinar&q=webinar", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    feed = "events.example.org/calendar.ics?region=LT&amp;kind=webinar"
    assert f'href="webcal://{feed}"' in page
    assert f'value="https://{feed}"' in page
    # One-click subscriptions name the feed and carry its address.
    google = "https://calendar.google.com/calendar/render?cid=webcal%3A%2F%2Fevents.example.org"
    assert google + "%2Fcalendar.ics%3Fregion%3DLT%26kind%3Dwebinar" in page
    assert "https://outlook.live.com/calendar/0/addfromweb?url=https%3A%2F%2F" in page
    assert "https://outlook.office.com/calendar/0/addfromweb?url=https%3A%2F%2F" in page
    assert "name=Inter+Ventures%3A+Stakeholder+webinar%2C+Klaip%C4%97da" in page
    assert "not the search words" in page
    assert 'copy-button" data-copy-target=' in page and "js/subscribe.js" in page
    # The block sits above the results.
    assert page.index('class="subscribe-box"') < page.index('class="result-count"')


def test_region_and_event_pages_offer_the_same_subscribe_block(client, make_event):
    event = make_event(title="Kick-off", region_codes=("LT",))
    region = client.get("/regions/LT").get_data(as_text=True)
    assert "https://outlook.office.com/calendar/0/addfromweb?url=" in region
    assert "cid=webcal%3A%2F%2Fevents.example.org%2Fregions%2FLT%2Fcalendar.ics" in region
    assert region.index('class="subscribe-box"') < region.index('id="events-heading"')
    page = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert f"cid=webcal%3A%2F%2Fevents.example.org%2Fevents%2F{event.slug}.ics" in page
    assert "name=Kick-off" in page and 'copy-button" data-copy-target=' in page


def test_a_client_that_accepts_gzip_gets_the_same_feed_compressed(client, make_event):
    import gzip

    make_event(title="Compressed")
    plain = client.get("/calendar.ics")
    packed = client.get("/calendar.ics", headers={"Accept-Encoding": "gzip, deflate"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.data) == plain.data
    assert packed.headers["ETag"] != plain.headers["ETag"]
    again = client.get(
        "/calendar.ics",
        headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]},
    )
    assert again.status_code == 304
    assert "Content-Encoding" not in plain.headers
