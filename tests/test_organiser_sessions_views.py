"""Logged-in sessions end for real: a copied session cookie stops working after logout,
password change, deactivation or "log out everywhere", whichever browser sends it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from webapp.extensions import db
from webapp.models import UserSession
from webapp.sessions import SESSION_KEY
from webapp.timezones import utcnow

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a brand new passphrase"


def log_in(client, user, password=PASSWORD):
    response = client.post("/organiser/login", data={"email": user.email, "password": password})
    assert response.headers["Location"] == "/organiser/", response.get_data(as_text=True)
    return response


def copy_of(app, client):
    """Another browser, at another address, holding a copy of ``client``'s session cookie."""
    thief = app.test_client()
    thief.environ_base.update({"REMOTE_ADDR": "203.0.113.9", "HTTP_USER_AGENT": "Other/1.0"})
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def is_logged_in(client) -> bool:
    response = client.get("/organiser/")
    if response.status_code == 200:
        return True
    assert response.headers["Location"].startswith("/organiser/login")
    return False


def session_count(user) -> int:
    return db.session.scalar(
        db.select(db.func.count()).select_from(UserSession).where(UserSession.user_id == user.id)
    )


@pytest.fixture
def organiser(make_user):
    return make_user("organiser", password=PASSWORD)


def test_a_cookie_copied_before_logout_does_not_work_after_it(app, client, organiser):
    log_in(client, organiser)
    thief = copy_of(app, client)
    assert is_logged_in(thief)  # a copy works while the session lives

    response = client.post("/organiser/logout")

    assert response.headers["Location"] == "/organiser/login"
    assert not is_logged_in(client)
    assert not is_logged_in(thief)
    assert session_count(organiser) == 0


def test_logout_ends_only_this_browser(app, client, organiser):
    log_in(client, organiser)
    laptop = app.test_client()
    log_in(laptop, organiser)
    client.post("/organiser/logout")
    assert not is_logged_in(client)
    assert is_logged_in(laptop)


def test_the_cookie_holds_a_key_the_database_keeps_only_a_digest_of(client, organiser):
    log_in(client, organiser)
    with client.session_transaction() as cookie_session:
        key = cookie_session[SESSION_KEY]
    row = db.session.scalar(db.select(UserSession).where(UserSession.user_id == organiser.id))
    assert len(key) >= 40 and row.key_digest != key and key not in row.key_digest


def test_a_login_starts_a_new_session_whatever_the_cookie_held(app, client, organiser):
    log_in(client, organiser)
    with client.session_transaction() as cookie_session:
        first_key = cookie_session[SESSION_KEY]
    planted = copy_of(app, client)  # someone who knows the cookie before the next login
    client.post("/organiser/logout")
    log_in(client, organiser)
    with client.session_transaction() as cookie_session:
        assert cookie_session[SESSION_KEY] != first_key
    assert not is_logged_in(planted)
    assert is_logged_in(client)


def test_password_change_renews_this_session_and_ends_every_other_copy(app, client, organiser):
    log_in(client, organiser)
    copy_of_this_browser = copy_of(app, client)
    other_browser = app.test_client()
    log_in(other_browser, organiser)

    response = client.post(
        "/organiser/account/password",
        data={"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )

    assert response.headers["Location"] == "/organiser/"
    assert is_logged_in(client)
    assert not is_logged_in(other_browser)
    assert not is_logged_in(copy_of_this_browser)
    assert session_count(organiser) == 1


def test_deactivation_ends_sessions_and_reactivation_does_not_revive_them(
    app, client, login, make_user, organiser
):
    organiser_browser = app.test_client()
    log_in(organiser_browser, organiser)
    stolen = copy_of(app, organiser_browser)
    login(make_user("admin"))

    client.post(f"/organiser/users/{organiser.id}/deactivate")
    assert session_count(organiser) == 0
    assert not is_logged_in(organiser_browser)

    response = client.post(f"/organiser/users/{organiser.id}/activate")
    assert response.headers["Location"] == "/organiser/users/"
    assert not is_logged_in(organiser_browser)
    assert not is_logged_in(stolen)
    log_in(organiser_browser, organiser)  # a new login works again
    assert is_logged_in(organiser_browser)


def test_an_admin_password_reset_ends_the_users_sessions(app, client, login, make_user, organiser):
    organiser_browser = app.test_client()
    log_in(organiser_browser, organiser)
    login(make_user("admin"))
    client.post(f"/organiser/users/{organiser.id}/reset-password")
    assert not is_logged_in(organiser_browser)


def test_log_out_everywhere_ends_every_session_of_the_account(app, client, organiser, make_user):
    log_in(client, organiser)
    phone = app.test_client()
    phone.environ_base["HTTP_USER_AGENT"] = (
        "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/130.0 Mobile Safari/537.36"
    )
    log_in(phone, organiser)
    stolen = copy_of(app, phone)
    colleague = app.test_client()
    log_in(colleague, make_user("organiser", password=PASSWORD))

    page = client.get("/organiser/account/security").get_data(as_text=True)
    assert "Where you are logged in" in page
    assert "Chrome, Android" in page
    assert "this browser" in page
    assert "Log out everywhere" in page

    response = client.post("/organiser/account/security/log-out-everywhere")

    assert response.headers["Location"] == "/organiser/login"
    for browser in (client, phone, stolen):
        assert not is_logged_in(browser)
    assert is_logged_in(colleague)  # other accounts are not touched
    assert session_count(organiser) == 0


def test_a_session_idle_longer_than_the_lifetime_ends_on_the_server(app, client, organiser):
    log_in(client, organiser)
    row = db.session.scalar(db.select(UserSession).where(UserSession.user_id == organiser.id))
    row.last_seen_at = utcnow() - app.permanent_session_lifetime - timedelta(minutes=1)
    db.session.commit()
    assert not is_logged_in(client)


def test_activity_is_noted_at_most_every_few_minutes(app, client, organiser):
    log_in(client, organiser)
    row = db.session.scalar(db.select(UserSession).where(UserSession.user_id == organiser.id))
    an_hour_ago = utcnow() - timedelta(hours=1)
    row.last_seen_at = an_hour_ago
    db.session.commit()
    assert is_logged_in(client)
    db.session.expire_all()
    seen = db.session.get(UserSession, row.id).last_seen_at
    assert seen > an_hour_ago + timedelta(minutes=59)


def test_logout_needs_a_post(client, organiser):
    log_in(client, organiser)
    assert client.get("/organiser/logout").status_code == 405
    assert is_logged_in(client)


def test_one_other_browser_can_be_logged_out_from_the_security_page(
    app, client, organiser, make_user
):
    log_in(client, organiser)
    phone = app.test_client()
    log_in(phone, organiser)
    stolen = copy_of(app, phone)
    laptop = app.test_client()
    log_in(laptop, organiser)
    phone_row = db.session.scalar(
        db.select(UserSession)
        .where(UserSession.user_id == organiser.id)
        .order_by(UserSession.id)
        .offset(1)
    )
    page = client.get("/organiser/account/security").get_data(as_text=True)
    assert f"/organiser/account/security/sessions/{phone_row.id}/end" in page

    response = client.post(f"/organiser/account/security/sessions/{phone_row.id}/end")

    assert response.headers["Location"] == "/organiser/account/security"
    assert not is_logged_in(phone) and not is_logged_in(stolen)
    assert is_logged_in(client) and is_logged_in(laptop)


def test_ending_a_session_of_someone_else_or_this_one_is_refused(app, client, organiser, make_user):
    colleague = make_user("organiser", password=PASSWORD)
    colleague_browser = app.test_client()
    log_in(colleague_browser, colleague)
    log_in(client, organiser)
    theirs = db.session.scalar(db.select(UserSession.id).where(UserSession.user_id == colleague.id))
    mine = db.session.scalar(db.select(UserSession.id).where(UserSession.user_id == organiser.id))
    assert client.post(f"/organiser/account/security/sessions/{theirs}/end").status_code == 404
    assert client.post(f"/organiser/account/security/sessions/{mine}/end").status_code == 400
    assert client.post("/organiser/account/security/sessions/999999/end").status_code == 404
    assert is_logged_in(colleague_browser) and is_logged_in(client)
