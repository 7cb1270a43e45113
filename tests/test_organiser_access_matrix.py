"""Every organiser route × every role: anonymous, organiser of another region, same region, admin.

Polls are stricter than events: only the poll's own partner and administrators manage one.

Expected: anonymous visitors are sent to the login page; an organiser of another region
may look at events but changes and registrants answer 403; the host region's organiser
and administrators get through. User administration is for administrators only.
"""

from __future__ import annotations

import io
import itertools
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from werkzeug.exceptions import HTTPException
from werkzeug.security import generate_password_hash

from webapp.attendance.import_drafts import start_import
from webapp.extensions import db
from webapp.models import (
    ActionPlan,
    Event,
    Invitation,
    Material,
    Message,
    PartnerContact,
    PlanAction,
    Poll,
    PollSlot,
    ProgrammeItem,
    ReportingPeriod,
    Speaker,
    User,
)

ALLOWED = "allowed"
FORBIDDEN = "forbidden"
# Gets past the access rules, though the request itself is refused as incomplete (400,
# 404, 409): the form of a step that needs what only an earlier page gives.
PASSES = "passes"
DATA = Path(__file__).parent / "data"

# (method, path template, other-region organiser, same-region organiser, admin)
EVENT_ROUTES = [
    ("GET", "/organiser/", ALLOWED, ALLOWED, ALLOWED),
    ("GET", "/organiser/events", ALLOWED, ALLOWED, ALLOWED),
    ("GET", "/organiser/events/new", ALLOWED, ALLOWED, ALLOWED),
    ("POST", "/organiser/events/new", ALLOWED, ALLOWED, ALLOWED),
    ("GET", "/organiser/events/{event}", ALLOWED, ALLOWED, ALLOWED),
    ("GET", "/organiser/events/{event}/edit", FORBIDDEN, ALLOWED, ALLOWED),
    ("POST", "/organiser/events/{event}/edit", FORBIDDEN, ALLOWED, ALLOWED),
    ("POST", "/organiser/events/{draft}/publish", FORBIDDEN, ALLOWED, ALLOWED),
    ("GET", "/organiser/events/{event}/cancel", FORBIDDEN, ALLOWED, ALLOWED),
    ("POST", "/organiser/events/{event}/cancel", FORBIDDEN, ALLOWED, ALLOWED),
    ("POST", "/organiser/events/{event}/duplicate", ALLOWED, ALLOWED, ALLOWED),
    ("POST", "/organiser/events/{draft}/delete", FORBIDDEN, ALLOWED, ALLOWED),
    ("GET", "/organiser/events/{event}/registrations", FORBIDDEN, ALLOWED, ALLOWED),
    ("GET", "/organiser/events/{event}/registrations.csv", FORBIDDEN, ALLOWED, ALLOWED),
    ("GET", "/organiser/events/{event}/registrations.xlsx", FORBIDDEN, ALLOWED, ALLOWED),
    ("GET", "/organiser/events/{event}/registrations/new", FORBIDDEN, ALLOWED, ALLOWED),
    ("POST", "/organiser/events/{event}/registrations/new", FORBIDDEN, ALLOWED, ALLOWED),
    ("GET", "/organiser/events/{event}/registrations/{pending}", FORBIDDEN, ALLOWED, ALLOWED),
    ("POST", "/organiser/events/{event}/registrations/decide", FORBIDDEN, ALLOWED, ALLOWED),
    (
        "POST",
        "/organiser/events/{event}/registrations/{pending}/approve",
        FORBIDDEN,
        ALLOWED,
        ALLOWED,
    ),
    (
        "POST",
        "/organiser/events/{event}/registrations/{pending}/reject",
        FORBIDDEN,
        ALLOWED,
        ALLOWED,
    ),
    (
        "GET",
        "/organiser/events/{event}/registrations/{waiting}/confirm",
        FORBIDDEN,
        ALLOWED,
        ALLOWED,
    ),
    (
        "POST",
        "/organiser/events/{event}/registrations/{waiting}/confirm",
        FORBIDDEN,
        ALLOWED,
        ALLOWED,
    ),
    (
        "POST",
        "/organiser/events/{event}/registrations/{confirmed}/cancel",
        FORBIDDEN,
        ALLOWED,
        ALLOWED,
    ),
    (
        "POST",
        "/organiser/events/{event}/registrations/{confirmed}/resend",
        FORBIDDEN,
        ALLOWED,
        ALLOWED,
    ),
    ("GET", "/organiser/users/", FORBIDDEN, FORBIDDEN, ALLOWED),
    ("GET", "/organiser/users/new", FORBIDDEN, FORBIDDEN, ALLOWED),
    ("POST", "/organiser/users/new", FORBIDDEN, FORBIDDEN, ALLOWED),
    ("POST", "/organiser/users/{target}/reset-password", FORBIDDEN, FORBIDDEN, ALLOWED),
    ("POST", "/organiser/users/{target}/deactivate", FORBIDDEN, FORBIDDEN, ALLOWED),
    ("POST", "/organiser/users/{target}/activate", FORBIDDEN, FORBIDDEN, ALLOWED),
    ("POST", "/organiser/users/{target}/reset-two-factor", FORBIDDEN, FORBIDDEN, ALLOWED),
    ("POST", "/organiser/users/security-policy", FORBIDDEN, FORBIDDEN, ALLOWED),
    ("GET", "/organiser/regions/", FORBIDDEN, FORBIDDEN, ALLOWED),
    ("GET", "/organiser/regions/new", FORBIDDEN, FORBIDDEN, ALLOWED),
    ("POST", "/organiser/regions/new", FORBIDDEN, FORBIDDEN, ALLOWED),
    ("GET", "/organiser/regions/{region}/edit", FORBIDDEN, FORBIDDEN, ALLOWED),
    ("POST", "/organiser/regions/{region}/edit", FORBIDDEN, FORBIDDEN, ALLOWED),
    ("POST", "/organiser/regions/{spare_region}/delete", FORBIDDEN, FORBIDDEN, ALLOWED),
    ("GET", "/organiser/partners/new", FORBIDDEN, FORBIDDEN, ALLOWED),
    ("POST", "/organiser/partners/new", FORBIDDEN, FORBIDDEN, ALLOWED),
    ("GET", "/organiser/partners/{spare_partner}/edit", FORBIDDEN, FORBIDDEN, ALLOWED),
    ("POST", "/organiser/partners/{spare_partner}/edit", FORBIDDEN, FORBIDDEN, ALLOWED),
    ("POST", "/organiser/partners/{spare_partner}/delete", FORBIDDEN, FORBIDDEN, ALLOWED),
    # Partner contacts: the partner's own organisers and administrators.
    ("GET", "/organiser/contacts", ALLOWED, ALLOWED, ALLOWED),
    ("GET", "/organiser/partners/{partner}/contacts", FORBIDDEN, FORBIDDEN, ALLOWED),
    ("POST", "/organiser/partners/{partner}/contacts", FORBIDDEN, FORBIDDEN, ALLOWED),
    ("GET", "/organiser/partners/{partner}/contacts/{contact}", FORBIDDEN, FORBIDDEN, ALLOWED),
    ("POST", "/organiser/partners/{partner}/contacts/{contact}", FORBIDDEN, FORBIDDEN, ALLOWED),
    (
        "POST",
        "/organiser/partners/{partner}/contacts/{contact}/remove",
        FORBIDDEN,
        FORBIDDEN,
        ALLOWED,
    ),
    ("POST", "/organiser/partners/{partner}/contacts/import", FORBIDDEN, FORBIDDEN, ALLOWED),
    # Invitations and series: like every change to the event.
    ("GET", "/organiser/events/{meeting}/invitations", FORBIDDEN, ALLOWED, ALLOWED),
    ("POST", "/organiser/events/{meeting}/invitations", FORBIDDEN, ALLOWED, ALLOWED),
    (
        "POST",
        "/organiser/events/{meeting}/invitations/{invitation}/withdraw",
        FORBIDDEN,
        ALLOWED,
        ALLOWED,
    ),
    ("GET", "/organiser/events/{event}/series/new", FORBIDDEN, ALLOWED, ALLOWED),
    ("POST", "/organiser/events/{event}/series/new", FORBIDDEN, ALLOWED, ALLOWED),
    ("GET", "/organiser/account/password", ALLOWED, ALLOWED, ALLOWED),
    ("POST", "/organiser/account/password", ALLOWED, ALLOWED, ALLOWED),
    # A poll is managed by its own partner's organisers and administrators only.
    ("GET", "/organiser/polls/", ALLOWED, ALLOWED, ALLOWED),
    ("GET", "/organiser/polls/new", ALLOWED, ALLOWED, ALLOWED),
    ("POST", "/organiser/polls/new", ALLOWED, ALLOWED, ALLOWED),
    ("GET", "/organiser/polls/{poll}", FORBIDDEN, FORBIDDEN, ALLOWED),
    ("POST", "/organiser/polls/{poll}/invitees", FORBIDDEN, FORBIDDEN, ALLOWED),
    ("POST", "/organiser/polls/{poll}/invitees/partner", FORBIDDEN, FORBIDDEN, ALLOWED),
    ("POST", "/organiser/polls/{poll}/invitees/contacts", FORBIDDEN, FORBIDDEN, ALLOWED),
    ("POST", "/organiser/polls/{poll}/close", FORBIDDEN, FORBIDDEN, ALLOWED),
    ("GET", "/organiser/polls/{poll}/slots/{slot}/choose", FORBIDDEN, FORBIDDEN, ALLOWED),
    ("POST", "/organiser/polls/{poll}/slots/{slot}/choose", FORBIDDEN, FORBIDDEN, ALLOWED),
    ("GET", "/organiser/account/security", ALLOWED, ALLOWED, ALLOWED),
    ("GET", "/organiser/account/two-factor", ALLOWED, ALLOWED, ALLOWED),
    ("POST", "/organiser/account/two-factor", ALLOWED, ALLOWED, ALLOWED),
    ("POST", "/organiser/account/two-factor/recovery-codes", ALLOWED, ALLOWED, ALLOWED),
    ("POST", "/organiser/account/two-factor/disable", ALLOWED, ALLOWED, ALLOWED),
    # Programme and materials: seen by every organiser, changed by the host region's.
    ("GET", "/organiser/events/{event}/programme", ALLOWED, ALLOWED, ALLOWED),
    ("GET", "/organiser/events/{event}/programme/new", FORBIDDEN, ALLOWED, ALLOWED),
    ("POST", "/organiser/events/{event}/programme/new", FORBIDDEN, ALLOWED, ALLOWED),
    ("GET", "/organiser/events/{event}/programme/{item}/edit", FORBIDDEN, ALLOWED, ALLOWED),
    ("POST", "/organiser/events/{event}/programme/{item}/edit", FORBIDDEN, ALLOWED, ALLOWED),
    ("POST", "/organiser/events/{event}/programme/{item}/delete", FORBIDDEN, ALLOWED, ALLOWED),
    ("GET", "/organiser/events/{event}/materials", ALLOWED, ALLOWED, ALLOWED),
    ("POST", "/organiser/events/{event}/materials", FORBIDDEN, ALLOWED, ALLOWED),
    (
        "POST",
        "/organiser/events/{event}/materials/{material}/delete",
        FORBIDDEN,
        ALLOWED,
        ALLOWED,
    ),
    ("POST", "/organiser/events/{event}/materials/announce", FORBIDDEN, ALLOWED, ALLOWED),
    # Speakers are shared by every event: any organiser keeps them.
    ("GET", "/organiser/speakers", ALLOWED, ALLOWED, ALLOWED),
    ("GET", "/organiser/speakers/new", ALLOWED, ALLOWED, ALLOWED),
    ("POST", "/organiser/speakers/new", ALLOWED, ALLOWED, ALLOWED),
    ("GET", "/organiser/speakers/{speaker}/edit", ALLOWED, ALLOWED, ALLOWED),
    ("POST", "/organiser/speakers/{speaker}/edit", ALLOWED, ALLOWED, ALLOWED),
    ("POST", "/organiser/speakers/{speaker}/delete", ALLOWED, ALLOWED, ALLOWED),
    # Attendance: participants are seen and marked by the host region's organisers.
    ("GET", "/organiser/events/{event}/messages", FORBIDDEN, ALLOWED, ALLOWED),
    ("POST", "/organiser/events/{event}/messages", FORBIDDEN, ALLOWED, ALLOWED),
    ("GET", "/organiser/events/{event}/messages/{message}", FORBIDDEN, ALLOWED, ALLOWED),
    ("GET", "/organiser/events/{event}/attendance", FORBIDDEN, ALLOWED, ALLOWED),
    ("GET", "/organiser/events/{event}/attendance.csv", FORBIDDEN, ALLOWED, ALLOWED),
    ("GET", "/organiser/events/{event}/attendance.xlsx", FORBIDDEN, ALLOWED, ALLOWED),
    ("POST", "/organiser/events/{today}/attendance/{present}", FORBIDDEN, ALLOWED, ALLOWED),
    ("POST", "/organiser/events/{today}/attendance/walk-in", FORBIDDEN, ALLOWED, ALLOWED),
    ("GET", "/organiser/check-in/{checkin}", FORBIDDEN, ALLOWED, ALLOWED),
    ("POST", "/organiser/check-in/{checkin}", FORBIDDEN, ALLOWED, ALLOWED),
    ("GET", "/organiser/events/{webinar}/attendance/import", FORBIDDEN, ALLOWED, ALLOWED),
    ("POST", "/organiser/events/{webinar}/attendance/import", FORBIDDEN, ALLOWED, ALLOWED),
    ("GET", "/organiser/events/{webinar}/attendance/import/{upload}", FORBIDDEN, ALLOWED, ALLOWED),
    (
        "POST",
        "/organiser/events/{webinar}/attendance/import/{upload}/threshold",
        FORBIDDEN,
        ALLOWED,
        ALLOWED,
    ),
    (
        "POST",
        "/organiser/events/{webinar}/attendance/import/{upload}/match",
        FORBIDDEN,
        PASSES,
        PASSES,
    ),
    (
        "POST",
        "/organiser/events/{webinar}/attendance/import/{upload}/unmatch",
        FORBIDDEN,
        ALLOWED,
        ALLOWED,
    ),
    (
        "GET",
        "/organiser/events/{webinar}/attendance/import/{upload}/walk-in",
        FORBIDDEN,
        PASSES,
        PASSES,
    ),
    (
        "POST",
        "/organiser/events/{webinar}/attendance/import/{upload}/walk-in",
        FORBIDDEN,
        PASSES,
        PASSES,
    ),
    (
        "POST",
        "/organiser/events/{webinar}/attendance/import/{upload}/confirm",
        FORBIDDEN,
        PASSES,
        PASSES,
    ),
    # Reports: every organiser sees the figures.
    ("GET", "/organiser/reports", ALLOWED, ALLOWED, ALLOWED),
    ("GET", "/organiser/reports/events.csv", ALLOWED, ALLOWED, ALLOWED),
    ("GET", "/organiser/reports/summary.xlsx", ALLOWED, ALLOWED, ALLOWED),
    # An event's actions are changed like the event; its evidence is seen like its registrants.
    ("GET", "/organiser/events/{event}/actions", FORBIDDEN, ALLOWED, ALLOWED),
    ("POST", "/organiser/events/{event}/actions", FORBIDDEN, ALLOWED, ALLOWED),
    ("GET", "/organiser/events/{event}/evidence/participants.pdf", FORBIDDEN, ALLOWED, ALLOWED),
    ("GET", "/organiser/events/{event}/evidence.zip", FORBIDDEN, ALLOWED, ALLOWED),
    # Reporting periods are the administrators'; a region's action plans its organisers'.
    ("GET", "/organiser/reports/periods", FORBIDDEN, FORBIDDEN, ALLOWED),
    ("GET", "/organiser/reports/periods/new", FORBIDDEN, FORBIDDEN, ALLOWED),
    ("POST", "/organiser/reports/periods/new", FORBIDDEN, FORBIDDEN, ALLOWED),
    ("GET", "/organiser/reports/periods/{period}", FORBIDDEN, FORBIDDEN, ALLOWED),
    ("POST", "/organiser/reports/periods/{period}", FORBIDDEN, FORBIDDEN, ALLOWED),
    ("POST", "/organiser/reports/periods/{period}/delete", FORBIDDEN, FORBIDDEN, ALLOWED),
    ("GET", "/organiser/action-plans", ALLOWED, ALLOWED, ALLOWED),
    ("GET", "/organiser/action-plans/new", ALLOWED, ALLOWED, ALLOWED),
    # (The form offers another region's organiser only their own region, not HU.)
    ("POST", "/organiser/action-plans/new", PASSES, ALLOWED, ALLOWED),
    ("GET", "/organiser/action-plans/{plan}", FORBIDDEN, ALLOWED, ALLOWED),
    ("POST", "/organiser/action-plans/{plan}", FORBIDDEN, ALLOWED, ALLOWED),
    ("POST", "/organiser/action-plans/{plan}/delete", FORBIDDEN, ALLOWED, ALLOWED),
    ("GET", "/organiser/action-plans/{plan}/actions/new", FORBIDDEN, ALLOWED, ALLOWED),
    ("POST", "/organiser/action-plans/{plan}/actions/new", FORBIDDEN, ALLOWED, ALLOWED),
    ("GET", "/organiser/action-plans/{plan}/actions/{action}", FORBIDDEN, ALLOWED, ALLOWED),
    ("POST", "/organiser/action-plans/{plan}/actions/{action}", FORBIDDEN, ALLOWED, ALLOWED),
    (
        "POST",
        "/organiser/action-plans/{plan}/actions/{action}/delete",
        FORBIDDEN,
        ALLOWED,
        ALLOWED,
    ),
]
# Routes about logging in and out, open to anyone (their own tests cover them).
LOGIN_ENDPOINTS = (
    "organiser.login",
    "organiser.login_code",
    "organiser.logout",
    "organiser.account.log_out_everywhere",
    "organiser.account.end_other_session",
    "organiser.set_password",
)
ROLES = ("anonymous", "other_region", "same_region", "admin")


def _workspace_rules(app):
    """Every route under /organiser (attendance and reports too), but logging in and out."""
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/organiser") and rule.endpoint not in LOGIN_ENDPOINTS
    ]


# Values tried for a row's {placeholder} until the URL map accepts the path.
SAMPLE_VALUES = ("1", "HU", "2026-01-01", "a" * 43)


def _rule_of_row(adapter, method: str, path: str):
    """The URL rule a matrix row's path reaches, or ``None``."""
    names = re.findall(r"\{(\w*)\}", path)
    for value in SAMPLE_VALUES:
        concrete = re.sub(r"\{\w*\}", value, path)
        try:
            rule, _args = adapter.match(concrete, method=method, return_rule=True)
        except HTTPException:
            continue
        return rule
    raise AssertionError(f"no route answers {method} {path} ({names})")


def test_the_matrix_covers_every_organiser_route(app):
    """Each /organiser rule and method has its own row (a shared prefix is not enough)."""
    adapter = app.url_map.bind("localhost")
    covered = {
        (method, _rule_of_row(adapter, method, path).rule) for method, path, *_ in EVENT_ROUTES
    }
    missing = [
        (method, rule.rule)
        for rule in _workspace_rules(app)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
        if (method, rule.rule) not in covered
    ]
    assert missing == []


# A cheap hash: these users never type a password (the matrix is about permissions).
CHEAP_HASH = generate_password_hash("matrix password", method="pbkdf2:sha256:1000")


def make_cheap_user(role: str, partner) -> User:
    n = next(_numbers)
    user = User(
        email=f"matrix{n}@example.org",
        name=f"Matrix {n}",
        role=role,
        partner=partner,
        password_hash=CHEAP_HASH,
    )
    db.session.add(user)
    db.session.commit()
    return user


_numbers = itertools.count(1)


@pytest.fixture
def world(make_partner, make_event, make_registration, partner, regions):
    """An event and a draft hosted in Hungary, registrations in every state, users."""
    spanish = make_partner("ES", short_name="SODEBUR")
    other_hu = make_partner("HU", short_name="HUOTHER")
    event = make_event(capacity=1, requires_approval=False)
    draft = make_event(status="draft")
    confirmed = make_registration(event)
    waiting = make_registration(event, status="waitlisted")
    pending = make_registration(event, status="pending")
    target = make_cheap_user("organiser", partner)
    soon = datetime.now(UTC) + timedelta(days=10)
    poll = Poll(
        title="Steering group",
        timezone="Europe/Budapest",
        partner=partner,
        deadline_at=soon - timedelta(days=2),
        slots=[PollSlot(starts_at=soon, ends_at=soon + timedelta(hours=1))],
    )
    db.session.add(poll)
    meeting = make_event(visibility="partners", kind="partner_meeting")
    contact = PartnerContact(partner=partner, name="Anna", email="anna@pannon.example")
    invitation = Invitation(event=meeting, contact=contact)
    db.session.add(invitation)
    item = ProgrammeItem(
        event=event, starts_at=event.starts_at, ends_at=event.ends_at, title="Opening"
    )
    material = Material(event=event, title="Slides", audience="everyone", url="https://x.org")
    speaker = Speaker(name="Ana Ruiz")
    db.session.add_all([item, material, speaker])
    period = ReportingPeriod(name="2026", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31))
    plan = ActionPlan(region=regions["HU"], title="Green SMEs")
    action = PlanAction(plan=plan, title="Export vouchers")
    db.session.add_all([period, plan, action])
    message = Message(event=event, subject="Parking", body="Hello {name}", recipient_count=1)
    db.session.add(message)
    today = make_event(start=timedelta(minutes=-30))
    present = make_registration(today)
    webinar = make_event(start=datetime(2026, 3, 10, 9, 0, tzinfo=UTC))
    upload = start_import(
        webinar,
        (DATA / "teams_attendance.csv").read_bytes(),
        filename="teams.csv",
        timezone="Europe/Budapest",
        threshold_unit="minutes",
        threshold_value=60,
        created_by=None,
        max_bytes=1_000_000,
    )
    db.session.commit()
    users = {
        "other_region": make_cheap_user("organiser", spanish),
        "same_region": make_cheap_user("organiser", other_hu),
        "admin": make_cheap_user("admin", None),
    }
    ids = {
        "event": event.id,
        "draft": draft.id,
        "confirmed": confirmed.id,
        "waiting": waiting.id,
        "pending": pending.id,
        "target": target.id,
        "region": regions["HU"].id,
        "spare_region": regions["LT"].id,
        "spare_partner": make_partner("IT", short_name="ITSPARE").id,
        "poll": poll.id,
        "slot": poll.slots[0].id,
        "partner": partner.id,
        "contact": contact.id,
        "meeting": meeting.id,
        "invitation": invitation.id,
        "item": item.id,
        "material": material.id,
        "speaker": speaker.id,
        "period": period.id,
        "plan": plan.id,
        "action": action.id,
        "today": today.id,
        "present": present.id,
        "checkin": present.checkin_token,
        "webinar": webinar.id,
        "upload": upload.id,
        "message": message.id,
    }
    return users, ids


def form_for(path: str, ids: dict) -> dict:
    if path.endswith("/attendance/import"):
        return {
            "report": (io.BytesIO((DATA / "teams_attendance.csv").read_bytes()), "teams.csv"),
            "threshold": "60",
            "threshold_unit": "minutes",
            "timezone": "Europe/Budapest",
        }
    if path.endswith("/threshold"):
        return {"threshold-threshold": "30", "threshold-threshold_unit": "minutes"}
    if "/reports/periods/" in path and not path.endswith("/delete"):
        return {"name": "Spring", "starts_on": "2027-01-01", "ends_on": "2027-06-30"}
    if path.endswith("/action-plans/new") or path.endswith("/action-plans/{plan}"):
        return {"region": "HU", "title": "Green SMEs", "policy_instrument": "ERDF"}
    if path.endswith("/actions/new") or path.endswith("/actions/{action}"):
        return {"title": "Export vouchers", "description": ""}
    if path.endswith("/unmatch"):
        return {"person": "0123456789abcdef"}
    if path.endswith("/attendance/{present}") or path.startswith("/organiser/check-in/"):
        return {"action": "present"}
    if path.endswith("/attendance/walk-in"):
        return {
            "walkin-name": "Walk In",
            "walkin-email": "walk.in@example.org",
            "walkin-stakeholder_type": "sme",
            "walkin-region": "",
            "walkin-consent": "y",
        }
    if path.endswith("/invitees/contacts"):
        return {"contacts": [str(ids["contact"])]}
    if path.endswith("/contacts/import"):
        return {"file": (io.BytesIO(b"name,email\nBea,bea@pannon.example\n"), "c.csv")}
    if path.endswith("/contacts") or path.endswith("/contacts/{contact}"):
        return {"name": "Bea", "email": "bea@pannon.example", "locale": "hu"}
    if path.endswith("/invitations"):
        return {"contacts": [str(ids["contact"])]}
    if path.endswith("/series/new"):
        return {"mode": "dates", "dates": "2031-01-07"}
    if "/programme/" in path and not path.endswith("/delete"):
        event = db.session.get(Event, ids["event"])
        # The item spans the event, which may end after local midnight.
        return {
            "kind": "talk",
            "title": "Talk",
            "starts_local": event.local_starts_at.strftime("%Y-%m-%dT%H:%M"),
            "ends_local": event.local_ends_at.strftime("%Y-%m-%dT%H:%M"),
        }
    if path.endswith("/materials"):
        return {
            "title": "Rec",
            "url": "https://x.example.org/r",
            "audience": "everyone",
            "item": "event",
        }
    if path.endswith("/materials/announce"):
        return {"audience": "registrants"}
    if "/speakers/" in path and not path.endswith("/delete"):
        return {"name": "Ana Ruiz"}
    if path.endswith("/registrations/new"):
        return {"name": "A", "email": "a@example.org", "stakeholder_type": "sme", "consent": "y"}
    if path.endswith("/confirm"):
        return {"override_reason": "needed"}
    if path.endswith("/registrations/decide"):
        return {"ids": [str(ids["pending"])], "decision": "approve"}
    if path.endswith("/polls/{poll}/invitees"):
        return {"name": "Ona", "email": "ona@example.org", "locale": "lt", "partner": ""}
    if path.endswith("/invitees/partner"):
        return {"partner": "SODEBUR"}
    if path.endswith("/users/new"):
        return {"email": "x@example.org", "name": "X", "role": "admin", "partner": ""}
    return {}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "other", "same", "admin"), EVENT_ROUTES)
def test_role_route_matrix(app, client, login, world, role, method, path, other, same, admin):
    users, ids = world
    if role != "anonymous":
        login(users[role])
    concrete = path.format(**ids)
    response = client.open(concrete, method=method, data=form_for(path, ids))
    if role == "anonymous":
        assert response.status_code in (302, 303)
        assert response.headers["Location"].startswith("/organiser/login?next=")
        return
    expected = {"other_region": other, "same_region": same, "admin": admin}[role]
    if expected == FORBIDDEN:
        assert response.status_code == 403, (role, method, concrete)
    elif expected == PASSES:
        assert response.status_code in (400, 404, 409), (role, method, concrete)
    else:
        assert response.status_code in (200, 302, 303), (
            role,
            method,
            concrete,
            response.status_code,
        )
        if response.status_code in (302, 303):
            assert not response.headers["Location"].startswith("/organiser/login")
    db.session.rollback()


def test_forbidden_changes_leave_the_event_untouched(client, login, world):
    users, ids = world
    login(users["other_region"])
    from webapp.models import Event

    client.post(f"/organiser/events/{ids['event']}/cancel", data={"reason": "x"})
    client.post(f"/organiser/events/{ids['draft']}/delete")
    db.session.expire_all()
    assert db.session.get(Event, ids["event"]).status == "published"
    assert db.session.get(Event, ids["draft"]) is not None


@pytest.mark.parametrize(
    "path",
    [
        "/organiser/events/999999",
        "/organiser/events/999999/edit",
        "/organiser/events/abc",
        "/organiser/events/{event}/registrations/999999/confirm",
    ],
)
def test_tampered_ids_are_404(client, login, world, path):
    users, ids = world
    login(users["admin"])
    assert client.get(path.format(**ids)).status_code == 404
