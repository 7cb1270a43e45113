"""Polls in Chromium: the invitee's page and the organiser's pages pass axe at desktop
width and at 360 px, in English and Hungarian; answering works with and without JavaScript.
"""

# ruff: noqa: F811 - the axe fixtures are imported from the accessibility tests

from __future__ import annotations

from datetime import datetime, time, timedelta

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
from webapp.models import PartnerContact
from webapp.polls import services
from webapp.timezones import local_to_utc, utc_to_local, utcnow

pytestmark = pytest.mark.browser
TZ = "Europe/Budapest"


def at(days: int, hour: int) -> datetime:
    today = utc_to_local(utcnow(), TZ).date()
    return local_to_utc(datetime.combine(today + timedelta(days=days), time(hour)), TZ)


@pytest.fixture
def poll_site(make_partner, partner, make_user, regions):
    spanish = make_partner("ES", short_name="SODEBUR", name="SODEBUR")
    lithuanian = make_partner("LT", short_name="KID", name="Klaipeda ID")
    organiser = make_user(email="organiser@pannon.example", password=ORGANISER_PASSWORD)
    poll = services.create_poll(
        services.PollData(
            title="Steering group: action plans",
            kind="partner_meeting",
            timezone=TZ,
            duration_minutes=90,
            deadline_at=at(5, 17),
            partner=partner,
            starts=[at(12, 8), at(13, 10), at(14, 15)],
            description="Agenda: progress of each region's action plan.",
        ),
        actor=organiser,
    )
    invitees = {}
    for name, who, locale in (
        ("Anna Kovács", partner, "hu"),
        ("Carmen Ruiz", spanish, "es"),
        ("Jonas Petraitis", lithuanian, "lt"),
    ):
        invitees[name] = services.add_invitee(
            poll,
            name=name,
            email=f"{name.split()[0].lower()}@example.org",
            locale=locale,
            partner=who,
        )
    contact = PartnerContact(
        partner=lithuanian, name="Rūta Petraitė", email="ruta@kid.example", locale="lt"
    )
    db.session.add_all(
        [
            contact,
            PartnerContact(
                partner=spanish, name="Lucía Gómez", email="lucia@sodebur.example", locale="es"
            ),
        ]
    )
    services.add_partner_contacts(poll, [contact])
    slots = poll.slots
    services.save_answers(
        invitees["Carmen Ruiz"],
        {
            slots[0].id: services.AnswerData("no", "Too early in Burgos"),
            slots[1].id: services.AnswerData("yes"),
            slots[2].id: services.AnswerData("if_need_be"),
        },
    )
    db.session.commit()
    return {"poll": poll, "invitees": invitees, "organiser": organiser}


def no_horizontal_scroll(page) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{overflow}px of horizontal scrolling on {page.url}"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["en", "hu"])
def test_the_invitee_page_has_no_wcag_violations(
    visitor,
    poll_site,
    axe_script,
    lang,
    width,
):
    page = visitor(lang, width)
    invitee = poll_site["invitees"]["Jonas Petraitis"]
    response = page.goto(f"/polls/{invitee.token}")
    assert response.status == 200
    assert page.evaluate("document.documentElement.lang") == lang
    assert page.locator("fieldset legend").count() == 3
    no_horizontal_scroll(page)
    assert_no_violations(page, axe_script, f"poll answers ({lang}, {width})")

    # With JavaScript: each answer shows at once, and the count of answered times follows.
    page.locator("input[type=radio][value=yes]").first.check()
    progress = page.locator(".poll-progress")
    assert progress.is_visible()
    assert progress.text_content().strip().startswith(("1 ", "3 időpontból 1"))
    assert "poll-answer-yes" in page.locator(".poll-slot").first.get_attribute("class")
    page.locator("form.poll-answers button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".notice-success").count() == 1
    assert_no_violations(page, axe_script, f"poll answers saved ({lang}, {width})")


def test_answering_without_javascript(browser, live_server, poll_site):
    context = browser.new_context(
        base_url=live_server, java_script_enabled=False, viewport=WIDTHS["narrow"]
    )
    try:
        page = context.new_page()
        invitee = poll_site["invitees"]["Anna Kovács"]
        page.goto(f"/polls/{invitee.token}")
        page.locator("input[type=radio][value=if_need_be]").nth(1).check()
        page.locator("input[name^=comment-]").nth(1).fill("After lunch is better")
        page.locator("form.poll-answers button[type=submit]").click()
        page.wait_for_load_state()
        assert page.locator("input[type=radio][value=if_need_be]").nth(1).is_checked()
        assert page.locator("input[name^=comment-]").nth(1).input_value() == (
            "After lunch is better"
        )
    finally:
        context.close()
    db.session.expire_all()
    answers = {a.slot_id: (a.answer, a.comment) for a in invitee.answers}
    assert answers == {poll_site["poll"].slots[1].id: ("if_need_be", "After lunch is better")}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["en", "hu"])
def test_the_organiser_poll_pages_have_no_wcag_violations(
    visitor,
    poll_site,
    axe_script,
    lang,
    width,
):
    page = visitor(lang, width)
    _log_in(page, poll_site["organiser"])
    poll = poll_site["poll"]

    page.goto(f"/organiser/polls/{poll.id}")
    assert page.get_by_text("Carmen Ruiz").count() >= 1
    no_horizontal_scroll(page)
    assert_no_violations(page, axe_script, f"poll matrix ({lang}, {width})")
    # Inviting partner contacts: the people to pick open below the partners.
    page.locator("#invitees details summary").click()
    assert page.get_by_text("Lucía Gómez – SODEBUR").is_visible()
    no_horizontal_scroll(page)
    assert_no_violations(page, axe_script, f"poll contacts ({lang}, {width})")

    page.goto(f"/organiser/polls/{poll.id}/slots/{poll.slots[1].id}/choose")
    no_horizontal_scroll(page)
    assert_no_violations(page, axe_script, f"choose a time ({lang}, {width})")

    page.goto("/organiser/polls/")
    no_horizontal_scroll(page)
    assert_no_violations(page, axe_script, f"poll list ({lang}, {width})")

    page.goto("/organiser/polls/new")
    page.locator("input[name=title]").fill("Webinar rehearsal")
    page.locator("input[name=slots-0]").fill(
        utc_to_local(at(-1, 10), TZ).strftime("%Y-%m-%dT%H:%M")
    )
    page.locator("input[name=deadline_local]").fill(
        utc_to_local(at(1, 10), TZ).strftime("%Y-%m-%dT%H:%M")
    )
    page.locator(".form-actions button[name=save]").click()
    page.wait_for_selector("#error-summary")
    assert page.locator("#slots-0-error").count() == 1
    no_horizontal_scroll(page)
    assert_no_violations(page, axe_script, f"new poll with errors ({lang}, {width})")
