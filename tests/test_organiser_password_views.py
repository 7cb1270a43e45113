"""An organiser changes their own password: this browser stays in, other sessions end."""

from __future__ import annotations

import pytest

from webapp.extensions import db
from webapp.models import AuditEntry, User

OLD = "correct horse battery"
NEW = "a brand new passphrase"


@pytest.fixture
def organiser(make_user):
    return make_user("organiser", password=OLD)


def log_in_with_form(client, user: User, password: str):
    return client.post("/organiser/login", data={"email": user.email, "password": password})


def password_hash(user_id: int) -> str:
    db.session.expire_all()
    return db.session.get(User, user_id).password_hash


def test_page_needs_a_login(client):
    response = client.get("/organiser/account/password")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/organiser/login?next=")


def test_form_has_labelled_fields(client, login, organiser):
    login(organiser)
    html = client.get("/organiser/account/password").get_data(as_text=True)
    for field in ("current_password", "password", "confirm"):
        assert f'for="{field}"' in html
    assert 'autocomplete="current-password"' in html


def test_change_keeps_this_session_and_ends_the_others(app, client, organiser):
    assert log_in_with_form(client, organiser, OLD).status_code == 302
    other = app.test_client()
    assert log_in_with_form(other, organiser, OLD).status_code == 302
    assert other.get("/organiser/").status_code == 200

    response = client.post(
        "/organiser/account/password",
        data={"current_password": OLD, "password": NEW, "confirm": NEW},
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/organiser/"
    dashboard = client.get("/organiser/")
    assert dashboard.status_code == 200
    assert "Your password has been changed" in dashboard.get_data(as_text=True)
    ended = other.get("/organiser/")
    assert ended.status_code == 302
    assert ended.headers["Location"].startswith("/organiser/login")
    # The new password works, the old one no longer does.
    fresh = app.test_client()
    assert log_in_with_form(fresh, organiser, OLD).status_code == 200
    assert log_in_with_form(fresh, organiser, NEW).status_code == 302
    actions = db.session.scalars(db.select(AuditEntry.action)).all()
    assert "user.password_set" in actions


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"current_password": "wrong password!", "password": NEW, "confirm": NEW}, "not right"),
        ({"current_password": "", "password": NEW, "confirm": NEW}, "This field is required"),
        ({"current_password": OLD, "password": "short", "confirm": "short"}, "at least 12"),
        (
            {"current_password": OLD, "password": "1234567890", "confirm": "1234567890"},
            "at least 12",
        ),
        (
            {"current_password": OLD, "password": "password1234", "confirm": "password1234"},
            "too easy to guess",
        ),
        (
            {"current_password": OLD, "password": "qwertyuiop123", "confirm": "qwertyuiop123"},
            "too easy to guess",
        ),
        ({"current_password": OLD, "password": NEW, "confirm": NEW + "x"}, "passwords differ"),
        ({"current_password": OLD, "password": OLD, "confirm": OLD}, "different from the current"),
        ({"current_password": OLD, "password": "x" * 201, "confirm": "x" * 201}, "at most 200"),
        ({}, "This field is required"),
    ],
)
def test_refused_changes_keep_the_old_password(client, login, organiser, data, message):
    login(organiser)
    before = password_hash(organiser.id)
    response = client.post("/organiser/account/password", data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html
    assert 'aria-invalid="true"' in html
    assert password_hash(organiser.id) == before
    # Still logged in.
    assert client.get("/organiser/").status_code == 200


def test_admins_change_their_password_too(client, login, make_user):
    admin = login(make_user("admin", password=OLD))
    response = client.post(
        "/organiser/account/password",
        data={"current_password": OLD, "password": NEW, "confirm": NEW},
    )
    assert response.headers["Location"] == "/organiser/"
    db.session.expire_all()
    assert db.session.get(User, admin.id).check_password(NEW)


def test_change_needs_the_csrf_token(client, login, organiser, app):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        login(organiser)
        response = client.post(
            "/organiser/account/password",
            data={"current_password": OLD, "password": NEW, "confirm": NEW},
        )
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code in (200, 400)
    assert db.session.get(User, organiser.id).check_password(OLD)
