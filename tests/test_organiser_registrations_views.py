"""Managing an event's registrations, and exporting them safely."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from webapp.exports import safe_cell
from webapp.extensions import db
from webapp.models import AuditEntry, OutboxMessage, Question, Registration


@pytest.fixture
def organiser(make_user, login):
    return login(make_user("organiser"))


def url(event, tail=""):
    return f"/organiser/events/{event.id}/registrations{tail}"


def kinds_sent() -> list[tuple[str, int]]:
    return [
        (m.kind, m.registration_id)
        for m in db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id))
    ]


def test_list_searches_and_filters_by_status(client, organiser, make_event, make_registration):
    event = make_event()
    make_registration(event, name="Ana Lopez", organisation="Burgos Foods")
    make_registration(event, name="Jonas Petraitis", status="waitlisted")
    make_registration(event, name="Marta Nowak", status="pending")
    page = client.get(url(event)).get_data(as_text=True)
    assert all(n in page for n in ("Ana Lopez", "Jonas Petraitis", "Marta Nowak"))
    assert "Confirmed: <strong>1</strong>" in page
    page = client.get(url(event), query_string={"q": "burgos"}).get_data(as_text=True)
    assert "Ana Lopez" in page and "Jonas" not in page
    page = client.get(url(event), query_string={"status": "pending"}).get_data(as_text=True)
    assert "Marta Nowak" in page and "Ana Lopez" not in page
    bad = client.get(url(event), query_string={"status": "bogus"})
    assert bad.status_code == 200 and "Ana Lopez" in bad.get_data(as_text=True)


def test_approve_and_reject_pending(client, organiser, make_event, make_registration):
    event = make_event(requires_approval=True)
    first = make_registration(event, status="pending")
    second = make_registration(event, status="pending")
    response = client.post(url(event, f"/{first.id}/approve"))
    assert response.headers["Location"].endswith(url(event))
    client.post(url(event, f"/{second.id}/reject"))
    db.session.expire_all()
    assert (first.status, second.status) == ("confirmed", "rejected")
    assert kinds_sent() == [("approved", first.id), ("rejected", second.id)]
    actions = list(db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["registration.approved", "registration.rejected"]


def test_confirm_from_waiting_list_needs_a_reason_when_full(
    client, organiser, make_event, make_registration
):
    event = make_event(capacity=1)
    make_registration(event)
    waiting = make_registration(event, status="waitlisted")
    page = client.post(url(event, f"/{waiting.id}/confirm"), data={"override_reason": ""})
    assert "The event is full." in page.get_data(as_text=True)
    db.session.expire_all()
    assert waiting.status == "waitlisted"
    response = client.post(
        url(event, f"/{waiting.id}/confirm"), data={"override_reason": "Keynote speaker"}
    )
    assert response.headers["Location"].endswith(url(event))
    db.session.expire_all()
    assert waiting.status == "confirmed"
    entry = db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "registration.confirmed")
    )
    assert entry.details == {"override_reason": "Keynote speaker"}


def test_cancel_on_behalf_promotes_the_next_person(
    client, organiser, make_event, make_registration
):
    event = make_event(capacity=1)
    holder = make_registration(event)
    waiting = make_registration(event, status="waitlisted")
    client.post(url(event, f"/{holder.id}/cancel"))
    db.session.expire_all()
    assert (holder.status, waiting.status) == ("cancelled", "confirmed")
    assert ("cancelled", holder.id) in kinds_sent() and ("promoted", waiting.id) in kinds_sent()


def test_resend_link_queues_the_link_mail(client, organiser, make_event, make_registration):
    event = make_event()
    registration = make_registration(event)
    client.post(url(event, f"/{registration.id}/resend"))
    assert kinds_sent() == [("link_resent", registration.id)]


def test_add_registration_by_hand(client, organiser, make_event):
    event = make_event()
    response = client.post(
        url(event, "/new"),
        data={
            "name": "Giulia Rossi",
            "email": "Giulia.Rossi@Example.IT",
            "organisation": "Lombardy SMEs",
            "stakeholder_type": "sme",
            "region": "IT",
            "locale": "it",
            "consent": "y",
        },
    )
    assert response.headers["Location"].endswith(url(event))
    registration = db.session.scalar(db.select(Registration))
    assert (registration.email, registration.status, registration.locale) == (
        "giulia.rossi@example.it",
        "confirmed",
        "it",
    )
    assert kinds_sent() == [("confirmed", registration.id)]


def test_add_registration_rejects_bad_input(client, organiser, make_event):
    event = make_event()
    page = client.post(
        url(event, "/new"),
        data={"name": "", "email": "not-an-address", "stakeholder_type": "alien", "region": "ZZ"},
    ).get_data(as_text=True)
    assert "This field is required." in page
    assert "Invalid email address." in page or "valid e-mail" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Registration)) == 0


def test_a_registration_of_another_event_is_404(client, organiser, make_event, make_registration):
    event = make_event()
    other = make_registration(make_event())
    assert client.post(url(event, f"/{other.id}/cancel")).status_code == 404
    db.session.expire_all()
    assert other.status == "confirmed"
    assert client.get("/organiser/events/999999/registrations").status_code == 404


def test_exports_have_every_field_and_answer_and_neutralise_formulas(
    client, organiser, make_event, make_registration
):
    event = make_event()
    question = Question(event=event, label="Sector", kind="short_text")
    db.session.add(question)
    db.session.commit()
    make_registration(
        event,
        name='=HYPERLINK("http://evil","x")',
        organisation="+SUM(A1)",
        answers={str(question.id): "@cmd"},
    )
    make_registration(event, name="Tab", organisation="\tTabbed", answers={})

    response = client.get(url(event, ".csv"))
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["Id", "Status", "Name", "E-mail"] and rows[0][-1] == "Sector"
    assert rows[1][2] == '\'=HYPERLINK("http://evil","x")'
    assert rows[1][4] == "'+SUM(A1)" and rows[1][-1] == "'@cmd"
    assert rows[2][4] == "'\tTabbed"

    response = client.get(url(event, ".xlsx"))
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][-1] == "Sector"
    assert values[1][2].startswith("'=") and values[1][-1] == "'@cmd"
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("-2", "'-2"),
        ("@x", "'@x"),
        ("\rline", "'\rline"),
        ("plain", "plain"),
        (-2, -2),
        (None, None),
        (["a", "=b"], "a; =b"),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_organiser_of_another_region_cannot_see_registrants(
    client, make_user, login, make_event, make_registration, make_partner
):
    spanish = make_partner("ES")
    login(make_user("organiser", partner=spanish))
    event = make_event()
    make_registration(event)
    assert client.get(url(event)).status_code == 403
    assert client.get(url(event, ".csv")).status_code == 403
    assert client.get(f"/organiser/events/{event.id}").status_code == 200
