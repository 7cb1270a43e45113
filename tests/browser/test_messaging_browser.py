"""The message composer, a sent message, and the change and cancel pages' notice choices
in Chromium: no axe violations in English and Hungarian, at desktop width and at 360 px
(nothing wider than the screen)."""

# ruff: noqa: F811 - the axe fixtures are imported from the accessibility tests

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.browser.test_accessibility_browser import (  # noqa: F401
    ORGANISER_PASSWORD,
    WIDTHS,
    _log_in,
    assert_no_violations,
    axe_script,
    visitor,
)
from webapp.extensions import db
from webapp.models import Message, OutboxMessage

pytestmark = pytest.mark.browser


@pytest.fixture
def composer_site(make_event, make_registration, make_user, regions):
    event = make_event(
        title="Blue economy pitch day in Klaipėda",
        start=datetime(2031, 6, 2, 8, 0, tzinfo=UTC),
        timezone="Europe/Vilnius",
        region_codes=("LT", "PL"),
    )
    make_registration(event, name="Rasa Petrauskienė", locale="lt", region=regions["LT"])
    make_registration(event, name="Piotr Nowak", locale="pl", region=regions["PL"])
    make_registration(event, name="Anna Kovács", status="waitlisted", locale="hu")
    organiser = make_user(email="organiser@pannon.example", password=ORGANISER_PASSWORD)
    return {"event": event, "organiser": organiser}


def fits_the_screen(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["en", "hu"])
def test_composer_preview_and_sent_message_pass_axe(
    visitor, composer_site, axe_script, lang, width
):
    event = composer_site["event"]
    page = visitor(lang, width)
    _log_in(page, composer_site["organiser"])
    page.goto(f"/organiser/events/{event.id}/messages")
    assert page.url.endswith("/messages"), "the organiser is not logged in"
    assert fits_the_screen(page)
    assert_no_violations(page, axe_script, f"composer ({lang}, {width})")

    # A placeholder that does not exist: the error next to the field, nothing sent.
    page.locator("#subject").fill("Arrival")
    page.locator("#body").fill("Hello {firstname}")
    page.locator("button[name=preview]").click()
    page.wait_for_selector("#error-summary")
    assert page.locator("#body-error").is_visible()
    assert_no_violations(page, axe_script, f"composer with an error ({lang}, {width})")

    page.locator("#body").fill("Hello {name}, we start at {event_time}.")
    page.locator("summary").filter(
        has_text="Translations" if lang == "en" else "Fordítások"
    ).click()
    page.locator("#translations-lt-subject").fill("Atvykimas")
    page.locator("#translations-lt-body").fill("Sveiki, {name}, pradedame {event_time}.")
    page.locator("button[name=preview]").click()
    page.wait_for_selector(".message-preview")
    page.wait_for_load_state()  # the style sheet applied before measuring
    assert "Sveiki, Rasa Petrauskienė" in page.locator(".message-preview").inner_text()
    assert fits_the_screen(page)
    assert_no_violations(page, axe_script, f"composer preview ({lang}, {width})")

    page.locator("button[name=send]").click()
    page.wait_for_url("**/messages/*")
    page.wait_for_load_state()
    assert fits_the_screen(page)
    assert_no_violations(page, axe_script, f"sent message ({lang}, {width})")
    message = db.session.scalar(db.select(Message))
    assert message.recipient_count == 2
    assert (
        db.session.scalar(
            db.select(db.func.count(OutboxMessage.id)).where(
                OutboxMessage.kind == "organiser_message"
            )
        )
        == 2
    )


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["en", "hu"])
def test_edit_and_cancel_pages_with_notice_choices_pass_axe(
    visitor, composer_site, axe_script, lang, width
):
    event = composer_site["event"]
    page = visitor(lang, width)
    _log_in(page, composer_site["organiser"])
    page.goto(f"/organiser/events/{event.id}/edit")
    assert page.locator("input[name=notify_registrants]").count() == 2
    assert page.locator("#change_note").is_visible()
    assert_no_violations(page, axe_script, f"event form with notice ({lang}, {width})")
    page.goto(f"/organiser/events/{event.id}/cancel")
    assert page.locator("input[name=notify]").count() == 2
    assert fits_the_screen(page)
    assert_no_violations(page, axe_script, f"cancel page ({lang}, {width})")
