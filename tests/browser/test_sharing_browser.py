"""Sharing in a real browser: the list partners frame on their sites, JSON-LD under the
Content-Security-Policy, and the phone menu in Polish and Hungarian at 360 px.
"""

from __future__ import annotations

import json
import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

pytestmark = pytest.mark.browser

WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def partner_site(live_server):
    """A partner's website on another loopback origin, framing two pages of ours."""
    pages: dict[str, str] = {}

    def application(environ, start_response):
        body = pages.get(environ["PATH_INFO"], "not found")
        return Response(body, content_type="text/html; charset=utf-8")(environ, start_response)

    server = make_server("127.0.0.2", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield pages, f"http://127.0.0.2:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def test_a_partner_site_can_frame_the_list_but_not_other_pages(
    browser, live_server, partner_site, make_event
):
    make_event(slug="port-visit", title="Port visit in Klaipėda", region_codes=("LT",))
    make_event(slug="pecs-webinar", title="Webinar in Pécs", region_codes=("HU",))
    pages, origin = partner_site
    pages["/"] = (
        "<!doctype html><html lang='en'><title>Partner</title><h1>Our partner site</h1>"
        f"<iframe id='widget' title='Events' src='{live_server}/embed/events?region=LT&lang=lt'"
        " sandbox='allow-popups allow-popups-to-escape-sandbox' width='600' height='400'></iframe>"
        f"<iframe id='event' title='Event' src='{live_server}/events/port-visit'"
        " width='600' height='400'></iframe>"
    )
    context = browser.new_context()
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    try:
        page.goto(origin + "/")
        widget = page.frame_locator("#widget")
        link = widget.locator(".embed-link")
        link.first.wait_for()
        assert link.all_inner_texts() == ["Port visit in Klaipėda"]
        assert link.first.get_attribute("href").endswith("/events/port-visit?lang=lt")
        # The neutral stylesheet loads inside the sandboxed frame.
        colour = link.first.evaluate("a => getComputedStyle(a).color")
        assert colour == "rgb(11, 79, 138)"
        assert widget.locator("html").get_attribute("lang") == "lt"

        page.wait_for_timeout(500)
        # The event page refused to load in the frame: Chromium shows its error page.
        urls = [frame.url for frame in page.frames]
        assert not any("/events/port-visit" in url for url in urls), urls
        assert any(url.startswith("chrome-error://") for url in urls), urls
        assert any("frame-ancestors 'none'" in text for text in console), console
    finally:
        context.close()


def test_json_ld_is_read_and_not_blocked_by_the_content_security_policy(
    browser, live_server, make_event
):
    title = 'Pitch "day" </script><script>document.title="owned"</script>'
    make_event(slug="pitch-day", title=title)
    context = browser.new_context(base_url=live_server)
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    try:
        page.goto("/events/pitch-day")
        assert page.evaluate("window.__cspViolations") == []
        assert page.title() == f"{title} · Inter Ventures"
        blocks = page.locator('script[type="application/ld+json"]')
        assert blocks.count() == 1
        data = json.loads(blocks.first.text_content())
        assert data["name"] == title
        assert page.locator("meta[property='og:title']").get_attribute("content") == title
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["pl", "hu"])
def test_phone_menu_folds_the_header_links(browser, live_server, make_event, lang, tmp_path):
    make_event(slug="pitch-day", title="Międzynarodowe spotkanie partnerów")
    context = browser.new_context(base_url=live_server, viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(f"/?lang={lang}")
        toggle = page.locator("summary.site-menu-toggle")
        assert toggle.is_visible()
        languages = page.locator(".language-list")
        regions = page.locator(".nav-list a[href='/regions/LT']")
        assert not languages.is_visible() and not regions.is_visible()
        page.screenshot(path=tmp_path / f"menu-closed-{lang}.png")
        toggle.click()
        assert languages.is_visible() and regions.is_visible()
        assert page.locator("details.site-menu").evaluate("d => d.open")
        page.screenshot(path=tmp_path / f"menu-open-{lang}.png")
        # Nothing is wider than the phone: no sideways scrolling.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.goto(f"/events/pitch-day?lang={lang}")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()


def test_wide_screens_show_the_header_links_without_a_menu_button(browser, live_server, regions):
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        page.goto("/?lang=hu")
        assert not page.locator("summary.site-menu-toggle").is_visible()
        assert page.locator(".language-list").is_visible()
        assert page.locator(".nav-list a[href='/regions/LT']").is_visible()
    finally:
        context.close()


def test_phone_menu_works_without_javascript(browser, live_server, regions):
    context = browser.new_context(base_url=live_server, viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/?lang=pl")
        assert not page.locator(".language-list").is_visible()
        page.locator("summary.site-menu-toggle").click()
        assert page.locator(".language-list").is_visible()
    finally:
        context.close()


def test_the_snippet_can_be_copied(browser, live_server, regions):
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    try:
        page.goto("/embed?region=LT&widget_lang=lt")
        button = page.get_by_role("button", name="Copy the code")
        button.click()
        # The copy is asynchronous: wait for the status line to say so.
        expect(page.locator("#embed-snippet-status")).to_have_text("Copied.")
        snippet = page.locator("#embed-snippet").input_value()
        assert snippet.startswith("<iframe src=") and "region=LT&amp;lang=lt" in snippet
        preview = page.frame_locator(".embed-preview iframe")
        assert preview.locator("h1").inner_text()
    finally:
        context.close()
