"""Every organiser route × every role: anonymous, organiser of another region, same region, admin.

Expected: anonymous visitors are sent to the login page; an organiser of another region
may look at events but changes and registrants answer 403; the host region's organiser
and administrators get through. User administration is for administrators only.
"""

from __future__ import annotations

import itertools

import pytest
from werkzeug.security import generate_password_hash

from webapp.extensions import db
from webapp.models import Event, Material, ProgrammeItem, Speaker, User

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
    ("GET", "/organiser/account/password", ALLOWED, ALLOWED, ALLOWED),
    ("POST", "/organiser/account/password", ALLOWED, ALLOWED, ALLOWED),
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
ROLES = ("anonymous", "other_region", "same_region", "admin")


def test_the_matrix_covers_every_organiser_route(app):
    covered = {(m, p.split("{")[0].rstrip("/")) for m, p, *_ in EVENT_ROUTES}
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("organiser.") or rule.endpoint in (
            "organiser.login",
            "organiser.logout",
            "organiser.set_password",
        ):
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            prefix = rule.rule.split("<")[0].rstrip("/")
            assert (method, prefix) in covered or any(
                m == method and p.startswith(prefix) for m, p in covered
            ), (method, rule.rule)
    assert len(EVENT_ROUTES) >= sum(
        len(r.methods - {"HEAD", "OPTIONS"})
        for r in app.url_map.iter_rules()
        if r.endpoint.startswith("organiser.")
        and r.endpoint not in ("organiser.login", "organiser.logout", "organiser.set_password")
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
        "item": item.id,
        "material": material.id,
        "speaker": speaker.id,
    }
    return users, ids


def form_for(path: str, ids: dict) -> dict:
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
