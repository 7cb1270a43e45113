"""Partner meeting pages pass axe at desktop width and at 360 px, in English and
Hungarian, without horizontal scrolling; the invitee answers with the keyboard."""

from __future__ import annotations

import pytest

from tests.browser import test_accessibility_browser as accessibility
from tests.browser.test_accessibility_browser import _log_in, assert_no_violations

# The accessibility tests' fixtures: axe-core, and a page in a language and at a width.
axe_script = accessibility.axe_script
visitor = accessibility.visitor

pytestmark = pytest.mark.browser
ORGANISER_PASSWORD = "correct horse battery"


@pytest.fixture
def meetings(make_event, make_user, partner, make_partner):
    from webapp.extensions import db
    from webapp.models import EventSeries, Invitation, PartnerContact

    series = EventSeries(title="Steering committee", rule="dates", timezone="Europe/Budapest")
    first = make_event(
        slug="steering-1",
        title="Steering committee",
        kind="partner_meeting",
        visibility="partners",
        series=series,
        description="Budget review.\n\nNext study visits.",
    )
    second = make_event(
        slug="steering-2",
        title="Steering committee",
        kind="partner_meeting",
        visibility="partners",
        series=series,
    )
    unlisted = make_event(slug="closed-workshop", title="Closed workshop", visibility="unlisted")
    lithuanian = make_partner("LT", short_name="KID", name="Klaipeda ID")
    anna = PartnerContact(
        partner=partner,
        name="Anna Tóth",
        email="anna@pannon.example",
        role="Project manager",
        locale="hu",
    )
    ruta = PartnerContact(
        partner=lithuanian, name="Rūta Petraitė", email="ruta@kid.example", locale="lt"
    )
    invitation = Invitation(event=first, contact=anna, answer="maybe", comment="Maybe by phone")
    db.session.add_all(
        [invitation, Invitation(event=second, contact=anna), Invitation(event=first, contact=ruta)]
    )
    db.session.commit()
    organiser = make_user(email="organiser@pannon.example", password=ORGANISER_PASSWORD)
    return {
        "first": first,
        "unlisted": unlisted,
        "invitation": invitation,
        "organiser": organiser,
        "partner": partner,
    }


def _check(page, axe_script, what):
    assert_no_violations(page, axe_script, what)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), what


@pytest.mark.parametrize("width", ["desktop", "narrow"])
@pytest.mark.parametrize("lang", ["en", "hu"])
def test_invitee_and_unlisted_pages(visitor, axe_script, meetings, lang, width):
    page = visitor(lang, width)
    token = meetings["invitation"].token
    page.goto(f"/invitations/{token}")
    _check(page, axe_script, "invitation page")
    page.goto("/invitations/not-a-real-token-at-all")
    _check(page, axe_script, "invalid invitation")
    page.goto(f"/events/{meetings['unlisted'].slug}")
    _check(page, axe_script, "unlisted event page")


@pytest.mark.parametrize("width", ["desktop", "narrow"])
def test_invitee_answers_and_sees_errors(visitor, axe_script, meetings, width):
    page = visitor("en", width)
    token = meetings["invitation"].token
    page.goto(f"/invitations/{token}")
    # What an older browser without maxlength would send.
    page.evaluate("document.getElementById('comment').removeAttribute('maxlength')")
    page.locator("#comment").fill("x" * 1001)
    page.get_by_role("button", name="Change my answer").click()
    page.wait_for_load_state()
    assert page.locator(".error-summary").is_visible()
    _check(page, axe_script, "invitation page with errors")
    page.get_by_label("I will attend").check()
    page.locator("#comment").fill("Coming")
    page.get_by_role("button", name="Change my answer").press("Enter")
    page.wait_for_load_state()
    assert "a seat is yours" in page.locator(".flashes").inner_text()
    assert page.locator("a.join-link").is_visible()


@pytest.mark.parametrize("width", ["desktop", "narrow"])
@pytest.mark.parametrize("lang", ["en", "hu"])
def test_organiser_pages(visitor, axe_script, meetings, lang, width):
    page = visitor(lang, width)
    _log_in(page, meetings["organiser"])
    event_id = meetings["first"].id
    partner_id = meetings["partner"].id
    for url, what in (
        (f"/organiser/events/{event_id}", "partners meeting"),
        (f"/organiser/events/{event_id}/invitations", "invitations"),
        (f"/organiser/partners/{partner_id}/contacts", "contacts"),
        (f"/organiser/events/{meetings['unlisted'].id}/series/new", "series form"),
        (f"/organiser/events/{event_id}/edit", "event form in a series"),
    ):
        page.goto(url)
        _check(page, axe_script, what)


def test_contact_import_errors_pass_axe(visitor, axe_script, meetings, tmp_path):
    page = visitor("en", "narrow")
    _log_in(page, meetings["organiser"])
    page.goto(f"/organiser/partners/{meetings['partner'].id}/contacts")
    bad = tmp_path / "contacts.csv"
    bad.write_text("name,email\nBea,not-an-address\n", encoding="utf-8")
    page.locator("input[type=file]").set_input_files(str(bad))
    page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_load_state()
    assert "Row 2" in page.locator("#import-errors").inner_text()
    _check(page, axe_script, "contact import errors")
