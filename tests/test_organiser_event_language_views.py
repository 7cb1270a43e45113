"""The original language of an event's texts, chosen in the organiser event form."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.test_organiser_events_views import edit_data, form_data
from webapp.extensions import db
from webapp.models import AuditEntry, Event, OutboxMessage
from webapp.organiser.event_languages import default_event_language, settle_original_language

HUNGARIAN = {
    "title": "Exportfelkészítő webinárium",
    "summary": "Hogyan készülnek fel a kkv-k az új piacokra.",
    "description": "Első rész.\n\nMásodik rész.",
}
ENGLISH = {
    "title": "Export readiness webinar",
    "summary": "How SMEs prepare for new markets.",
    "description": "Part one.\n\nPart two.",
}
LITHUANIAN = {
    "title": "Eksporto pasirengimo vebinaras",
    "summary": "Kaip MVĮ ruošiasi naujoms rinkoms.",
    "description": "Pirma dalis.\n\nAntra dalis.",
}


def translation_fields(code: str, texts: dict[str, str]) -> dict[str, str]:
    return {f"translations-{code}-{name}": value for name, value in texts.items()}


def selected_language(page: str) -> str | None:
    select = re.search(r'<select[^>]*name="language".*?</select>', page, re.S)
    assert select, "the form has no language select"
    chosen = re.search(r'<option[^>]*\bselected\b[^>]*value="(\w+)"', select.group(0))
    return chosen.group(1) if chosen else None


def translation_fieldset(page: str, code: str) -> str:
    match = re.search(rf'<fieldset lang="{code}" data-translation="{code}"[^>]*>', page)
    assert match, f"no {code} translation fieldset"
    return match.group(0)


def h1(page: str) -> str:
    return re.search(r"<h1[^>]*>.*?</h1>", page, re.S).group(0)


@pytest.fixture
def organiser(make_user, login):
    return login(make_user("organiser"))


# --- the rules -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_locale", "region_locale", "expected"),
    [
        ("en", "hu", "hu"),  # English is only the account default: the region decides
        ("it", "hu", "it"),  # a language the organiser chose comes first
        ("en", None, "en"),  # an administrator without a partner
        ("xx", "lt", "lt"),  # an unknown locale is ignored
        (None, None, "en"),
    ],
)
def test_new_events_propose_the_organisers_or_their_regions_language(
    user_locale, region_locale, expected
):
    assert default_event_language(user_locale, region_locale) == expected


def test_a_translation_repeating_the_original_is_dropped_a_different_one_kept():
    originals = {"title": "Cím", "summary": "Összefoglaló", "description": ""}
    same = {"hu": {"title": "Cím", "summary": "Összefoglaló"}, "en": {"title": "Title"}}
    assert settle_original_language(same, "hu", originals) == {"en": {"title": "Title"}}
    different = {"hu": {"title": "Másik cím"}, "en": {"title": "Title"}}
    assert settle_original_language(different, "hu", originals) == different


# --- the form ------------------------------------------------------------------------------


def test_new_event_form_proposes_the_regions_language_by_its_own_name(client, organiser):
    page = client.get("/organiser/events/new").get_data(as_text=True)
    assert "Language of the texts above" in page
    assert selected_language(page) == "hu"  # the organiser's partner is in Hungary
    for code, name in [("en", "English"), ("hu", "Magyar"), ("lt", "Lietuvių")]:
        assert re.search(rf'<option[^>]*lang="{code}"[^>]*>{name}</option>', page)
    # The original language is not offered as a translation; English is.
    assert " hidden" in translation_fieldset(page, "hu")
    assert " hidden" not in translation_fieldset(page, "en")
    assert 'name="translations-en-title"' in page


def test_an_organiser_who_chose_a_language_gets_it_proposed(client, make_user, login):
    login(make_user("organiser", locale="it"))
    page = client.get("/organiser/events/new").get_data(as_text=True)
    assert selected_language(page) == "it"


def test_hungarian_original_with_translations_reaches_every_visitor(client, organiser):
    data = form_data(
        language="hu",
        **HUNGARIAN,
        **translation_fields("en", ENGLISH),
        **translation_fields("lt", LITHUANIAN),
    )
    response = client.post("/organiser/events/new", data=data)
    event = db.session.scalar(db.select(Event))
    assert event is not None, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(f"/organiser/events/{event.id}")
    assert event.language == "hu"
    assert event.title == HUNGARIAN["title"]
    assert event.translations == {"en": ENGLISH, "lt": LITHUANIAN}
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r"<dt>Language of the texts</dt><dd>Hungarian\s*<br>", detail)
    assert "Translations: English, Lithuanian" in detail

    def visit(language: str) -> str:
        page = client.get(f"/events/{event.slug}", headers={"Accept-Language": language})
        assert page.status_code == 200
        return page.get_data(as_text=True)

    hungarian = visit("hu")
    assert h1(hungarian) == f"<h1>{HUNGARIAN['title']}</h1>"
    english = visit("en")
    assert h1(english) == f"<h1>{ENGLISH['title']}</h1>"
    assert "Part two." in english and "Második rész." not in english
    polish = visit("pl")  # no Polish translation: the original, marked as Hungarian
    assert h1(polish) == f'<h1 lang="hu">{HUNGARIAN["title"]}</h1>'
    assert f'<p class="lead" lang="hu">{HUNGARIAN["summary"]}</p>' in polish
    lithuanian = visit("lt")
    assert h1(lithuanian) == f"<h1>{LITHUANIAN['title']}</h1>"

    edit = client.get(f"/organiser/events/{event.id}/edit").get_data(as_text=True)
    assert selected_language(edit) == "hu"
    assert " hidden" not in translation_fieldset(edit, "en")
    assert ENGLISH["title"] in edit
    assert re.search(r'<input[^>]*lang="hu"[^>]*name="title"', edit)  # spell-checked as Hungarian


@pytest.mark.parametrize("value", ["xx", "", "hu-HU", "Magyar"])
def test_an_unknown_language_is_a_form_error_and_nothing_is_stored(client, organiser, value):
    response = client.post("/organiser/events/new", data=form_data(language=value))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Choose the language of the texts from the list." in page
    assert re.search(r'<select[^>]*aria-invalid="true"[^>]*name="language"', page)
    assert db.session.scalar(db.select(db.func.count()).select_from(Event)) == 0


def test_an_unknown_language_on_edit_changes_nothing(client, organiser, make_event):
    event = make_event(language="hu", title="Régi cím")
    response = client.post(
        f"/organiser/events/{event.id}/edit",
        data=edit_data(event, language="klingon", title="Új cím"),
    )
    assert response.status_code == 200
    assert "Choose the language of the texts from the list." in response.get_data(as_text=True)
    db.session.expire_all()
    assert (event.language, event.title) == ("hu", "Régi cím")


def test_a_form_without_the_language_keeps_the_events(client, organiser, make_event):
    event = make_event(language="lt")
    data = edit_data(event, summary="Naujas aprašymas")
    data.pop("language", None)
    client.post(f"/organiser/events/{event.id}/edit", data=data)
    db.session.expire_all()
    assert (event.language, event.summary) == ("lt", "Naujas aprašymas")


# --- changes -------------------------------------------------------------------------------


def age(event: Event) -> datetime:
    """Put the event's last change a day back; return that time."""
    old = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    db.session.execute(db.update(Event).where(Event.id == event.id).values(updated_at=old))
    db.session.commit()
    return old


@pytest.mark.parametrize(
    "change",
    [
        {"language": "hu"},
        {"language": "en", **translation_fields("pl", {"title": "Webinarium eksportowe"})},
    ],
    ids=["language", "translations"],
)
def test_language_or_translations_alone_touch_the_event_without_a_calendar_change(
    client, organiser, make_event, make_registration, change
):
    event = make_event(language="en", title="Export webinar", summary="For SMEs.")
    make_registration(event)
    old = age(event)
    response = client.post(f"/organiser/events/{event.id}/edit", data=edit_data(event, **change))
    assert response.headers["Location"].endswith(f"/organiser/events/{event.id}")
    db.session.expire_all()
    assert event.language == change["language"]
    assert event.sequence == 0  # subscribed calendars see nothing new to re-announce
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)) == 0
    assert event.updated_at > old  # but feeds and caches notice the event changed
    audit = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "event.updated"))
    assert audit is not None
    assert set(audit.details["changes"]) <= {"language", "translations"}


def test_changing_the_original_language_keeps_the_translations(client, organiser, make_event):
    event = make_event(
        language="en",
        title="Export webinar",
        summary="For SMEs.",
        translations={"hu": {"title": "Export webinárium"}, "lt": {"title": "Eksporto vebinaras"}},
    )
    data = edit_data(
        event,
        language="hu",
        title="Export webinárium",
        summary="Kkv-knak.",
        **translation_fields("hu", {"title": "Export webinárium"}),
        **translation_fields("lt", {"title": "Eksporto vebinaras"}),
        **translation_fields("en", {"title": "Export webinar", "summary": "For SMEs."}),
    )
    response = client.post(f"/organiser/events/{event.id}/edit", data=data)
    assert response.headers["Location"].endswith(f"/organiser/events/{event.id}")
    db.session.expire_all()
    assert event.language == "hu"
    # The Hungarian entry only repeated the new original texts, so it is gone.
    assert event.translations == {
        "en": {"title": "Export webinar", "summary": "For SMEs."},
        "lt": {"title": "Eksporto vebinaras"},
    }
    followed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "translation is kept because it differs" not in followed


def test_a_different_translation_into_the_new_original_language_is_kept_with_a_notice(
    client, organiser, make_event
):
    event = make_event(
        language="en",
        title="Export webinar",
        translations={"hu": {"title": "Export webinárium", "summary": "Kkv-knak."}},
    )
    data = edit_data(event, language="hu", **translation_fields("hu", event.translations["hu"]))
    response = client.post(f"/organiser/events/{event.id}/edit", data=data, follow_redirects=True)
    page = response.get_data(as_text=True)
    db.session.expire_all()
    assert event.language == "hu"
    assert event.translations == {"hu": {"title": "Export webinárium", "summary": "Kkv-knak."}}
    assert "The Hungarian translation is kept because it differs from the texts above" in page
    # Hungarian visitors see the original; the form shows the kept text to empty it.
    public = client.get(f"/events/{event.slug}", headers={"Accept-Language": "hu"})
    assert h1(public.get_data(as_text=True)) == "<h1>Export webinar</h1>"
    edit = client.get(f"/organiser/events/{event.id}/edit").get_data(as_text=True)
    assert " hidden" not in translation_fieldset(edit, "hu")
    assert "The Hungarian translation is kept because it differs" in edit
    # Emptying it removes it.
    data = edit_data(event, language="hu", **translation_fields("hu", {"title": "", "summary": ""}))
    client.post(f"/organiser/events/{event.id}/edit", data=data)
    db.session.expire_all()
    assert event.translations == {}


def test_duplicate_keeps_the_language_and_translations(client, organiser, make_event):
    event = make_event(language="lt", title="Vebinaras", translations={"en": {"title": "Webinar"}})
    response = client.post(f"/organiser/events/{event.id}/duplicate")
    copy = db.session.scalar(db.select(Event).where(Event.id != event.id))
    assert response.headers["Location"].endswith(f"/organiser/events/{copy.id}/edit")
    assert copy.language == "lt"
    assert copy.translations == {"en": {"title": "Webinar"}}
    page = client.get(f"/organiser/events/{copy.id}/edit").get_data(as_text=True)
    assert selected_language(page) == "lt"
