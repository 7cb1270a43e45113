"""An organiser of a Hungarian partner writes an event in Hungarian and translates it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from webapp.extensions import db
from webapp.models import Event

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


def test_the_translation_fieldsets_follow_the_chosen_original_language(
    page, live_server, make_user, regions
):
    organiser = make_user("organiser", password=PASSWORD)  # of PANNON, in Hungary
    day = (datetime.now(UTC) + timedelta(days=30)).date()
    page.goto("/organiser/login")
    page.get_by_label("E-mail address").fill(organiser.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/organiser/")

    page.goto("/organiser/events/new")
    language = page.get_by_label("Language of the texts above")
    assert language.input_value() == "hu"  # the region's language is proposed
    page.get_by_text("Title, summary and description in other languages").click()
    assert page.get_by_label("Title in English").is_visible()
    assert not page.get_by_label("Title in Hungarian").is_visible()

    # Writing in English instead: Hungarian becomes a translation, English does not.
    language.select_option("en")
    assert page.get_by_label("Title in Hungarian").is_visible()
    assert not page.get_by_label("Title in English").is_visible()
    assert page.get_by_label("Title (required)").get_attribute("lang") == "en"

    # Back to Hungarian, with an English and a Lithuanian translation.
    language.select_option("hu")
    assert page.get_by_label("Title (required)").get_attribute("lang") == "hu"
    page.get_by_label("Title (required)").fill("Exportfelkészítő webinárium")
    page.get_by_label("Title in English").fill("Export readiness webinar")
    page.get_by_label("Title in Lithuanian").fill("Eksporto pasirengimo vebinaras")
    page.get_by_label("Starts").fill(f"{day.isoformat()}T10:00")
    page.get_by_label("Ends").fill(f"{day.isoformat()}T11:00")
    page.get_by_label("Join link").fill("https://meet.jit.si/InterVenturesLanguageTest42")
    page.get_by_role("button", name="Save", exact=True).last.click()
    page.wait_for_url("**/organiser/events/*")

    event = db.session.scalar(db.select(Event))
    assert event.language == "hu"
    assert event.translations == {
        "en": {"title": "Export readiness webinar"},
        "lt": {"title": "Eksporto pasirengimo vebinaras"},
    }
