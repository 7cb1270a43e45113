"""Organiser login, sessions and the administrators' user screens."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from webapp.extensions import db
from webapp.models import AuditEntry, OutboxMessage, User

PASSWORD = "correct horse battery"


def log_in(client, email, password=PASSWORD, **kwargs):
    return client.post("/organiser/login", data={"email": email, "password": password}, **kwargs)


def test_login_with_the_form_opens_the_dashboard(client, make_user):
    user = make_user()
    response = log_in(client, user.email.upper())
    assert response.headers["Location"] == "/organiser/"
    assert user.name in client.get("/organiser/").get_data(as_text=True)


def test_unknown_address_and_wrong_password_get_the_same_answer(client, make_user):
    user = make_user()
    wrong = log_in(client, user.email, "not the password").get_data(as_text=True)
    unknown = log_in(client, "nobody@example.org").get_data(as_text=True)
    message = "The e-mail address or the password is not right."
    assert message in wrong and message in unknown
    assert client.get("/organiser/").headers["Location"].startswith("/organiser/login")


def test_deactivated_user_cannot_log_in(client, make_user):
    user = make_user(is_active=False)
    assert "not right" in log_in(client, user.email).get_data(as_text=True)


def test_login_follows_a_local_next_but_not_another_site(client, make_user):
    user = make_user()
    response = log_in(client, user.email, query_string={"next": "/organiser/events"})
    assert response.headers["Location"] == "/organiser/events"
    client.post("/organiser/logout")
    response = log_in(client, user.email, query_string={"next": "https://evil.example/"})
    assert response.headers["Location"] == "/organiser/"


def test_anonymous_visitor_is_sent_to_login_with_next(client):
    response = client.get("/organiser/events")
    assert response.headers["Location"].startswith("/organiser/login?next=")


def test_session_cookie_is_httponly_lax_permanent(client, make_user, app):
    user = make_user()
    response = log_in(client, user.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Expires=" in cookie  # permanent: the idle timeout applies
    assert "Secure" not in cookie  # plain HTTP in this test


def test_session_cookie_is_secure_over_https(client, make_user):
    user = make_user()
    response = log_in(client, user.email, base_url="https://events.example.org")
    assert "Secure" in response.headers["Set-Cookie"]


def test_session_ends_after_the_idle_period(app, client, make_user):
    user = make_user()
    log_in(client, user.email)
    assert client.get("/organiser/").status_code == 200
    app.permanent_session_lifetime = timedelta(seconds=-1)  # every signature is now too old
    assert client.get("/organiser/").headers["Location"].startswith("/organiser/login")


def test_logout_ends_the_session(client, make_user):
    user = make_user()
    log_in(client, user.email)
    response = client.post("/organiser/logout")
    assert response.headers["Location"] == "/organiser/login"
    assert client.get("/organiser/").headers["Location"].startswith("/organiser/login")


def test_deactivation_ends_an_open_session(client, make_user):
    user = make_user()
    log_in(client, user.email)
    user.is_active = False
    db.session.commit()
    assert client.get("/organiser/").headers["Location"].startswith("/organiser/login")


# --- administrators' screens ---------------------------------------------------------------


@pytest.fixture
def admin(make_user, login):
    return login(make_user("admin"))


def test_admin_invites_an_organiser_who_sets_a_password_once(client, admin, app):
    response = client.post(
        "/organiser/users/new",
        data={
            "email": "Nora.Petrauskaite@Klaipeda.example",
            "name": "Nora Petrauskaitė",
            "role": "organiser",
            "partner": "PANNON",
        },
    )
    page = response.get_data(as_text=True)
    link = re.search(r'value="(https://events\.example\.org/organiser/set-password/[^"]+)"', page)
    assert link, page
    user = db.session.scalar(
        db.select(User).where(User.email == "nora.petrauskaite@klaipeda.example")
    )
    assert user.partner.short_name == "PANNON" and user.role == "organiser"
    mail = db.session.scalar(
        db.select(OutboxMessage).where(OutboxMessage.kind == "account_invitation")
    )
    assert mail.to_address == user.email and link.group(1) in mail.body_text

    other = app.test_client()
    path = link.group(1).removeprefix("https://events.example.org")
    assert other.get(path).status_code == 200
    short = other.post(path, data={"password": "short", "confirm": "short"})
    assert "at least 12 characters" in short.get_data(as_text=True)
    common = other.post(path, data={"password": "password1234", "confirm": "password1234"})
    assert "too easy to guess" in common.get_data(as_text=True)
    done = other.post(
        path, data={"password": "a new long password", "confirm": "a new long password"}
    )
    assert done.headers["Location"] == "/organiser/login"
    assert other.get(path).status_code == 404  # the link worked once
    assert log_in(other, user.email, "a new long password").headers["Location"] == "/organiser/"


def test_invite_refuses_a_duplicate_address_and_an_organiser_without_partner(
    client, admin, make_user
):
    existing = make_user()
    page = client.post(
        "/organiser/users/new",
        data={"email": existing.email, "name": "X", "role": "organiser", "partner": "PANNON"},
    ).get_data(as_text=True)
    assert "An account with this address already exists." in page
    page = client.post(
        "/organiser/users/new",
        data={"email": "new@example.org", "name": "X", "role": "organiser", "partner": ""},
    ).get_data(as_text=True)
    assert "An organiser belongs to a partner" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 2


def test_reset_password_ends_sessions_and_gives_a_link(client, admin, make_user, app):
    user = make_user()
    theirs = app.test_client()
    log_in(theirs, user.email)
    assert theirs.get("/organiser/").status_code == 200
    page = client.post(f"/organiser/users/{user.id}/reset-password").get_data(as_text=True)
    assert "/organiser/set-password/" in page
    assert theirs.get("/organiser/").headers["Location"].startswith("/organiser/login")
    assert "not right" in log_in(theirs, user.email).get_data(as_text=True)


def test_deactivate_and_reactivate(client, admin, make_user):
    user = make_user()
    response = client.post(f"/organiser/users/{user.id}/deactivate")
    assert response.headers["Location"] == "/organiser/users/"
    db.session.refresh(user)
    assert not user.is_active
    client.post(f"/organiser/users/{user.id}/activate")
    db.session.refresh(user)
    assert user.is_active
    actions = list(db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["user.deactivated", "user.activated"]


def test_admin_cannot_deactivate_themselves(client, admin):
    page = client.post(f"/organiser/users/{admin.id}/deactivate", follow_redirects=True)
    assert "You cannot deactivate your own account." in page.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.is_active


def test_unknown_user_id_is_404(client, admin):
    assert client.post("/organiser/users/999999/deactivate").status_code == 404


def test_set_password_with_a_forged_token_is_404(client):
    response = client.get("/organiser/set-password/not-a-real-token")
    assert response.status_code == 404
    assert "This link no longer works" in response.get_data(as_text=True)


class TestLoginRateLimit:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "LOGIN_RATELIMIT": "3 per minute"}

    def test_login_attempts_are_limited(self, client, make_user):
        user = make_user()
        for _ in range(3):
            assert log_in(client, user.email, "wrong password").status_code == 200
        response = log_in(client, user.email)
        assert response.status_code == 429
        assert "Too many requests" in response.get_data(as_text=True)
        assert client.get("/organiser/login").status_code == 200  # reading the form is free


class TestCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_a_post_without_the_token_is_refused_and_changes_nothing(
        self, client, make_user, login, make_event
    ):
        login(make_user())
        event = make_event()
        response = client.post(f"/organiser/events/{event.id}/cancel", data={"reason": "x"})
        assert response.status_code == 400
        assert "The form had expired" in response.get_data(as_text=True)
        db.session.refresh(event)
        assert event.status == "published"
