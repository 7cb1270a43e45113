"""A stakeholder browses the catalogue in Chromium."""

from datetime import timedelta

import pytest

pytestmark = pytest.mark.browser


def test_filter_by_region_and_open_an_event(page, make_event):
    make_event(title="Blue economy pitch day", region_codes=("LT",), slug="blue-economy")
    make_event(title="Rural SMEs training", region_codes=("ES",), start=timedelta(days=3))
    page.goto("/")
    assert page.locator("h1").inner_text() == "Upcoming events"
    page.get_by_label("Region").select_option("LT")
    page.get_by_role("button", name="Show events").click()
    page.wait_for_url("**/?*region=LT*")
    assert page.get_by_role("link", name="Blue economy pitch day").is_visible()
    assert page.get_by_text("Rural SMEs training").count() == 0
    page.get_by_role("link", name="Blue economy pitch day").click()
    page.wait_for_url("**/events/blue-economy")
    assert page.get_by_role("heading", name="Local time in each region").is_visible()


def test_skip_link_moves_focus_to_main_content(page, make_event):
    make_event()
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert "Skip to main content" in focused
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_layout_works_at_320_pixels(page, make_event):
    make_event(title="A webinar with a rather long title about digital internationalisation")
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/")
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert overflow is False
