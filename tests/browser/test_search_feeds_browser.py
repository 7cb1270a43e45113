"""Search, the visitor's own time and the subscribe block, in Chromium."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility_browser import (
    WATCH_CSP,
    WIDTHS,
    assert_no_violations,
    axe_script,  # noqa: F401 (fixture)
)

pytestmark = pytest.mark.browser


@pytest.fixture
def webinar(make_event):
    start = datetime(2031, 3, 12, 10, 0, tzinfo=ZoneInfo("Europe/Vilnius"))
    return make_event(
        slug="port-logistics-webinar",
        title="Port logistics webinar from Klaipėda",
        start=start,
        timezone="Europe/Vilnius",
        kind="webinar",
        region_codes=("LT",),
        translations={"hu": {"title": "Kikötői logisztika webinárium"}},
    )


@pytest.fixture
def open_page(browser, live_server):
    contexts = []

    def opening(*, timezone: str = "America/New_York", lang: str = "en", **options):
        context = browser.new_context(
            base_url=live_server, timezone_id=timezone, locale="en-GB", **options
        )
        context.add_init_script(WATCH_CSP)
        context.add_cookies([{"name": "lang", "value": lang, "url": live_server}])
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context, context.new_page()

    yield opening
    for context in contexts:
        context.close()


def test_event_page_adds_the_visitors_own_time(open_page, webinar):
    _context, page = open_page(timezone="America/New_York")
    page.goto(f"/events/{webinar.slug}")
    # 10:00 in Vilnius (UTC+2 in March) is 04:00 in New York (UTC-4 from 8 March 2031).
    own = page.locator(".event-facts .your-time")
    assert "Your time" in own.inner_text() and "04:00" in own.inner_text()
    assert "America/New York" in own.inner_text()
    row = page.locator(".times-table .your-time-row")
    assert "America/New York" in row.inner_text() and "04:00" in row.inner_text()
    # The event's own zone and the regions' table stay.
    assert "Europe/Vilnius" in page.locator(".event-facts").inner_text()
    assert page.locator(".times-table tbody tr").count() == 6


def test_no_own_time_when_the_visitor_is_in_the_shown_zone(open_page, webinar, regions):
    _context, page = open_page(timezone="Europe/Vilnius")
    page.goto(f"/events/{webinar.slug}")
    assert page.locator(".your-time").count() == 0
    assert page.locator(".your-time-row").count() == 0
    # A region page shows the region's clock; Budapest visitors get their own line there.
    _context, page = open_page(timezone="Europe/Budapest")
    page.goto("/regions/LT")
    card = page.locator(".event-card").first
    assert "(Europe/Vilnius)" in card.inner_text() and "10:00" in card.inner_text()
    assert "09:00" in card.locator(".your-time").inner_text()


def test_without_javascript_the_zones_still_show(open_page, webinar):
    _context, page = open_page(java_script_enabled=False)
    page.goto(f"/events/{webinar.slug}")
    assert page.locator(".your-time").count() == 0
    assert "Europe/Vilnius" in page.locator(".event-facts").inner_text()
    assert page.locator(".times-table tbody tr").count() == 5
    # The copy button needs the script; the address stays selectable.
    page.goto("/?region=LT&kind=webinar")
    assert page.locator(".copy-button").is_hidden()
    assert (
        page.locator("#subscribe-catalogue-url")
        .input_value()
        .endswith("/calendar.ics?region=LT&kind=webinar")
    )


def test_search_and_subscribe_from_a_filtered_list(open_page, webinar, live_server):
    context, page = open_page()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page.goto("/?region=LT&kind=webinar")
    page.get_by_label("Search").fill("KLAIPEDA")
    page.get_by_role("button", name="Show events").click()
    page.wait_for_load_state()
    assert "q=KLAIPEDA" in page.url and "region=LT" in page.url
    assert page.get_by_role("link", name="Port logistics webinar from Klaipėda").count() == 1

    page.get_by_text("Subscribe to these events in your calendar").click()
    page.get_by_role("button", name="Copy address").click()
    # The copy is asynchronous: wait for the status line to say so.
    expect(page.locator(".copy-status")).to_have_text("Address copied.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == f"{live_server}/calendar.ics?region=LT&kind=webinar"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["en", "hu"])
def test_changed_pages_have_no_wcag_violations_and_fit_360_pixels(
    open_page,
    webinar,
    axe_script,  # noqa: F811 (the fixture imported above)
    lang,
    width,
):
    _context, page = open_page(lang=lang, viewport=WIDTHS[width])
    for path in ("/?region=LT&kind=webinar&q=klaipeda", "/regions/LT", f"/events/{webinar.slug}"):
        page.goto(path)
        for details in page.locator("details").all():
            details.evaluate("d => d.open = true")
        assert page.locator(".your-time").count() >= 1, path
        assert page.evaluate("document.scrollingElement.scrollWidth") <= WIDTHS[width]["width"]
        assert_no_violations(page, axe_script, f"{path} ({lang}, {width})")
