"""Second factor: enrolment with an authenticator app, login with a code or a recovery
code, replay refused, administrators' requirement and reset (audited)."""

from __future__ import annotations

import logging
import re
import time

import pyotp
import pytest

from webapp.extensions import db
from webapp.models import AuditEntry, RecoveryCode, User, UserSession
from webapp.organiser.account_views import PENDING_SECRET_KEY
from webapp.organiser.login_views import PENDING_LOGIN_KEY
from webapp.timezones import utcnow

PASSWORD = "correct horse battery"


def log_in_password(client, user, password=PASSWORD):
    return client.post("/organiser/login", data={"email": user.email, "password": password})


def send_code(client, code):
    return client.post("/organiser/login/code", data={"code": code})


def code_for(secret: str, steps_ahead: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(utcnow()) + steps_ahead)


def is_logged_in(client) -> bool:
    response = client.get("/organiser/")
    return response.status_code == 200


def fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def enrol(user: User) -> str:
    secret = pyotp.random_base32(32)
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    db.session.commit()
    return secret


def actions() -> list[str]:
    return list(db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)))


@pytest.fixture
def organiser(make_user):
    return make_user("organiser", password=PASSWORD)


# --- enrolment ---------------------------------------------------------------------------


def test_enrolment_shows_a_qr_code_and_the_key_then_turns_on_with_a_right_code(
    client, login, organiser
):
    login(organiser)
    page = client.get("/organiser/account/two-factor")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<svg role="img" aria-label="QR code' in html
    with client.session_transaction() as cookie_session:
        secret = cookie_session[PENDING_SECRET_KEY]
    assert " ".join(secret[i : i + 4] for i in range(0, 32, 4)) in html
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]

    wrong = client.post("/organiser/account/two-factor", data={"code": "000000"})
    assert "That code is not right" in wrong.get_data(as_text=True)
    assert not fresh(organiser).has_two_factor

    done = client.post("/organiser/account/two-factor", data={"code": code_for(secret)})
    assert done.headers["Cache-Control"] == "no-store"  # the codes stay out of caches
    html = done.get_data(as_text=True)
    codes = re.findall(r"<code>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</code>", html)
    assert len(codes) == 10 and len(set(codes)) == 10
    user = fresh(organiser)
    assert user.has_two_factor and user.totp_secret == secret
    stored = db.session.scalars(
        db.select(RecoveryCode.code_digest).where(RecoveryCode.user_id == user.id)
    ).all()
    assert len(stored) == 10
    assert not any(code.replace("-", "") in digest for code in codes for digest in stored)
    assert "user.two_factor_enabled" in actions()
    # The same enrolment page now points to the security page.
    assert client.get("/organiser/account/two-factor").headers["Location"] == (
        "/organiser/account/security"
    )


def test_enrolment_keeps_the_same_key_until_confirmed(client, login, organiser):
    login(organiser)
    client.get("/organiser/account/two-factor")
    with client.session_transaction() as cookie_session:
        first = cookie_session[PENDING_SECRET_KEY]
    client.post("/organiser/account/two-factor", data={"code": "123"})
    client.get("/organiser/account/two-factor")
    with client.session_transaction() as cookie_session:
        assert cookie_session[PENDING_SECRET_KEY] == first


# --- login -------------------------------------------------------------------------------


def test_password_alone_does_not_log_in_an_account_with_a_second_factor(client, organiser):
    enrol(organiser)
    response = log_in_password(client, organiser)
    assert response.headers["Location"] == "/organiser/login/code"
    assert not is_logged_in(client)
    assert db.session.scalar(db.select(db.func.count()).select_from(UserSession)) == 0
    page = client.get("/organiser/login/code").get_data(as_text=True)
    assert 'autocomplete="one-time-code"' in page


def test_login_with_password_then_code(client, organiser, caplog):
    caplog.set_level(logging.INFO, logger="webapp.events")
    secret = enrol(organiser)
    log_in_password(client, organiser)
    response = send_code(client, code_for(secret))
    assert response.headers["Location"] == "/organiser/"
    assert is_logged_in(client)
    login_record = next(r for r in caplog.records if getattr(r, "event", "") == "auth.login")
    assert login_record.event_fields["method"] == "totp"


def test_login_keeps_the_page_asked_for(client, organiser):
    secret = enrol(organiser)
    client.post(
        "/organiser/login?next=/organiser/events",
        data={"email": organiser.email, "password": PASSWORD},
    )
    assert send_code(client, code_for(secret)).headers["Location"] == "/organiser/events"


def test_a_wrong_code_is_refused_and_logged(client, organiser, caplog):
    caplog.set_level(logging.INFO, logger="webapp.events")
    secret = enrol(organiser)
    log_in_password(client, organiser)
    for wrong in ("000000" if code_for(secret) != "000000" else "111111", "12345", "abcdef", ""):
        response = send_code(client, wrong)
        assert response.status_code == 200
        assert not is_logged_in(client)
    assert "not right" in send_code(client, "999999x").get_data(as_text=True)
    events = [getattr(r, "event", "") for r in caplog.records]
    assert "auth.second_factor_failed" in events


def test_a_code_does_not_work_twice_even_within_its_time_step(app, client, organiser):
    secret = enrol(organiser)
    code = code_for(secret)
    log_in_password(client, organiser)
    assert send_code(client, code).headers["Location"] == "/organiser/"

    other = app.test_client()  # someone who saw the code
    log_in_password(other, organiser)
    replay = send_code(other, code)
    assert replay.status_code == 200
    assert "used already" in replay.get_data(as_text=True)
    assert not is_logged_in(other)
    # An older code than the last one used is refused too; the next one works.
    assert send_code(other, code_for(secret, -1)).status_code == 200
    assert send_code(other, code_for(secret, 1)).headers["Location"] == "/organiser/"


def test_a_code_for_the_wrong_account_or_a_stale_step_is_refused(client, organiser, make_user):
    enrol(organiser)
    other_secret = enrol(make_user(password=PASSWORD))
    log_in_password(client, organiser)
    assert send_code(client, code_for(other_secret)).status_code == 200
    assert send_code(client, code_for(other_secret, -5)).status_code == 200
    assert not is_logged_in(client)


def test_a_recovery_code_works_once(app, client, organiser):
    enrol(organiser)
    from webapp.organiser.two_factor import replace_recovery_codes

    codes = replace_recovery_codes(fresh(organiser))
    db.session.commit()

    log_in_password(client, organiser)
    response = send_code(client, codes[0].upper().replace("-", " "))
    assert response.headers["Location"] == "/organiser/"
    assert "9 are left" in client.get("/organiser/").get_data(as_text=True)

    again = app.test_client()
    log_in_password(again, organiser)
    assert send_code(again, codes[0]).status_code == 200
    assert not is_logged_in(again)
    assert send_code(again, codes[1]).headers["Location"] == "/organiser/"


def test_the_code_step_expires_and_dies_with_a_new_password(client, organiser):
    secret = enrol(organiser)
    log_in_password(client, organiser)
    with client.session_transaction() as cookie_session:
        pending = cookie_session[PENDING_LOGIN_KEY]
        pending["t"] = int(time.time()) - 3600
        cookie_session[PENDING_LOGIN_KEY] = pending
    expired = send_code(client, code_for(secret))
    assert expired.headers["Location"] == "/organiser/login"
    assert not is_logged_in(client)

    log_in_password(client, organiser)
    user = fresh(organiser)
    user.set_password("another fine passphrase")
    db.session.commit()
    assert send_code(client, code_for(secret)).headers["Location"] == "/organiser/login"


def test_the_code_page_without_a_password_first_goes_back_to_login(client):
    response = client.get("/organiser/login/code")
    assert response.headers["Location"] == "/organiser/login"
    assert send_code(client, "123456").headers["Location"] == "/organiser/login"


class TestCodeRateLimit:
    @pytest.fixture
    def app_config(self):
        return {
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "LOGIN_RATELIMIT": "100 per minute",
            "LOGIN_ACCOUNT_RATELIMIT": "100 per minute",
            "TWO_FACTOR_RATELIMIT": "3 per minute",
        }

    def test_code_guesses_are_limited_per_account_and_logged(self, app, organiser, caplog):
        caplog.set_level(logging.INFO, logger="webapp.events")
        secret = enrol(organiser)
        right = code_for(secret)
        wrong = "000000" if right != "000000" else "111111"
        for n in range(3):
            browser = app.test_client()  # a new browser does not reset the count
            browser.environ_base["REMOTE_ADDR"] = f"198.51.100.{n}"
            log_in_password(browser, organiser)
            assert send_code(browser, wrong).status_code == 200
        browser = app.test_client()
        log_in_password(browser, organiser)
        assert send_code(browser, right).status_code == 429
        lockout = next(r for r in caplog.records if getattr(r, "event", "") == "auth.lockout")
        assert lockout.event_fields["scope"] == "second_factor"
        assert lockout.event_fields["user_id"] == str(organiser.id)


# --- the account security page -----------------------------------------------------------


def test_new_recovery_codes_need_the_password_and_void_the_old_ones(client, login, organiser):
    enrol(organiser)
    from webapp.organiser.two_factor import replace_recovery_codes

    old = replace_recovery_codes(fresh(organiser))
    db.session.commit()
    login(organiser)
    refused = client.post(
        "/organiser/account/two-factor/recovery-codes", data={"codes-password": "wrong one"}
    )
    assert refused.headers["Location"] == "/organiser/account/security"
    page = client.post(
        "/organiser/account/two-factor/recovery-codes", data={"codes-password": PASSWORD}
    ).get_data(as_text=True)
    new = re.findall(r"<code>([a-z2-9-]{19})</code>", page)
    assert len(new) == 10 and not set(new) & set(old)
    assert "user.recovery_codes_replaced" in actions()


def test_turning_the_second_factor_off_needs_the_password(client, login, organiser):
    enrol(organiser)
    login(organiser)
    client.post("/organiser/account/two-factor/disable", data={"disable-password": "nope"})
    assert fresh(organiser).has_two_factor
    client.post("/organiser/account/two-factor/disable", data={"disable-password": PASSWORD})
    assert not fresh(organiser).has_two_factor
    assert db.session.scalar(db.select(db.func.count()).select_from(RecoveryCode)) == 0


def test_the_security_page_shows_the_state(client, login, organiser):
    login(organiser)
    assert "Off: your password alone" in client.get("/organiser/account/security").get_data(
        as_text=True
    )
    enrol(organiser)
    assert "On since" in client.get("/organiser/account/security").get_data(as_text=True)


# --- administrators ----------------------------------------------------------------------


def test_admins_can_require_a_second_factor_and_users_are_sent_to_set_it_up(
    app, client, login, make_user, organiser
):
    admin = make_user("admin", password=PASSWORD)
    login(admin)
    response = client.post("/organiser/users/security-policy", data={"two_factor_required": "y"})
    assert response.headers["Location"] == "/organiser/users/"
    assert "security.two_factor_required" in actions()
    entry = db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "security.two_factor_required")
    )
    assert entry.user_id == admin.id

    browser = app.test_client()
    assert log_in_password(browser, organiser).headers["Location"] == "/organiser/"
    for path in ("/organiser/", "/organiser/events", "/organiser/reports", "/organiser/users/"):
        answer = browser.get(path)
        assert answer.headers.get("Location") == "/organiser/account/two-factor", path
    assert browser.get("/organiser/account/two-factor").status_code == 200
    with browser.session_transaction() as cookie_session:
        secret = cookie_session[PENDING_SECRET_KEY]
    browser.post("/organiser/account/two-factor", data={"code": code_for(secret)})
    assert browser.get("/organiser/").status_code == 200
    # While required, it cannot be turned off.
    browser.post("/organiser/account/two-factor/disable", data={"disable-password": PASSWORD})
    assert fresh(organiser).has_two_factor

    # The administrator who required it is no exception.
    assert client.get("/organiser/users/").headers["Location"] == "/organiser/account/two-factor"
    enrol(fresh(admin))
    client.post("/organiser/users/security-policy", data={})
    assert "security.two_factor_optional" in actions()


def test_attendance_pages_also_wait_for_the_second_factor(app, client, login, make_user):
    from webapp.organiser.two_factor import set_two_factor_required

    admin = make_user("admin", password=PASSWORD)
    set_two_factor_required(True, actor=admin)
    db.session.commit()
    login(admin)
    response = client.get("/organiser/reports")
    assert response.headers["Location"] == "/organiser/account/two-factor"
    # Logging out stays possible.
    assert client.post("/organiser/logout").headers["Location"] == "/organiser/login"


def test_an_admin_reset_is_audited_and_ends_the_users_sessions(
    app, client, login, make_user, organiser
):
    secret = enrol(organiser)
    users_browser = app.test_client()
    log_in_password(users_browser, organiser)
    send_code(users_browser, code_for(secret))
    assert is_logged_in(users_browser)

    admin = make_user("admin", password=PASSWORD)
    login(admin)
    listing = client.get("/organiser/users/").get_data(as_text=True)
    assert f"/organiser/users/{organiser.id}/reset-two-factor" in listing
    response = client.post(f"/organiser/users/{organiser.id}/reset-two-factor")

    assert response.headers["Location"] == "/organiser/users/"
    assert not fresh(organiser).has_two_factor
    assert not is_logged_in(users_browser)
    entry = db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "user.two_factor_reset")
    )
    assert entry.user_id == admin.id and entry.details["user_id"] == organiser.id
    # Nothing left to reset: a clear message, no error page.
    again = client.post(f"/organiser/users/{organiser.id}/reset-two-factor", follow_redirects=True)
    assert "no second factor to reset" in again.get_data(as_text=True)


def test_organisers_cannot_reset_anyones_second_factor(client, login, make_user, organiser):
    enrol(organiser)
    login(make_user("organiser", password=PASSWORD))
    assert client.post(f"/organiser/users/{organiser.id}/reset-two-factor").status_code == 403
    assert fresh(organiser).has_two_factor
