"""Odd characters and out-of-range dates get a clear answer, never a server error.

NUL bytes are refused by PostgreSQL in any text value (a 500 before), CR/LF in a
redirect target broke the response after the action had happened, and years such as
1 or 9999 overflowed date arithmetic in reports and the event form.
"""

from __future__ import annotations

import pytest

from tests.test_organiser_events_views import form_data
from webapp.extensions import db
from webapp.mail.delivery import backend_from_config
from webapp.mail.outbox import deliver_all_due
from webapp.models import Event, Registration


@pytest.fixture
def organiser(make_user, login):
    return login(make_user("organiser"))


def _is_clear_400(response) -> None:
    assert response.status_code == 400, response.status_code
    body = response.get_data(as_text=True)
    assert "control character" in body


# --- NUL bytes anywhere ------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/?q=a%00b",
        "/?region=H%00U",
        "/?kind=%00",
        "/regions/H%00U",
        "/regions/HU/calendar.ics?kind=web%00inar",
        "/calendar.ics?kind=%00",
        "/api/v1/events?q=%00",
        "/api/v1/events?region=%00",
        "/events/x%00y",
        "/registrations/abc%00def",
        "/language/hu?next=/%00",
    ],
)
def test_nul_in_the_url_is_a_clear_400(client, make_event, path):
    make_event()
    # In English: a region's pages otherwise speak the region's language.
    _is_clear_400(client.get(path, headers={"Accept-Language": "en"}))


def test_nul_in_the_api_gets_a_json_400(client):
    response = client.get("/api/v1/events?q=%00")
    assert response.status_code == 400
    assert response.is_json and "control character" in response.get_json()["error"]


def test_nul_in_a_registration_form_is_refused_and_stores_nothing(client, make_event):
    event = make_event()
    response = client.post(
        f"/events/{event.slug}/register",
        data={
            "name": "Anna\x00Kovács",
            "email": "anna@example.org",
            "stakeholder_type": "sme",
            "region": "HU",
            "consent": "y",
        },
    )
    _is_clear_400(response)
    assert db.session.scalar(db.select(db.func.count()).select_from(Registration)) == 0


def test_nul_in_an_organiser_form_and_search_is_a_clear_400(client, organiser, make_event):
    event = make_event(host_partner=organiser.partner)
    _is_clear_400(client.get(f"/organiser/events/{event.id}/registrations?q=%00"))
    _is_clear_400(client.post("/organiser/events/new", data=form_data(title="Export\x00")))
    _is_clear_400(client.get("/organiser/reports?kind=%00"))
    assert db.session.scalar(db.select(db.func.count()).select_from(Event)) == 1


def test_nul_in_the_login_form_is_a_clear_400(client):
    _is_clear_400(client.post("/organiser/login", data={"email": "a\x00@b.c", "password": "x"}))


# --- CR/LF in redirect targets -----------------------------------------------------------


def test_crlf_in_next_after_login_redirects_to_the_dashboard(client, make_user):
    make_user("organiser", email="organiser@partner.example")
    response = client.post(
        "/organiser/login?next=/organiser/%0d%0aSet-Cookie:%20x=1",
        data={"email": "organiser@partner.example", "password": "correct horse battery"},
    )
    assert response.status_code in (302, 303)
    assert response.headers["Location"] == "/organiser/"
    assert "x=1" not in response.headers.get("Set-Cookie", "")


def test_crlf_in_return_query_still_redirects_safely(
    client, organiser, make_event, make_registration
):
    event = make_event(host_partner=organiser.partner, capacity=5)
    person = make_registration(event, status="waitlisted")
    response = client.post(
        f"/organiser/events/{event.id}/registrations/{person.id}/reject",
        data={"return_query": "status=waitlisted\r\nX-Evil: 1&q=a b"},
    )
    assert response.status_code in (302, 303)
    location = response.headers["Location"]
    assert "\r" not in location and "\n" not in location and "X-Evil: 1" not in location
    assert location.startswith(f"/organiser/events/{event.id}/registrations")
    assert "status=waitlisted" in location
    db.session.expire_all()
    assert db.session.get(Registration, person.id).status == "rejected"


# --- dates out of range ------------------------------------------------------------------


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "0001-01-02"])
def test_reports_refuse_dates_out_of_range_with_a_form_error(client, organiser, day):
    for query in (f"date_from={day}", f"date_to={day}", f"date_from={day}&date_to={day}"):
        response = client.get(f"/organiser/reports?{query}")
        assert response.status_code == 400, query
        assert "Enter a date between" in response.get_data(as_text=True)
        response = client.get(f"/organiser/reports/events.csv?{query}")
        assert response.status_code == 400, query


@pytest.mark.parametrize(
    ("starts", "ends"),
    [
        ("9999-12-31T23:00", "9999-12-31T23:30"),
        ("0001-01-01T00:30", "0001-01-01T01:00"),
        ("2030-01-01T10:00", "9999-12-31T23:59"),
    ],
)
def test_event_form_refuses_dates_out_of_range(client, organiser, starts, ends):
    response = client.post(
        "/organiser/events/new", data=form_data(starts_local=starts, ends_local=ends)
    )
    assert response.status_code == 200  # the form again, with the error next to the field
    assert "Enter a date between" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Event)) == 0


def test_event_form_refuses_registration_window_out_of_range(client, organiser):
    response = client.post(
        "/organiser/events/new", data=form_data(registration_closes_local="9999-12-31T23:59")
    )
    assert response.status_code == 200
    assert "Enter a date between" in response.get_data(as_text=True)


# --- join links and text fields ---------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://meet.jit.si/room\r\nBcc: victim@example.org",
        "https://meet.jit.si/room\n",
        "https://meet.jit.si/ro om",
        "https://meet.jit.si/room\t",
        "https://meet.jit.si/room\x07",
        "https://meet.jit.si/room\u2028x",
    ],
)
def test_join_link_with_whitespace_or_control_characters_is_refused(client, organiser, url):
    response = client.post("/organiser/events/new", data=form_data(online_url=url))
    assert response.status_code == 200
    assert "A link cannot contain spaces, line breaks or control characters." in (
        response.get_data(as_text=True)
    )
    assert db.session.scalar(db.select(db.func.count()).select_from(Event)) == 0


def test_text_fields_lose_control_characters(client, organiser):
    response = client.post(
        "/organiser/events/new",
        data=form_data(
            title="Export\x1b[31m readiness\r\n webinar\x07",
            summary="Line one\r\nLine two\x0b",
            venue="Hall\x08 A",
        ),
    )
    event = db.session.scalar(db.select(Event))
    assert event is not None, response.get_data(as_text=True)
    assert event.title == "Export[31m readiness  webinar"
    assert event.summary == "Line one\nLine two"
    assert event.venue == "Hall A"


def test_registration_text_loses_control_characters(client, make_event):
    event = make_event()
    response = client.post(
        f"/events/{event.slug}/register",
        data={
            "name": "Anna\x1b Kovács\r\nBcc: x@example.org",
            "email": "anna@example.org",
            "organisation": "\x01=Evil Ltd",
            "stakeholder_type": "sme",
            "region": "HU",
            "consent": "y",
        },
    )
    assert response.status_code in (302, 303)
    registration = db.session.scalar(db.select(Registration))
    assert registration.name == "Anna Kovács Bcc: x@example.org"
    assert registration.organisation == "=Evil Ltd"


# --- an event stored before the check ---------------------------------------------------


def test_a_stored_join_link_with_a_line_break_does_not_break_registration(
    app, client, make_event, smtp_server
):
    # Stored by an earlier version that did not check the link.
    event = make_event(online_url="https://meet.jit.si/room\r\nBcc: victim@example.org")
    response = client.post(
        f"/events/{event.slug}/register",
        data={
            "name": "Anna Kovács",
            "email": "anna@example.org",
            "stakeholder_type": "sme",
            "region": "HU",
            "consent": "y",
        },
    )
    assert response.status_code in (302, 303)
    registration = db.session.scalar(db.select(Registration))
    assert registration.status == "confirmed"
    page = client.get(f"/registrations/{registration.token}")
    assert page.status_code == 200
    assert "Bcc: victim" not in page.get_data(as_text=True)
    feed = client.get(f"/feeds/{registration.feed_token}.ics")
    assert feed.status_code == 200 and b"victim" not in feed.data
    backend = backend_from_config(app.config, app.instance_path)
    report = deliver_all_due(backend, app.config, domain="events.example.org")
    assert report.sent >= 1 and not report.failed
    assert smtp_server.messages
    assert all("victim" not in m.message.as_string() for m in smtp_server.messages)
    # The stored value is left as it was for the organiser to correct.
    db.session.expire_all()
    assert db.session.get(Event, event.id).online_url.startswith("https://meet.jit.si/room\r\n")


def test_organisers_are_told_to_replace_a_stored_unusable_join_link(client, organiser, make_event):
    event = make_event(
        host_partner=organiser.partner, online_url="https://meet.jit.si/room\r\nBcc: x@y.org"
    )
    page = client.get(f"/organiser/events/{event.id}").get_data(as_text=True)
    assert "The stored link contains spaces, line breaks or control characters" in page
    assert 'href="https://meet.jit.si/room' not in page


def test_every_form_of_the_application_cleans_its_fields(app):
    """A form that bypasses ``webapp.input_hygiene`` would take control characters again."""
    import importlib
    import pkgutil

    import flask_wtf
    import wtforms

    import webapp
    from webapp import input_hygiene

    # Every module of the package that defines forms, including areas added later.
    for module in pkgutil.walk_packages(webapp.__path__, "webapp."):
        if module.name.rsplit(".", 1)[-1] in {"forms", "views"}:
            importlib.import_module(module.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = [
        cls
        for cls in subclasses(wtforms.Form)
        if cls.__module__.startswith("webapp.") and cls.__module__ != "webapp.input_hygiene"
    ]
    assert len(ours) > 15
    unclean = [
        cls.__qualname__
        for cls in ours
        if not issubclass(cls, input_hygiene.FlaskForm | input_hygiene.Form)
    ]
    assert not unclean
    assert flask_wtf.FlaskForm in input_hygiene.FlaskForm.__mro__
