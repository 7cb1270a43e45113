"""Languages: which one a visitor gets, the switcher, localised dates and event texts."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask_babel import force_locale

from webapp.formatting import date_and_time, event_when, local_date_and_time
from webapp.i18n import LOCALE_COOKIE, choose_locale
from webapp.urls import safe_next

SUPPORTED = ("en", "hu", "it", "pl", "es", "lt")


def html_lang(response) -> str:
    match = re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True))
    assert match, "the page has no <html lang>"
    return match.group(1)


# --- negotiation order: cookie > Accept-Language > region > English ----------------------


@pytest.mark.parametrize(
    ("chosen", "accept", "region", "expected"),
    [
        ("pl", "hu", "lt", "pl"),
        (None, "hu", "lt", "hu"),
        (None, None, "lt", "lt"),
        (None, None, None, "en"),
        ("xx", None, "it", "it"),
        (None, "es-ES", None, "es"),
    ],
)
def test_choose_locale_prefers_choice_then_browser_then_region(chosen, accept, region, expected):
    assert (
        choose_locale(chosen=chosen, accept_match=accept, region_locale=region, supported=SUPPORTED)
        == expected
    )


def test_a_browser_without_language_preference_gets_english(client, regions):
    response = client.get("/")
    assert html_lang(response) == "en"
    assert "Upcoming events" in response.get_data(as_text=True)


def test_accept_language_selects_the_page_language(client, regions):
    response = client.get("/", headers={"Accept-Language": "hu-HU,hu;q=0.9,en;q=0.5"})
    assert html_lang(response) == "hu"
    assert "Közelgő események" in response.get_data(as_text=True)
    assert "Accept-Language" in response.headers["Vary"]


def test_an_unsupported_browser_language_falls_back_to_english(client, regions):
    response = client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert html_lang(response) == "en"


def test_the_switcher_cookie_beats_the_browser_language(client, regions):
    client.set_cookie(LOCALE_COOKIE, "pl")
    response = client.get("/", headers={"Accept-Language": "hu"})
    assert html_lang(response) == "pl"
    assert "Nadchodzące wydarzenia" in response.get_data(as_text=True)


def test_an_unknown_cookie_value_is_ignored(client, regions):
    client.set_cookie(LOCALE_COOKIE, "xx")
    assert html_lang(client.get("/", headers={"Accept-Language": "es"})) == "es"


def test_a_region_page_is_in_the_region_language_when_the_browser_says_nothing(client, regions):
    response = client.get("/regions/LT")
    assert html_lang(response) == "lt"
    assert "Partneriai šiame regione" in response.get_data(as_text=True)
    assert html_lang(client.get("/regions/it")) == "it"


def test_the_browser_language_beats_the_region_language(client, regions):
    assert html_lang(client.get("/regions/LT", headers={"Accept-Language": "en"})) == "en"


def test_a_catalogue_filtered_to_one_region_uses_its_language(client, regions):
    assert html_lang(client.get("/?region=HU")) == "hu"


def test_the_error_page_is_translated(client, regions):
    response = client.get("/events/no-such-event", headers={"Accept-Language": "lt"})
    assert response.status_code == 404
    assert html_lang(response) == "lt"
    assert "Klaida 404" in response.get_data(as_text=True)


# --- the switcher ----------------------------------------------------------------------


def test_switching_language_sets_the_cookie_and_returns_to_the_page(client, make_event):
    event = make_event(slug="blue-economy")
    response = client.get("/language/lt?next=/events/blue-economy")
    assert response.status_code == 303
    assert response.headers["Location"] == "/events/blue-economy"
    cookie = client.get_cookie(LOCALE_COOKIE)
    assert cookie is not None and cookie.value == "lt"
    page = client.get(f"/events/{event.slug}")
    assert html_lang(page) == "lt"


def test_switching_keeps_the_query_string(client, regions):
    response = client.get("/language/es", query_string={"next": "/?region=ES&kind=webinar"})
    assert response.headers["Location"] == "/?region=ES&kind=webinar"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", ""],
)
def test_switching_never_redirects_off_the_site(client, regions, target):
    response = client.get("/language/hu", query_string={"next": target})
    assert response.headers["Location"] == "/"


def test_safe_next_rejects_control_characters():
    assert safe_next("/events/x\r\nSet-Cookie: a=b") == "/"
    assert safe_next("/events/x") == "/events/x"


def test_an_unknown_language_is_a_404_and_sets_nothing(client, regions):
    response = client.get("/language/de?next=/")
    assert response.status_code == 404
    assert client.get_cookie(LOCALE_COOKIE) is None


def test_every_page_offers_every_language_in_its_own_name(client, make_event):
    make_event(slug="pitch-day")
    body = client.get("/events/pitch-day", headers={"Accept-Language": "it"}).get_data(as_text=True)
    assert '<nav class="language-switcher" aria-label="Lingua">' in body
    for code, name in [("en", "English"), ("hu", "Magyar"), ("lt", "Lietuvių")]:
        assert re.search(
            rf'<a href="/language/{code}\?next=/events/pitch-day" lang="{code}" '
            rf'hreflang="{code}"[^>]*>{name}</a>',
            body,
        )
    assert re.search(r'hreflang="it"[^>]*aria-current="true"', body)


# --- dates, times and time-zone names per locale ---------------------------------------

DEC_2_10AM_BUDAPEST = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "2 December 2026, 10:00"),
        ("hu", "2026. december 2., 10:00"),
        ("it", "2 dicembre 2026 10:00"),
        ("pl", "2 grudnia 2026 10:00"),
        ("es", "2 de diciembre de 2026, 10:00"),
        ("lt", "2026 m. gruodžio 2 d. 10:00"),
    ],
)
def test_date_and_time_follow_the_locale(app, locale, expected):
    with app.test_request_context(), force_locale(locale):
        assert local_date_and_time(DEC_2_10AM_BUDAPEST, "Europe/Budapest") == expected


def test_a_multi_day_event_reads_naturally_in_polish(app, make_event):
    event = make_event(
        start=datetime(2026, 12, 2, 9, 0, tzinfo=UTC),
        duration=datetime(2026, 12, 4, 15, 0, tzinfo=UTC) - datetime(2026, 12, 2, 9, 0, tzinfo=UTC),
        timezone="Europe/Warsaw",
    )
    with app.test_request_context(), force_locale("pl"):
        assert event_when(event) == "2 grudnia 2026 10:00 – 4 grudnia 2026 16:00"
        assert date_and_time(event.local_starts_at) == "2 grudnia 2026 10:00"


def test_event_page_shows_dates_and_zone_names_in_the_visitor_language(client, make_event):
    make_event(
        slug="klaipeda-visit",
        start=datetime(2026, 12, 2, 9, 0, tzinfo=UTC),
        timezone="Europe/Budapest",
    )
    hu = client.get("/events/klaipeda-visit", headers={"Accept-Language": "hu"}).get_data(
        as_text=True
    )
    assert "2026. december 2., szerda" in hu
    assert "közép-európai" in hu
    lt = client.get("/events/klaipeda-visit", headers={"Accept-Language": "lt"}).get_data(
        as_text=True
    )
    assert "gruodžio 2 d." in lt
    assert "Vidurio Europos" in lt


def test_plural_forms_follow_the_language(client, make_event):
    make_event(slug="few-seats", capacity=3)
    pl = client.get("/events/few-seats", headers={"Accept-Language": "pl"}).get_data(as_text=True)
    assert "Zostały 3 miejsca" in pl
    make_event(slug="more-seats", capacity=12)
    lt = client.get("/events/more-seats", headers={"Accept-Language": "lt"}).get_data(as_text=True)
    assert "Liko 12 vietų" in lt


# --- event content in several languages ------------------------------------------------


def test_event_texts_show_in_the_visitor_language_when_given(client, make_event):
    make_event(
        slug="digital-export",
        title="Digital export for SMEs",
        summary="How small firms sell abroad online.",
        translations={
            "hu": {
                "title": "Digitális export kkv-knak",
                "summary": "Hogyan értékesítenek a kis cégek online külföldön.",
            }
        },
    )
    hu = client.get("/events/digital-export", headers={"Accept-Language": "hu"}).get_data(
        as_text=True
    )
    assert "<h1>Digitális export kkv-knak</h1>" in hu
    assert "Hogyan értékesítenek" in hu
    catalogue = client.get("/", headers={"Accept-Language": "hu"}).get_data(as_text=True)
    assert "Digitális export kkv-knak" in catalogue


def test_an_untranslated_event_text_keeps_its_original_and_says_its_language(client, make_event):
    make_event(
        slug="digital-export",
        title="Digital export for SMEs",
        translations={"hu": {"title": "Digitális export kkv-knak"}},
    )
    pl = client.get("/events/digital-export", headers={"Accept-Language": "pl"}).get_data(
        as_text=True
    )
    assert '<h1 lang="en">Digital export for SMEs</h1>' in pl
    en = client.get("/events/digital-export").get_data(as_text=True)
    assert "<h1>Digital export for SMEs</h1>" in en


def test_localized_falls_back_on_blank_translations(make_event):
    event = make_event(title="Original", translations={"it": {"title": "  "}})
    assert event.localized("title", "it") == "Original"
    assert event.text_language("title", "it") == "en"
    with pytest.raises(ValueError):
        event.localized("venue", "it")
