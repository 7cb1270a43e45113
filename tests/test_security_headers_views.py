"""Browser security headers on every response (CSP, framing, referrer, HSTS...)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from webapp.security_headers import embeddable

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@pytest.fixture
def organiser(make_user, login):
    return login(make_user("organiser"))


def _csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {
        part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else ""
        for part in (p.strip() for p in policy.split(";"))
        if part
    }


def _assert_locked_down(response, *, referrer="strict-origin-when-cross-origin"):
    csp = _csp(response)
    assert csp["script-src"] == "'self'"
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"]
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'" and csp["base-uri"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "microphone=()" in response.headers["Permissions-Policy"]
    assert response.headers["Referrer-Policy"] == referrer
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP


def test_public_pages_feeds_api_errors_and_static_files_carry_the_headers(client, make_event):
    event = make_event(slug="headers-webinar")
    for path in (
        "/",
        f"/events/{event.slug}",
        f"/events/{event.slug}/register",
        f"/events/{event.slug}/register/check-your-inbox",
        "/regions/HU",
        "/calendar.ics",
        f"/events/{event.slug}.ics",
        "/api/v1/events",
        "/healthz",
        "/no-such-page",
        "/static/js/forms.js",
        "/organiser/login",
    ):
        response = client.get(path)
        response.close()  # a static file is streamed
        assert response.status_code < 500, path
        _assert_locked_down(response)


def test_organiser_pages_carry_the_headers(client, organiser, make_event):
    event = make_event(host_partner=organiser.partner)
    for path in ("/organiser/", f"/organiser/events/{event.id}", "/organiser/reports"):
        _assert_locked_down(client.get(path))


def test_pages_reached_by_a_secret_link_send_no_referrer(
    client, app, make_event, make_registration
):
    registration = make_registration(make_event())
    for path in (
        f"/registrations/{registration.token}",
        f"/registrations/{registration.token}/confirmation",
        f"/feeds/{registration.feed_token}.ics",
        "/organiser/set-password/not-a-real-token",
        "/registrations/not-a-real-token-at-all",  # a 404 of such a URL too
    ):
        _assert_locked_down(client.get(path), referrer="no-referrer")


def test_a_future_token_page_sends_no_referrer_without_extra_code(app, client):
    # Any URL rule with a <token> variable (e.g. /invitations/<token>, /polls/<token>).
    app.add_url_rule("/invitations/<token>", "invitation", lambda token: "invitation")
    _assert_locked_down(client.get("/invitations/abc"), referrer="no-referrer")


def test_an_embeddable_view_opts_out_of_frame_ancestors_alone(app, client):
    @embeddable("https://partner.example")
    def widget():
        return "widget"

    app.add_url_rule("/widget", "widget", widget)
    response = client.get("/widget")
    assert _csp(response)["frame-ancestors"] == "https://partner.example"
    assert "X-Frame-Options" not in response.headers
    assert _csp(response)["script-src"] == "'self'"
    _assert_locked_down(client.get("/"))


def test_hsts_only_over_https(app, client):
    secure = client.get("/", base_url="https://events.example.org")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/").headers
    app.config["HSTS_MAX_AGE"] = 0
    assert (
        "Strict-Transport-Security"
        not in client.get("/", base_url="https://events.example.org").headers
    )


def test_hsts_behind_a_trusted_proxy(app_config, database_url, tmp_path):
    from tests.conftest import base_config
    from webapp import create_app
    from webapp.extensions import db

    proxied = create_app({**base_config(database_url, tmp_path), "TRUSTED_PROXIES": 1})
    response = proxied.test_client().get("/healthz", headers={"X-Forwarded-Proto": "https"})
    with proxied.app_context():
        db.engine.dispose()  # close its database connection
    assert "max-age=" in response.headers["Strict-Transport-Security"]


# A JSON-LD block is data, not script: CSP's script-src does not apply to it.
INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\b(?:src=|type=\"application/ld\+json\"))[^>]*>", re.IGNORECASE
)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"\sstyle\s*=|<style\b", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"javascript:", re.IGNORECASE)


def test_no_template_of_a_page_has_inline_script_handlers_or_styles():
    """The policy allows no inline script or style: the templates must need none.

    E-mail templates are exempt: mail clients need inline styles and run no script; so
    are the documents WeasyPrint turns into PDF (``*pdf*.html``), never served as pages.
    """
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        if path.relative_to(TEMPLATES).parts[0] == "mail" or "pdf" in path.name:
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER, INLINE_STYLE, JAVASCRIPT_URL):
            for match in pattern.finditer(text):
                offenders.append(f"{path.relative_to(TEMPLATES)}: {match.group(0)!r}")
    assert not offenders, "\n".join(offenders)
