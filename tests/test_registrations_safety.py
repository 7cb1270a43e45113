"""CSRF protection and rate limits on the registration and registrant-page forms."""

from __future__ import annotations

import re

import pytest

from webapp.extensions import db
from webapp.models import Registration


@pytest.fixture
def app_config():
    return {
        "WTF_CSRF_ENABLED": True,
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "REGISTRATION_RATELIMIT": "3 per minute",
    }


def csrf_token(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match, "the form carries a CSRF token"
    return match.group(1)


def form(n: int, token: str | None) -> dict[str, str]:
    data = {
        "name": f"Person {n}",
        "email": f"person{n}@example.org",
        "stakeholder_type": "ngo",
        "region": "PL",
        "consent": "y",
    }
    if token is not None:
        data["csrf_token"] = token
    return data


def count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Registration))


def test_registration_without_or_with_a_wrong_csrf_token_is_refused(client, make_event):
    make_event(slug="webinar")
    for token in (None, "forged-token"):
        response = client.post("/events/webinar/register", data=form(1, token))
        assert response.status_code == 400
        assert "The form had expired" in response.get_data(as_text=True)
    assert count() == 0

    token = csrf_token(client, "/events/webinar/register")
    response = client.post("/events/webinar/register", data=form(1, token))
    assert response.headers["Location"].endswith("/check-your-inbox")
    assert count() == 1


def test_cancel_and_erase_need_the_csrf_token(client, make_event, make_registration):
    registration = make_registration(make_event(capacity=3))
    assert client.post(f"/registrations/{registration.token}/cancel").status_code == 400
    assert (
        client.post(f"/registrations/{registration.token}/erase", data={"confirm": "y"}).status_code
        == 400
    )
    db.session.expire_all()
    assert registration.status == "confirmed" and registration.erased_at is None

    token = csrf_token(client, f"/registrations/{registration.token}")
    response = client.post(
        f"/registrations/{registration.token}/cancel", data={"csrf_token": token}
    )
    assert response.headers["Location"] == f"/registrations/{registration.token}"
    db.session.expire_all()
    assert registration.status == "cancelled"


def test_registration_posts_are_rate_limited_per_address(client, make_event):
    make_event(slug="webinar")
    token = csrf_token(client, "/events/webinar/register")
    for n in range(3):
        response = client.post("/events/webinar/register", data=form(n, token))
        assert response.status_code == 303
    response = client.post("/events/webinar/register", data=form(99, token))
    assert response.status_code == 429
    assert "Too many requests" in response.get_data(as_text=True)
    assert count() == 3
    # Reading the form is not limited.
    assert client.get("/events/webinar/register").status_code == 200
    # Another address has its own allowance.
    other = client.post(
        "/events/webinar/register",
        data=form(100, token),
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert other.status_code == 303
