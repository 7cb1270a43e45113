"""The public catalogue, event and region pages, the health check and error pages."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import OperationalError

from webapp.extensions import db


def test_catalogue_lists_upcoming_public_events(client, make_event):
    make_event(title="Digitalisation webinar", kind="webinar")
    make_event(title="Draft idea", status="draft")
    make_event(title="Partners only", visibility="partners")
    make_event(title="Last year", start=timedelta(days=-300))
    page = client.get("/").get_data(as_text=True)
    assert "Digitalisation webinar" in page
    assert "Stakeholder webinar" in page
    assert "Draft idea" not in page
    assert "Partners only" not in page
    assert "Last year" not in page
    assert "1 event found" in page


def test_catalogue_card_shows_format_regions_and_seats(client, make_event, make_registration):
    event = make_event(
        title="Blue economy", capacity=10, region_codes=("LT", "PL"), format="hybrid"
    )
    for _ in range(3):
        make_registration(event)
    make_registration(event, status="waitlisted")
    page = client.get("/").get_data(as_text=True)
    assert "7 seats left" in page
    assert "Hybrid (on site and online)" in page
    assert ">LT</abbr>" in page and ">PL</abbr>" in page


def test_catalogue_full_event_and_unlimited(client, make_event, make_registration):
    full = make_event(title="Full", capacity=1)
    make_registration(full)
    make_event(title="Open", capacity=None)
    page = client.get("/").get_data(as_text=True)
    assert "Full – waiting list" in page
    assert "No seat limit" in page


def test_catalogue_never_shows_join_links(client, make_event):
    make_event(online_url="https://meet.jit.si/very-secret-room")
    assert "very-secret-room" not in client.get("/").get_data(as_text=True)


def test_filters_region_kind_when_and_search(client, make_event):
    make_event(title="Hungarian webinar", region_codes=("HU",), kind="webinar")
    make_event(title="Lithuanian visit", region_codes=("LT",), kind="study_visit")
    make_event(
        title="Past meeting",
        region_codes=("LT",),
        kind="partner_meeting",
        start=timedelta(days=-20),
    )

    page = client.get("/?region=LT").get_data(as_text=True)
    assert "Lithuanian visit" in page and "Hungarian webinar" not in page
    page = client.get("/?region=lt").get_data(as_text=True)  # codes are case-insensitive
    assert "Lithuanian visit" in page and "Hungarian webinar" not in page
    page = client.get("/?kind=webinar").get_data(as_text=True)
    assert "Hungarian webinar" in page and "Lithuanian visit" not in page
    page = client.get("/?when=past").get_data(as_text=True)
    assert "Past meeting" in page and "Lithuanian visit" not in page
    page = client.get("/?q=lithuanian").get_data(as_text=True)
    assert "Lithuanian visit" in page and "Hungarian webinar" not in page
    page = client.get("/?q=PANNON").get_data(as_text=True)  # host partner name
    assert "Lithuanian visit" in page and "Hungarian webinar" in page


def test_search_treats_wildcards_literally(client, make_event):
    make_event(title="Growth 100% guaranteed")
    make_event(title="Growth plans")
    page = client.get("/?q=100%25").get_data(as_text=True)
    assert "Growth 100% guaranteed" in page and "Growth plans" not in page
    page = client.get("/?q=%25").get_data(as_text=True)
    assert "Growth plans" not in page


def test_empty_result_says_so(client, make_event):
    make_event(title="Something")
    page = client.get("/?q=nothing-matches-this").get_data(as_text=True)
    assert "No events match these filters." in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("region=XX", "There is no region “XX”"),
        ("kind=party", "Unknown kind of event"),
        ("when=tomorrow", "“When” must be upcoming or past"),
        ("page=abc", "That page number does not exist"),
        ("page=-3", "That page number does not exist"),
        ("page=99999999999999999999", "That page number does not exist"),
        ("q=" + "x" * 5000, "The search text was shortened"),
    ],
)
def test_bad_filters_get_a_clear_message_not_an_error(client, make_event, query, message):
    make_event(title="Still listed")
    response = client.get(f"/?{query}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page


def test_page_past_the_end_is_empty_with_a_way_back(client, make_event):
    make_event()
    page = client.get("/?page=500").get_data(as_text=True)
    assert "There are no events on this page." in page


def test_pagination(app, client, make_event):
    app.config["EVENTS_PER_PAGE"] = 2
    for day in range(1, 6):
        make_event(title=f"Webinar day {day}", start=timedelta(days=day))
    first = client.get("/").get_data(as_text=True)
    assert "Webinar day 1" in first and "Webinar day 3" not in first
    assert "Page 1 of 3" in first and 'rel="next"' in first
    third = client.get("/?page=3").get_data(as_text=True)
    assert "Webinar day 5" in third and 'rel="prev"' in third and 'rel="next"' not in third


def test_event_page_shows_times_in_every_region(client, make_event):
    start = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # 10:00 in Budapest
    make_event(
        slug="digital-webinar",
        start=start,
        timezone="Europe/Budapest",
        title="Digital webinar",
        description="First paragraph.\n\nSecond paragraph.",
    )
    response = client.get("/events/digital-webinar")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Digital webinar" in page
    assert "Second paragraph." in page
    assert "PANNON EGTC" in page
    for code_zone in (
        "Europe/Budapest",
        "Europe/Rome",
        "Europe/Warsaw",
        "Europe/Madrid",
        "Europe/Vilnius",
    ):
        assert code_zone in page
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    by_zone = {row.split('<span class="muted">')[1].split("<")[0]: row for row in rows}
    assert "10:00" in by_zone["Europe/Budapest"]
    assert "Wed 2 Dec 11:00" in by_zone["Europe/Vilnius"]
    assert "10:00" in by_zone["Europe/Madrid"]


def test_event_page_hides_join_link_and_shows_venue(client, make_event):
    make_event(
        slug="visit",
        format="onsite",
        venue="Science Park",
        address="Lypkių g. 17",
        online_url="https://meet.jit.si/never-public",
    )
    page = client.get("/events/visit").get_data(as_text=True)
    assert "Science Park" in page and "Lypkių g. 17" in page
    assert "never-public" not in page


def test_cancelled_event_shows_banner(client, make_event):
    make_event(slug="called-off", status="cancelled")
    page = client.get("/events/called-off").get_data(as_text=True)
    assert "This event has been cancelled." in page


@pytest.mark.parametrize("fields", [{"status": "draft"}, {"visibility": "partners"}])
def test_hidden_events_are_404(client, make_event, fields):
    make_event(slug="hidden", **fields)
    response = client.get("/events/hidden")
    assert response.status_code == 404
    assert "We could not find that page." in response.get_data(as_text=True)


# A NUL byte ("/events/%00") is a 400 before routing: tests/test_input_hygiene_views.py.
@pytest.mark.parametrize(
    "path",
    ["/events/unknown", "/events/Bad.Slug", "/events/a--b", "/events/%01", "/events/" + "a" * 500],
)
def test_unknown_or_malformed_slugs_are_404(client, regions, path):
    assert client.get(path).status_code == 404


def test_region_page_lists_partners_and_events(client, make_event, make_partner):
    make_partner("LT", short_name="Klaipeda ID", name="Klaipeda ID agency")
    make_event(title="Blue economy", region_codes=("LT",))
    make_event(title="Burgos only", region_codes=("ES",))
    make_event(title="Old Klaipėda visit", region_codes=("LT",), start=timedelta(days=-40))
    page = client.get("/regions/LT").get_data(as_text=True)
    assert "Klaipeda ID agency" in page
    assert "Blue economy" in page and "Burgos only" not in page
    assert "Old Klaipėda visit" not in page
    past = client.get("/regions/lt?when=past").get_data(as_text=True)
    assert "Old Klaipėda visit" in past


def test_unknown_region_is_404(client, regions):
    assert client.get("/regions/XX").status_code == 404
    assert client.get("/regions/" + "X" * 300).status_code == 404


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_503_when_database_unreachable(client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


def test_405_page_is_styled(client, regions):
    response = client.post("/")
    assert response.status_code == 405
    assert "This address does not accept that kind of request." in response.get_data(as_text=True)


def test_500_page_is_styled_without_a_stack_trace(app, client, regions, monkeypatch):
    def kaput(*args, **kwargs):
        raise RuntimeError("kaput")

    monkeypatch.setattr("webapp.public.views.catalogue_page", kaput)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Something went wrong on our side." in page
    assert "kaput" not in page and "Traceback" not in page


def test_pages_have_landmarks_and_skip_link(client, make_event):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert 'href="#main"' in page and '<main id="main"' in page
    assert "<nav" in page and "<footer" in page


def test_catalogue_query_count_is_constant(client, make_event, make_registration, count_queries):
    def queries_for_catalogue():
        with count_queries() as statements:
            assert client.get("/").status_code == 200
        return len(statements)

    for _ in range(2):
        event = make_event(region_codes=("HU", "LT"), capacity=30)
        make_registration(event)
    few = queries_for_catalogue()
    for _ in range(10):
        event = make_event(region_codes=("IT", "ES", "PL"), capacity=30)
        for _ in range(3):
            make_registration(event)
    many = queries_for_catalogue()
    assert few == many


def test_event_page_query_count_is_constant(client, make_event, make_registration, count_queries):
    event = make_event(slug="popular", capacity=500, region_codes=("HU", "IT", "PL", "ES", "LT"))
    with count_queries() as statements:
        client.get("/events/popular")
    few = len(statements)
    for _ in range(25):
        make_registration(event)
    with count_queries() as statements:
        client.get("/events/popular")
    assert len(statements) == few
