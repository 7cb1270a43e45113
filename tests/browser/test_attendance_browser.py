"""An organiser checks people in on a phone-sized screen and the counts follow."""

from __future__ import annotations

from datetime import timedelta

import pytest

from webapp.extensions import db
from webapp.models import Attendance

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def running_event(make_event, make_registration):
    event = make_event(
        start=timedelta(minutes=-20),
        duration=timedelta(hours=3),
        format="onsite",
        title="Klaipėda port study visit",
    )
    for name, email in [
        ("Anna Kovács", "anna@pannon.example"),
        ("Marco Rossi", "marco@lombardia.example"),
        ("Žydrūnas Petrauskas", "zydrunas@klaipeda.example"),
    ]:
        make_registration(event, name=name, email=email)
    return event


def log_in(page, user):
    page.goto("/organiser/login")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/organiser/")


def count(page, key: str) -> str:
    return page.locator(f'[data-count="{key}"]').inner_text()


@pytest.fixture
def phone(browser, live_server):
    """A touch screen 360 CSS pixels wide, as on a small Android phone."""
    context = browser.new_context(
        base_url=live_server, locale="en-GB", viewport=PHONE, has_touch=True, is_mobile=True
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_two_check_ins_on_a_phone_update_the_counts_in_place(phone, make_user, running_event):
    page = phone
    log_in(page, make_user(password=PASSWORD))
    page.goto(f"/organiser/events/{running_event.id}/attendance")
    assert count(page, "present") == "0" and count(page, "unmarked") == "3"
    # Nothing wider than the phone: no sideways scrolling to reach the buttons.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    url_before = page.url
    page.get_by_role("button", name="Present: Anna Kovács").tap()
    page.locator('[data-count="present"]', has_text="1").wait_for()
    page.get_by_label("Find a person").fill("x")  # the page was not reloaded: typed text stays
    page.get_by_role("button", name="Present: Žydrūnas Petrauskas").tap()
    page.locator('[data-count="present"]', has_text="2").wait_for()
    assert count(page, "unmarked") == "1"
    assert page.url == url_before
    assert page.get_by_label("Find a person").input_value() == "x"
    anna = page.locator(".checkin-row", has_text="Anna Kovács")
    assert anna.get_attribute("data-status") == "present"
    assert (
        anna.get_by_role("button", name="Present: Anna Kovács").get_attribute("aria-pressed")
        == "true"
    )
    assert page.get_by_role("status").filter(has_text="marked present").count() == 1

    # Undo Anna's mark: the count goes back down.
    anna.get_by_role("button", name="Undo: Anna Kovács").tap()
    page.locator('[data-count="present"]', has_text="1").wait_for()
    assert anna.get_attribute("data-status") == "unmarked"

    stored = {a.registration.name: a.status for a in db.session.scalars(db.select(Attendance))}
    assert stored == {"Žydrūnas Petrauskas": "present"}


def test_check_in_works_without_javascript(browser, live_server, make_user, running_event):
    context = browser.new_context(
        base_url=live_server, java_script_enabled=False, viewport=PHONE, has_touch=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        log_in(page, make_user(password=PASSWORD))
        page.goto(f"/organiser/events/{running_event.id}/attendance")
        page.get_by_role("button", name="Present: Marco Rossi").click()
        page.wait_for_url("**/attendance?day=*#person-*")
        assert count(page, "present") == "1"
        assert page.get_by_text("Marco Rossi is marked present.").is_visible()
    finally:
        context.close()
