"""Link previews, language versions, sitemap, RSS/Atom and the embeddable list."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from html.parser import HTMLParser
from io import BytesIO

import pytest
from PIL import Image

from webapp.extensions import db

BASE = "https://events.example.org"
LANGUAGES = ("en", "hu", "it", "pl", "es", "lt")
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


class HeadParser(HTMLParser):
    """The <link>, <meta> and JSON-LD blocks of a page, as a browser reads them."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str]] = []
        self.metas: list[dict[str, str]] = []
        self.json_ld: list[str] = []
        self._in_json_ld = False

    def handle_starttag(self, tag, attrs):
        values = {k: v or "" for k, v in attrs}
        if tag == "link":
            self.links.append(values)
        elif tag == "meta":
            self.metas.append(values)
        elif tag == "script" and values.get("type") == "application/ld+json":
            self._in_json_ld = True
            self.json_ld.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_json_ld = False

    def handle_data(self, data):
        if self._in_json_ld:
            self.json_ld[-1] += data

    def meta(self, key: str) -> str | None:
        for m in self.metas:
            if m.get("property") == key or m.get("name") == key:
                return m.get("content")
        return None

    def canonical(self) -> str | None:
        return next((link["href"] for link in self.links if link.get("rel") == "canonical"), None)

    def alternates(self) -> dict[str, str]:
        return {
            link["hreflang"]: link["href"]
            for link in self.links
            if link.get("rel") == "alternate" and "hreflang" in link
        }


def head_of(response) -> HeadParser:
    parser = HeadParser()
    parser.feed(response.get_data(as_text=True))
    return parser


# --- canonical address and language versions -------------------------------------------


def test_event_page_canonical_comes_from_the_public_base_url_not_the_host(client, make_event):
    event = make_event(slug="pitch-day")
    response = client.get(
        "/events/pitch-day",
        headers={"Host": "attacker.example", "X-Forwarded-Host": "attacker.example"},
    )
    head = head_of(response)
    assert head.canonical() == f"{BASE}/events/{event.slug}"
    assert head.meta("og:url") == f"{BASE}/events/{event.slug}"
    assert "attacker.example" not in response.get_data(as_text=True)


def test_every_language_version_is_named_with_hreflang(client, make_event):
    make_event(slug="pitch-day")
    alternates = head_of(client.get("/events/pitch-day")).alternates()
    assert alternates == {
        **{code: f"{BASE}/events/pitch-day?lang={code}" for code in LANGUAGES},
        "x-default": f"{BASE}/events/pitch-day",
    }


def test_a_language_version_is_served_in_its_language_and_is_its_own_canonical(client, make_event):
    make_event(slug="pitch-day")
    client.set_cookie("lang", "hu")
    response = client.get("/events/pitch-day?lang=pl")
    assert re.search(r'<html lang="pl"', response.get_data(as_text=True))
    head = head_of(response)
    assert head.canonical() == f"{BASE}/events/pitch-day?lang=pl"
    assert head.meta("og:locale") == "pl_PL"
    locales = {m["content"] for m in head.metas if m.get("property") == "og:locale:alternate"}
    assert locales == {"en_GB", "hu_HU", "it_IT", "es_ES", "lt_LT"}


def test_a_lang_argument_in_another_spelling_names_the_same_language(client, make_event):
    make_event(slug="pitch-day")
    response = client.get("/events/pitch-day?lang=PL-pl")
    assert re.search(r'<html lang="pl"', response.get_data(as_text=True))
    assert head_of(response).meta("og:locale") == "pl_PL"


def test_an_unknown_lang_argument_is_ignored(client, make_event):
    make_event(slug="pitch-day")
    response = client.get("/events/pitch-day?lang=xx")
    assert response.status_code == 200
    assert head_of(response).canonical() == f"{BASE}/events/pitch-day"


def test_switching_language_drops_the_lang_of_the_address(client, make_event):
    make_event(slug="pitch-day")
    page = client.get("/events/pitch-day?lang=pl").get_data(as_text=True)
    switch = re.search(r'href="(/language/hu\?next=[^"]+)"', page).group(1)
    response = client.get(switch.replace("&amp;", "&"))
    assert response.headers["Location"] == "/events/pitch-day"


def test_catalogue_canonical_keeps_filters_and_drops_search_text(client, regions):
    head = head_of(client.get("/?region=LT&kind=webinar&q=port&lang=it"))
    assert head.canonical() == f"{BASE}/?region=LT&kind=webinar&lang=it"
    assert head.alternates()["x-default"] == f"{BASE}/?region=LT&kind=webinar"
    assert head.meta("twitter:card") == "summary"


def test_unlisted_event_has_a_canonical_but_no_language_versions(client, make_event):
    make_event(slug="closed-door", visibility="unlisted")
    head = head_of(client.get("/events/closed-door"))
    assert head.canonical() == f"{BASE}/events/closed-door"
    assert head.alternates() == {}


def test_error_pages_claim_no_canonical_address(client, regions):
    response = client.get("/events/no-such-event")
    assert response.status_code == 404
    assert head_of(response).canonical() is None


# --- link previews and schema.org data --------------------------------------------------


def test_event_page_has_open_graph_and_twitter_card_data(client, make_event):
    make_event(
        slug="pitch-day",
        title="Blue economy pitch day",
        summary="SMEs pitch to port investors.",
    )
    head = head_of(client.get("/events/pitch-day"))
    assert head.meta("og:title") == "Blue economy pitch day"
    assert head.meta("og:description") == "SMEs pitch to port investors."
    assert head.meta("og:site_name") == "Inter Ventures Events"
    assert head.meta("twitter:card") == "summary_large_image"
    image = head.meta("og:image")
    assert image.startswith(f"{BASE}/events/pitch-day/share.png?lang=en&v=")
    assert head.meta("twitter:image") == image
    assert (head.meta("og:image:width"), head.meta("og:image:height")) == ("1200", "630")
    assert "Blue economy pitch day" in head.meta("og:image:alt")


def test_metadata_of_a_hostile_title_is_escaped(client, make_event, partner):
    title = 'Pitch "day" </script><script>alert(1)</script> & <b>more</b>'
    make_event(slug="pitch-day", title=title, summary="It's </script> time")
    response = client.get("/events/pitch-day")
    html = response.get_data(as_text=True)
    assert "<script>alert(1)" not in html
    # One JSON-LD block, closed where it should be: the title cannot end it early.
    assert html.count("</script>") == html.count("<script")
    head = head_of(response)
    assert head.meta("og:title") == title
    assert head.meta("twitter:title") == title
    (block,) = head.json_ld
    data = json.loads(block)
    assert data["name"] == title
    assert data["description"] == "It's </script> time"


def test_json_ld_describes_the_event_without_its_join_link(client, make_event, partner):
    event = make_event(
        slug="hybrid-visit",
        title="Port visit",
        format="hybrid",
        venue="Klaipėda Science Park",
        address="Herkaus Manto g. 84, Klaipėda",
        timezone="Europe/Vilnius",
        online_url="https://meet.example/secret-room",
        capacity=10,
    )
    html = client.get("/events/hybrid-visit").get_data(as_text=True)
    assert "secret-room" not in html
    data = json.loads(head_of(client.get("/events/hybrid-visit")).json_ld[0])
    assert data["@type"] == "Event"
    assert data["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    place, online = data["location"]
    assert place == {
        "@type": "Place",
        "name": "Klaipėda Science Park",
        "address": "Herkaus Manto g. 84, Klaipėda",
    }
    assert online["url"] == f"{BASE}/events/hybrid-visit?lang=en"
    assert data["startDate"] == event.starts_at.astimezone(event.local_starts_at.tzinfo).isoformat()
    assert data["startDate"].endswith(("+02:00", "+03:00"))
    assert data["organizer"]["name"] == partner.name
    assert data["offers"]["url"] == f"{BASE}/events/hybrid-visit/register"
    assert data["offers"]["availability"] == "https://schema.org/InStock"


def test_json_ld_of_a_cancelled_event_says_so_and_offers_nothing(client, make_event):
    make_event(slug="gone", status="cancelled")
    data = json.loads(head_of(client.get("/events/gone")).json_ld[0])
    assert data["eventStatus"] == "https://schema.org/EventCancelled"
    assert "offers" not in data


def test_json_ld_is_only_on_event_pages(client, make_event):
    make_event(slug="pitch-day")
    assert head_of(client.get("/")).json_ld == []
    assert head_of(client.get("/regions/HU")).json_ld == []


# --- share image ---------------------------------------------------------------------


def test_share_image_is_a_png_of_the_advertised_size(client, make_event):
    make_event(slug="pitch-day", title="Łódź–Pécs–Klaipėda: ő, ė, ñ")
    response = client.get("/events/pitch-day/share.png")
    assert response.status_code == 200
    assert response.content_type == "image/png"
    image = Image.open(BytesIO(response.data))
    assert image.size == (1200, 630)
    assert len(response.data) < 300_000


def test_share_image_answers_304_until_the_event_changes(client, make_event):
    event = make_event(slug="pitch-day", title="First title")
    first = client.get("/events/pitch-day/share.png")
    etag = first.headers["ETag"]
    again = client.get("/events/pitch-day/share.png", headers={"If-None-Match": etag})
    assert again.status_code == 304
    event.title = "Second title"
    db.session.commit()
    changed = client.get("/events/pitch-day/share.png", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert changed.data != first.data


def test_share_image_is_drawn_in_the_requested_language(client, make_event):
    make_event(slug="pitch-day", translations={"hu": {"title": "Befektetői nap"}})
    english = client.get("/events/pitch-day/share.png?lang=en")
    hungarian = client.get("/events/pitch-day/share.png?lang=hu")
    assert english.headers["ETag"] != hungarian.headers["ETag"]


def test_a_very_long_title_still_gives_a_bounded_image(client, make_event):
    make_event(slug="long", title=("Internationalisation " * 9).strip())
    response = client.get("/events/long/share.png")
    assert Image.open(BytesIO(response.data)).size == (1200, 630)


def test_share_image_lines_fit_and_end_with_an_ellipsis_when_cut():
    from PIL import ImageDraw

    from webapp.sharing.image import _font, wrap

    draw = ImageDraw.Draw(Image.new("RGB", (10, 10)))
    font = _font(48, bold=True)
    lines = wrap(draw, "Kelionė " + "Internacionalizavimas" * 6 + " pabaiga", font, 600, 3)
    assert len(lines) == 3
    assert all(draw.textlength(line, font=font) <= 600 for line in lines)
    assert lines[-1].endswith("…")
    assert wrap(draw, "Short title", font, 600, 3) == ["Short title"]


@pytest.mark.parametrize(("status", "visibility"), [("draft", "public"), ("published", "partners")])
def test_no_share_image_for_events_visitors_cannot_see(client, make_event, status, visibility):
    make_event(slug="hidden", status=status, visibility=visibility)
    assert client.get("/events/hidden/share.png").status_code == 404


# --- sitemap and robots.txt -------------------------------------------------------------


def test_sitemap_lists_public_pages_with_their_language_versions(client, make_event):
    make_event(slug="listed")
    make_event(slug="cancelled-one", status="cancelled")
    make_event(slug="past-one", start=timedelta(days=-30))
    make_event(slug="a-draft", status="draft")
    make_event(slug="by-link", visibility="unlisted")
    make_event(slug="partners-only", visibility="partners")
    response = client.get("/sitemap.xml")
    assert response.content_type.startswith("application/xml")
    root = ET.fromstring(response.data)
    entries = {u.find(f"{SITEMAP}loc").text: u for u in root.findall(f"{SITEMAP}url")}
    events = {loc.rsplit("/", 1)[1] for loc in entries if "/events/" in loc}
    assert events == {"listed", "cancelled-one", "past-one"}
    assert f"{BASE}/" in entries and f"{BASE}/regions/LT" in entries
    listed = entries[f"{BASE}/events/listed"]
    assert listed.find(f"{SITEMAP}lastmod") is not None
    alternates = {link.get("hreflang"): link.get("href") for link in listed.findall(f"{XHTML}link")}
    assert alternates["lt"] == f"{BASE}/events/listed?lang=lt"
    assert alternates["x-default"] == f"{BASE}/events/listed"
    assert set(alternates) == {*LANGUAGES, "x-default"}


def test_robots_txt_names_the_sitemap(client, regions):
    body = client.get("/robots.txt").get_data(as_text=True)
    assert f"Sitemap: {BASE}/sitemap.xml" in body


# --- RSS and Atom -------------------------------------------------------------------------


def test_atom_feed_lists_upcoming_public_events_soonest_first(client, make_event):
    make_event(slug="later", title="Later", start=timedelta(days=20))
    make_event(slug="sooner", title="Sooner", start=timedelta(days=2))
    make_event(slug="over", title="Over", start=timedelta(days=-10))
    make_event(slug="draft", title="Draft", status="draft")
    make_event(slug="unlisted", title="Unlisted", visibility="unlisted")
    response = client.get("/events.atom")
    assert response.content_type.startswith("application/atom+xml")
    root = ET.fromstring(response.data)
    titles = [e.find(f"{ATOM}title").text for e in root.findall(f"{ATOM}entry")]
    assert titles == ["Sooner", "Later"]
    entry = root.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}link").get("href") == f"{BASE}/events/sooner?lang=en"
    assert entry.find(f"{ATOM}id").text == f"{BASE}/events/sooner"


def test_rss_feed_keeps_region_and_kind_filters(client, make_event, regions):
    make_event(slug="lt-webinar", title="LT webinar", region_codes=("LT",), kind="webinar")
    make_event(slug="lt-visit", title="LT visit", region_codes=("LT",), kind="study_visit")
    make_event(slug="hu-webinar", title="HU webinar", region_codes=("HU",), kind="webinar")
    response = client.get("/events.rss?region=lt&kind=webinar")
    assert response.content_type.startswith("application/rss+xml")
    root = ET.fromstring(response.data)
    assert [i.find("title").text for i in root.iter("item")] == ["LT webinar"]
    assert regions["LT"].name in root.find("channel/title").text
    assert "Stakeholder webinar" in root.find("channel/title").text


def test_feed_entries_are_in_the_requested_language(client, make_event):
    make_event(slug="pitch", title="Pitch day", translations={"lt": {"title": "Verslo diena"}})
    root = ET.fromstring(client.get("/events.atom?lang=lt").data)
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "lt"
    assert root.find(f"{ATOM}entry/{ATOM}title").text == "Verslo diena"


@pytest.mark.parametrize(
    "query", ["region=ZZ", "kind=party", "held_in=xx", "limit=0", "limit=abc", "limit=999"]
)
@pytest.mark.parametrize("path", ["/events.atom", "/events.rss", "/embed/events"])
def test_feeds_and_widget_refuse_filters_that_mean_nothing(client, regions, path, query):
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400
    assert response.content_type.startswith("text/html")


def test_feed_escapes_hostile_titles(client, make_event):
    make_event(slug="x", title="<script>alert(1)</script> & co")
    body = client.get("/events.rss").get_data(as_text=True)
    assert "<script>" not in body
    root = ET.fromstring(body)
    assert root.find("channel/item/title").text == "<script>alert(1)</script> & co"


# --- the embeddable list -------------------------------------------------------------------


def test_only_the_embeddable_list_may_be_framed_by_other_sites(client, make_event):
    make_event(slug="pitch-day")
    framed = client.get("/embed/events")
    assert "frame-ancestors *" in framed.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in framed.headers
    for path in ("/", "/events/pitch-day", "/embed", "/regions/HU"):
        response = client.get(path)
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], path
        assert response.headers["X-Frame-Options"] == "DENY", path


def test_embedded_list_filters_and_links_back_in_its_language(client, make_event, regions):
    make_event(slug="lt-1", title="Klaipėda webinar", region_codes=("LT",), language="lt")
    make_event(slug="lt-2", title="English webinar", region_codes=("LT",), language="en")
    make_event(slug="hu-1", title="Pécs webinar", region_codes=("HU",), language="hu")
    page = client.get("/embed/events?region=LT&held_in=lt&lang=pl").get_data(as_text=True)
    assert '<html lang="pl">' in page
    assert "Klaipėda webinar" in page
    assert "English webinar" not in page and "Pécs webinar" not in page
    assert f'href="{BASE}/events/lt-1?lang=pl" target="_blank" rel="noopener"' in page
    assert f'href="{BASE}/?region=LT&amp;lang=pl"' in page
    assert "Język: litewski" in page
    assert '<link rel="stylesheet"' in page and "site.css" not in page


def test_embedded_list_shows_at_most_the_number_asked(client, make_event):
    for n in range(4):
        make_event(slug=f"e-{n}", title=f"Event number {n}", start=timedelta(days=n + 1))
    page = client.get("/embed/events?limit=2").get_data(as_text=True)
    assert page.count('class="embed-link"') == 2
    assert "Event number 0" in page and "Event number 2" not in page


def test_embedded_list_without_events_says_so(client, regions):
    page = client.get("/embed/events?region=ES").get_data(as_text=True)
    assert "No upcoming events at the moment." in page


def test_partners_get_a_snippet_for_their_choice(client, regions):
    response = client.get("/embed?region=PL&kind=study_visit&held_in=pl&widget_lang=pl&limit=3")
    page = response.get_data(as_text=True)
    expected = (
        f"{BASE}/embed/events?region=PL&amp;amp;kind=study_visit&amp;amp;held_in=pl"
        "&amp;amp;lang=pl&amp;amp;limit=3"
    )
    snippet = re.search(r'<textarea id="embed-snippet"[^>]*>(.*?)</textarea>', page, re.S)
    assert snippet and expected in snippet.group(1)
    assert "&lt;iframe" in snippet.group(1)
    assert 'sandbox="allow-popups allow-popups-to-escape-sandbox"' in page
    assert f"{BASE}/events.atom?region=PL&amp;kind=study_visit&amp;held_in=pl&amp;lang=pl" in page


def test_snippet_page_explains_a_bad_choice(client, regions):
    response = client.get("/embed?region=ZZ&widget_lang=klingon")
    assert response.status_code == 400
    assert "There is no region “ZZ”." in response.get_data(as_text=True)


# --- the language an event is held in ---------------------------------------------------------


def test_cards_and_event_pages_say_which_language_an_event_is_held_in(client, make_event):
    make_event(slug="lt-visit", title="Port visit", language="lt")
    catalogue = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert re.search(r"<dt>Language</dt><dd>Lithuanian</dd>", catalogue)
    page = client.get("/events/lt-visit?lang=it").get_data(as_text=True)
    assert re.search(r"<dt>Lingua</dt><dd>lituano</dd>", page)


def test_every_page_leads_partners_to_the_snippet_and_the_news_feeds(client, regions):
    page = client.get("/regions/PL").get_data(as_text=True)
    footer = page.split('<footer class="site-footer">', 1)[1]
    assert 'href="/embed"' in footer
    assert 'href="/events.atom"' in footer and 'href="/events.rss"' in footer
