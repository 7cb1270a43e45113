"""Every organiser route × every role: anonymous, organiser of another region, same region, admin.

Polls are stricter than events: only the poll's own partner and administrators manage one.

Expected: anonymous visitors are sent to the login page; an organiser of another region
may look at events but changes and registrants answer 403; the host region's organiser
and administrators get through. User administration is for administrators only.
"""

from __future__ import annotations

import io
import itertools
from datetime import UTC, datetime, timedelta

import pytest
from werkzeug.security import generate_password_hash

from webapp.extensions import db
from webapp.models import (
    Event,
    Invitation,
    Material,
    PartnerContact,
    Poll,
    PollSlot,
    ProgrammeItem,
    Speaker,
    User,
)

ALLOWED = "allowed"
FORBIDDEN = "forbidden"

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


def test_the_matrix_covers_every_organiser_route(app):
    covered = {(m, p.split("{")[0].rstrip("/")) for m, p, *_ in EVENT_ROUTES}
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("organiser.") or rule.endpoint in LOGIN_ENDPOINTS:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            prefix = rule.rule.split("<")[0].rstrip("/")
            assert (method, prefix) in covered or any(
                m == method and p.startswith(prefix) for m, p in covered
            ), (method, rule.rule)
    assert len(EVENT_ROUTES) >= sum(
        len(r.methods - {"HEAD", "OPTIONS"})
        for r in app.url_map.iter_rules()
        if r.endpoint.startswith("organiser.") and r.endpoint not in LOGIN_ENDPOINTS
    )


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
    }
    return users, ids


def form_for(path: str, ids: dict) -> dict:
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
        start = event.local_starts_at.strftime("%Y-%m-%dT%H:%M")
        return {
            "kind": "talk",
            "title": "Talk",
            "starts_local": start,
            "ends_local": start[:-5] + event.local_ends_at.strftime("%H:%M"),
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
