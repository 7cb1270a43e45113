"""The JSON read API: public events only, never a join link, clear errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest


def test_list_of_upcoming_public_events(client, make_event, make_registration, partner):
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    event = make_event(
        start=start,
        title="Export webinar",
        capacity=10,
        region_codes=("HU", "LT"),
        timezone="Europe/Vilnius",
    )
    make_registration(event, status="confirmed")
    make_registration(event, status="waitlisted")
    make_event(title="Draft", status="draft")
    make_event(title="Partners only", visibility="partners")
    make_event(title="Over", start=timedelta(days=-5))

    response = client.get("/api/v1/events")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert "max-age=" in response.headers["Cache-Control"]
    body = response.get_json()
    assert body["total"] == 1 and body["page"] == 1 and body["pages"] == 1
    (item,) = body["events"]
    assert item["title"] == "Export webinar"
    assert item["starts_at"] == start.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert item["timezone"] == "Europe/Vilnius"
    assert item["regions"] == [
        {"code": "HU", "name": "Hungary"},
        {"code": "LT", "name": "Klaipėda"},
    ]
    assert item["host_partner"] == {"name": "PANNON EGTC", "short_name": "PANNON", "region": "HU"}
    assert item["capacity"] == 10 and item["seats_left"] == 9
    assert item["url"] == f"https://events.example.org/events/{event.slug}"
    assert item["ics_url"] == f"https://events.example.org/events/{event.slug}.ics"


def test_join_links_never_appear(client, make_event):
    event = make_event(online_url="https://meet.example/very-secret-room")
    for url in ("/api/v1/events", f"/api/v1/events/{event.slug}", "/api/v1/events?when=past"):
        response = client.get(url)
        assert b"very-secret-room" not in response.data
        assert b"online_url" not in response.data


def test_filters(client, make_event):
    make_event(title="Meeting in Italy", kind="partner_meeting", region_codes=("IT",))
    make_event(title="Webinar in Italy", kind="webinar", region_codes=("IT",))
    make_event(title="Webinar in Spain", kind="webinar", region_codes=("ES",))
    make_event(title="Old webinar", kind="webinar", start=timedelta(days=-10))

    def titles(query: str) -> list[str]:
        return sorted(
            e["title"] for e in client.get(f"/api/v1/events?{query}").get_json()["events"]
        )

    assert titles("region=it") == ["Meeting in Italy", "Webinar in Italy"]
    assert titles("kind=webinar") == ["Webinar in Italy", "Webinar in Spain"]
    assert titles("region=IT&kind=webinar") == ["Webinar in Italy"]
    assert titles("when=past") == ["Old webinar"]
    assert titles("q=spain") == ["Webinar in Spain"]


def test_pagination_is_capped_and_linked(client, make_event):
    for n in range(5):
        make_event(title=f"Event {n}", start=timedelta(days=n + 1))
    body = client.get("/api/v1/events?per_page=2&page=2&kind=webinar").get_json()
    assert [e["title"] for e in body["events"]] == ["Event 2", "Event 3"]
    assert body["total"] == 5 and body["pages"] == 3
    assert body["links"]["next"] == (
        "https://events.example.org/api/v1/events?per_page=2&kind=webinar&page=3"
    )
    assert body["links"]["prev"].endswith("page=1")
    last = client.get("/api/v1/events?per_page=2&page=3").get_json()
    assert "next" not in last["links"]
    beyond = client.get("/api/v1/events?per_page=2&page=9").get_json()
    assert beyond["events"] == [] and beyond["total"] == 5


@pytest.mark.parametrize(
    "query, field",
    [
        ("per_page=500", "per_page"),
        ("per_page=0", "per_page"),
        ("page=-1", "page"),
        ("page=abc", "page"),
        ("region=XX", "region"),
        ("kind=party", "kind"),
        ("when=tomorrow", "when"),
        ("q=" + "x" * 101, "q"),
    ],
)
def test_bad_parameters_get_a_json_400(client, query, field, regions):
    response = client.get(f"/api/v1/events?{query}")
    assert response.status_code == 400
    body = response.get_json()
    assert body["status"] == 400
    assert field in body["fields"]


def test_one_event(client, make_event):
    event = make_event(title="Kick-off", status="cancelled")
    response = client.get(f"/api/v1/events/{event.slug}")
    assert response.status_code == 200
    data = response.get_json()["event"]
    assert data["title"] == "Kick-off"
    assert data["status"] == "cancelled"
    etag = response.headers["ETag"]
    again = client.get(f"/api/v1/events/{event.slug}", headers={"If-None-Match": etag})
    assert again.status_code == 304


@pytest.mark.parametrize("fields", [{"status": "draft"}, {"visibility": "partners"}])
def test_hidden_or_unknown_event_is_a_json_404(client, make_event, fields):
    event = make_event(**fields)
    for slug in (event.slug, "no-such-event", "Weird Slug!"):
        response = client.get(f"/api/v1/events/{slug}")
        assert response.status_code == 404
        assert response.is_json
        assert response.get_json()["status"] == 404


def test_all_day_event_gives_its_local_days(client, make_event):
    local_midnight = datetime(datetime.now(UTC).year + 1, 5, 10, 22, 0, tzinfo=UTC)
    event = make_event(start=local_midnight, duration=timedelta(days=2), all_day=True)
    data = client.get(f"/api/v1/events/{event.slug}").get_json()["event"]
    assert data["all_day"] is True
    assert data["first_day"].endswith("-05-11") and data["last_day"].endswith("-05-12")


def test_list_costs_a_constant_number_of_queries(client, make_event, count_queries):
    make_event(region_codes=("HU",))
    with count_queries() as few:
        client.get("/api/v1/events")
    for _ in range(10):
        make_event(region_codes=("HU", "IT", "PL"))
    with count_queries() as many:
        assert len(client.get("/api/v1/events").get_json()["events"]) == 11
    assert len(many) == len(few)


def test_event_json_carries_the_texts_language_and_translations(client, make_event):
    make_event(
        slug="tradus",
        title="Export webinar",
        language="en",
        translations={"hu": {"title": "Export webinárium", "summary": ""}, "xx": "junk"},
    )
    data = client.get("/api/v1/events/tradus").json["event"]
    assert data["language"] == "en"
    assert data["translations"] == {"hu": {"title": "Export webinárium"}}
