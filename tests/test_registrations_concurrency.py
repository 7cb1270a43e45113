"""Capacity under real concurrency: gunicorn workers on PostgreSQL, many clients at once.

Each client first loads the form (for its session cookie and CSRF token, which stay on
in this server), then all of them post at the same moment.
"""

from __future__ import annotations

import http.client
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import create_engine, text

from tests.support.gunicorn import gunicorn_server
from webapp.extensions import db
from webapp.models import Registration
from webapp.registrations import services

pytestmark = pytest.mark.postgres_only

CAPACITY = 10
FIRST_WAVE = 60
SECOND_WAVE_REGISTRATIONS = 25
CSRF_RE = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"'
)


class Browser:
    """One visitor: a keep-alive connection and its session cookie."""

    def __init__(self, base_url: str):
        target = urlsplit(base_url)
        self.connection = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None):
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        page = response.read().decode()
        for header in response.msg.get_all("Set-Cookie") or []:
            name, _, value = header.split(";", 1)[0].partition("=")
            if value:
                self.cookies[name.strip()] = value
            else:
                self.cookies.pop(name.strip(), None)
        return response.status, response.getheader("Location", ""), page

    def csrf_token(self, path: str) -> str:
        status, _, page = self.request("GET", path)
        assert status == 200, (path, status)
        match = CSRF_RE.search(page)
        assert match, "no CSRF token in the form"
        return match.group(1) or match.group(2)

    def close(self) -> None:
        self.connection.close()


def registration_form(n: int, token: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "name": f"Stakeholder {n}",
        "email": f"stakeholder{n}@example.org",
        "organisation": "Example SME",
        "stakeholder_type": "sme",
        "region": ("HU", "IT", "PL", "ES", "LT", "other")[n % 6],
        "consent": "y",
    }


def run_together(actions, *, workers: int):
    """Prepare every action, then release them all at once; returns their results."""
    barrier = threading.Barrier(len(actions))

    def run(action):
        prepare, fire = action
        state = prepare()
        barrier.wait(timeout=120)
        return fire(state)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, actions))


def register_action(base_url: str, slug: str, n: int):
    path = f"/events/{slug}/register"

    def prepare():
        browser = Browser(base_url)
        return browser, browser.csrf_token(path)

    def fire(state):
        browser, token = state
        try:
            status, location, _ = browser.request("POST", path, registration_form(n, token))
            return ("register", n, status, location)
        finally:
            browser.close()

    return prepare, fire


def cancel_action(base_url: str, token: str):
    path = f"/registrations/{token}"

    def prepare():
        browser = Browser(base_url)
        return browser, browser.csrf_token(path)

    def fire(state):
        browser, csrf = state
        try:
            status, location, _ = browser.request("POST", f"{path}/cancel", {"csrf_token": csrf})
            return ("cancel", token, status, location)
        finally:
            browser.close()

    return prepare, fire


def snapshot(event_id: int) -> tuple[dict[str, int], list[int]]:
    db.session.expire_all()
    counts = services.status_counts([event_id])[event_id]
    waiting = db.session.scalars(
        db.select(Registration)
        .where(Registration.event_id == event_id, Registration.status == "waitlisted")
        .order_by(Registration.id)
    )
    return counts, [services.waitlist_position(r) for r in waiting]


class ConfirmedWatcher:
    """Counts confirmed seats from a separate connection, over and over, while work runs."""

    def __init__(self, url: str, event_id: int):
        self.engine = create_engine(url)
        self.event_id = event_id
        self.highest = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        with self.engine.connect() as connection:
            while not self._stop.is_set():
                confirmed = connection.execute(
                    text(
                        "SELECT count(*) FROM registrations "
                        "WHERE event_id = :id AND status = 'confirmed'"
                    ),
                    {"id": self.event_id},
                ).scalar_one()
                connection.rollback()
                self.highest = max(self.highest, confirmed)
                self.samples += 1

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=10)
        self.engine.dispose()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_simultaneous_registrations_and_cancellations_never_oversell(app, database_url, make_event):
    event = make_event(slug="popular-webinar", capacity=CAPACITY)
    event_id = event.id
    db.session.commit()

    with gunicorn_server(database_url, workers=4) as base_url:
        with ConfirmedWatcher(database_url, event_id) as watcher:
            first = run_together(
                [register_action(base_url, event.slug, n) for n in range(FIRST_WAVE)],
                workers=FIRST_WAVE,
            )
        assert all(status == 303 for _, _, status, _ in first), sorted(
            {status for *_, status, _ in first}
        )
        assert all("/check-your-inbox" in location for *_, location in first)
        counts, positions = snapshot(event_id)
        assert counts["confirmed"] == CAPACITY
        assert counts["waitlisted"] == FIRST_WAVE - CAPACITY
        assert positions == list(range(1, FIRST_WAVE - CAPACITY + 1))
        assert watcher.highest <= CAPACITY

        # Half the confirmed people and a few waiting ones cancel while newcomers register.
        confirmed = list(
            db.session.scalars(
                db.select(Registration)
                .where(Registration.event_id == event_id, Registration.status == "confirmed")
                .order_by(Registration.id)
            )
        )
        waiting = list(
            db.session.scalars(
                db.select(Registration)
                .where(Registration.event_id == event_id, Registration.status == "waitlisted")
                .order_by(Registration.id)
            )
        )
        cancelling = [r.token for r in confirmed[: CAPACITY // 2]] + [r.token for r in waiting[:3]]
        next_in_line = {r.id for r in waiting[3 : 3 + CAPACITY // 2]}
        actions = [cancel_action(base_url, token) for token in cancelling] + [
            register_action(base_url, event.slug, FIRST_WAVE + n)
            for n in range(SECOND_WAVE_REGISTRATIONS)
        ]
        with ConfirmedWatcher(database_url, event_id) as watcher:
            second = run_together(actions, workers=len(actions))

    assert all(status == 303 for _, _, status, _ in second), sorted(
        {status for *_, status, _ in second}
    )
    counts, positions = snapshot(event_id)
    assert watcher.highest <= CAPACITY
    assert watcher.samples > 0
    assert counts["confirmed"] == CAPACITY
    assert counts["cancelled"] == len(cancelling)
    expected_waiting = FIRST_WAVE + SECOND_WAVE_REGISTRATIONS - CAPACITY - len(cancelling)
    assert counts["waitlisted"] == expected_waiting
    assert positions == list(range(1, expected_waiting + 1))
    # The freed seats went to the people who had waited longest, not to newcomers.
    promoted = set(
        db.session.scalars(
            db.select(Registration.id).where(
                Registration.event_id == event_id,
                Registration.status == "confirmed",
                Registration.id.in_(next_in_line),
            )
        )
    )
    assert promoted == next_in_line
