"""Polls through the browser's eyes: the organiser's pages, the invitee's link, e-mails."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import icalendar
import pytest

from webapp.extensions import db
from webapp.mail.delivery import backend_from_config
from webapp.mail.outbox import deliver_all_due
from webapp.models import Event, OutboxMessage, Poll, PollInvitee, User
from webapp.polls.services import public_holiday
from webapp.timezones import local_to_utc, utc_to_local, utcnow

TZ = "Europe/Budapest"


def local(days: int, hour: int = 10, minute: int = 0) -> datetime:
    """A wall-clock time in Budapest ``days`` from today."""
    today = utc_to_local(utcnow(), TZ).date()
    return datetime.combine(today + timedelta(days=days), time(hour, minute))


def fmt(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M")


def poll_form(host, **overrides) -> dict[str, str]:
    form = {
        "title": "Steering group",
        "kind": "partner_meeting",
        "description": "Agenda: action plans.",
        "partner": host.short_name,
        "event": "",
        "timezone": TZ,
        "duration_minutes": "60",
        "slots-0": fmt(local(20, 10)),
        "slots-1": fmt(local(21, 14)),
        "slots-2": "",
        "working_hours_start": "09:00",
        "working_hours_end": "17:00",
        "deadline_local": fmt(local(10, 17)),
        "remind_local": fmt(local(8, 9)),
        "save": "1",
    }
    form.update(overrides)
    return form


@pytest.fixture
def partners(make_partner, partner):
    return {
        "HU": partner,
        "ES": make_partner("ES", short_name="SODEBUR", name="SODEBUR"),
        "LT": make_partner("LT", short_name="KID", name="Klaipeda ID"),
    }


@pytest.fixture
def organiser(make_user, login, partners):
    return login(make_user(name="Orsolya"))


def create_poll(client, partner, **overrides) -> Poll:
    response = client.post("/organiser/polls/new", data=poll_form(partner, **overrides))
    poll = db.session.scalar(db.select(Poll).order_by(Poll.id.desc()))
    assert poll is not None, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(f"/organiser/polls/{poll.id}")
    return poll


def invite(client, poll, name, email, locale, partner=None):
    response = client.post(
        f"/organiser/polls/{poll.id}/invitees",
        data={
            "name": name,
            "email": email,
            "locale": locale,
            "partner": partner.short_name if partner else "",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalar(db.select(PollInvitee).where(PollInvitee.email == email))


def outbox(kind):
    return list(
        db.session.scalars(
            db.select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        )
    )


# --- the organiser's form ---------------------------------------------------------------


def test_the_new_poll_form_proposes_the_region_zone_and_working_hours(client, organiser):
    page = client.get("/organiser/polls/new").get_data(as_text=True)
    assert '<option selected value="Europe/Budapest">' in page
    assert 'name="working_hours_start"' in page and 'value="09:00"' in page
    assert page.count('type="datetime-local" ') >= 5  # three times, deadline, reminder
    assert "Time 3" in page


def test_a_new_poll_is_stored_with_its_slots_in_utc(client, organiser, partners):
    poll = create_poll(client, partners["HU"])
    assert [s.starts_at for s in poll.slots] == [
        local_to_utc(local(20, 10), TZ),
        local_to_utc(local(21, 14), TZ),
    ]
    assert poll.remind_at == local_to_utc(local(8, 9), TZ)
    assert poll.created_by_id == organiser.id and poll.status == "open"
    page = client.get(f"/organiser/polls/{poll.id}").get_data(as_text=True)
    assert "Each time in every region" in page and '<abbr title="Klaipėda">LT</abbr>' in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"slots-1": fmt(local(-1, 10))}, "This time has already passed."),
        ({"slots-1": fmt(local(20, 10))}, "This time is proposed twice (see time 1)."),
        ({"slots-1": fmt(local(20, 10, 30))}, "This time overlaps time 1"),
        ({"deadline_local": fmt(local(20, 11))}, "The deadline must come before the first"),
        ({"slots-0": "", "slots-1": ""}, "Propose at least one time."),
        ({"slots-0": "not a time"}, "Not a valid datetime value."),
        ({"working_hours_end": "08:00"}, "Working hours must end after they start."),
    ],
)
def test_bad_times_get_a_clear_error_and_store_nothing(
    client, organiser, partners, overrides, message
):
    response = client.post("/organiser/polls/new", data=poll_form(partners["HU"], **overrides))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Poll.id))) == 0


def test_a_slot_error_is_shown_next_to_the_row_it_belongs_to(client, organiser, partners):
    form = poll_form(partners["HU"], **{"slots-1": "", "slots-2": fmt(local(20, 10))})
    page = client.post("/organiser/polls/new", data=form).get_data(as_text=True)
    assert 'id="slots-2-error"' in page and 'id="slots-1-error"' not in page
    # The summary at the top names the row and links to it.
    assert '<a href="#slots-2">Time 3: This time is proposed twice (see time 1).</a>' in page


def test_no_time_at_all_is_named_in_the_summary_and_beside_the_list(client, organiser, partners):
    form = poll_form(partners["HU"], **{"slots-0": "", "slots-1": ""})
    page = client.post("/organiser/polls/new", data=form).get_data(as_text=True)
    assert '<a href="#slots-0">Proposed times: Propose at least one time.</a>' in page
    assert 'id="slots-error"' in page


def test_a_skipped_spring_time_is_refused(client, organiser, partners):
    # 02:30 on the last Sunday of March does not exist in Budapest.
    year = utcnow().year + 1
    sunday = max(
        datetime(year, 3, day) for day in range(25, 32) if datetime(year, 3, day).weekday() == 6
    )
    form = poll_form(
        partners["HU"],
        **{"slots-0": fmt(sunday.replace(hour=2, minute=30)), "deadline_local": fmt(local(1))},
    )
    page = client.post("/organiser/polls/new", data=form).get_data(as_text=True)
    assert "the clocks go forward that night" in page


def test_the_best_times_name_the_regions_where_a_time_is_poor(client, organiser, partners, regions):
    tuesday = next(
        d
        for d in range(20, 80)
        if local(d).weekday() == 1
        and not any(public_holiday(r, local(d).date()) for r in regions.values())
    )
    poll = create_poll(client, partners["HU"], **{"slots-0": fmt(local(tuesday, 8))})
    page = client.get(f"/organiser/polls/{poll.id}").get_data(as_text=True)
    # 08:00 in Budapest, Burgos, Milan and Rzeszów is before 09:00; Klaipėda reads 09:00.
    assert "Not a good time in ES, HU, IT, PL</span>" in page


def test_show_times_previews_every_region_without_saving(client, organiser, partners):
    form = poll_form(partners["HU"], **{"slots-0": fmt(local(20, 8))})
    del form["save"]
    form["check_times"] = "1"
    page = client.post("/organiser/polls/new", data=form).get_data(as_text=True)
    assert "Each proposed time on every region" in page
    assert "outside working hours" in page  # 08:00 in Budapest, 07:00 in Burgos
    assert db.session.scalar(db.select(db.func.count(Poll.id))) == 0


def test_add_another_time_adds_a_row(client, organiser, partners):
    form = poll_form(partners["HU"])
    del form["save"]
    form["add_slot"] = "1"
    page = client.post("/organiser/polls/new", data=form).get_data(as_text=True)
    assert 'name="slots-3"' in page


# --- access -----------------------------------------------------------------------------


def test_only_the_polls_partner_organisers_and_admins_manage_it(
    client, app, make_user, login, partners
):
    owner = login(make_user(name="Owner"))
    poll = create_poll(client, partners["HU"])
    slot = poll.slots[0]
    urls = [
        ("get", f"/organiser/polls/{poll.id}"),
        ("get", f"/organiser/polls/{poll.id}/slots/{slot.id}/choose"),
        ("post", f"/organiser/polls/{poll.id}/slots/{slot.id}/choose"),
        ("post", f"/organiser/polls/{poll.id}/invitees"),
        ("post", f"/organiser/polls/{poll.id}/invitees/partner"),
        ("post", f"/organiser/polls/{poll.id}/close"),
    ]
    # An organiser of another partner is refused everything.
    login(make_user(name="Other", partner=partners["ES"]))
    for method, url in urls:
        assert getattr(client, method)(url).status_code == 403, url
    assert "Steering group" not in client.get("/organiser/polls/").get_data(as_text=True)
    assert poll.status == "open" and not poll.invitees

    login(make_user(role="admin"))
    assert client.get(f"/organiser/polls/{poll.id}").status_code == 200
    assert "Steering group" in client.get("/organiser/polls/").get_data(as_text=True)

    login(owner)
    assert client.get(f"/organiser/polls/{poll.id}").status_code == 200
    assert client.get("/organiser/polls/999999").status_code == 404
    assert client.get(f"/organiser/polls/{poll.id}/slots/999999/choose").status_code == 404

    client.post("/organiser/logout")
    response = client.get(f"/organiser/polls/{poll.id}")
    assert "/organiser/login" in response.headers["Location"]


def test_an_organiser_cannot_open_a_poll_for_another_partner(client, organiser, partners):
    response = client.post(
        "/organiser/polls/new", data=poll_form(partners["HU"], **{"partner": "SODEBUR"})
    )
    assert "Choose the partner organising the meeting." in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Poll.id))) == 0


# --- the invitee's page -------------------------------------------------------------------


def test_an_unknown_or_mangled_token_gets_a_clear_404(client, app):
    for token in ("A" * 32, "short", "x" * 80):
        response = client.get(f"/polls/{token}")
        assert response.status_code == 404
        assert "This link to a poll is not valid" in response.get_data(as_text=True)
    assert client.post("/polls/" + "A" * 32, data={}).status_code == 404


def test_invitees_see_the_slots_in_their_own_zone_and_language(client, organiser, partners, app):
    poll = create_poll(client, partners["HU"])
    jonas = invite(client, poll, "Jonas", "jonas@kid.example", "lt", partners["LT"])
    carmen = invite(client, poll, "Carmen", "carmen@sodebur.example", "es", partners["ES"])
    visitor = app.test_client()

    page = visitor.get(f"/polls/{jonas.token}")
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    html = page.get_data(as_text=True)
    assert '<html lang="lt">' in html
    assert "11:00–12:00" in html  # 10:00 in Budapest is 11:00 in Klaipėda
    html = visitor.get(f"/polls/{carmen.token}").get_data(as_text=True)
    assert '<html lang="es">' in html and "10:00–11:00" in html

    # Carmen reads the times in another zone if she likes.
    response = visitor.post(f"/polls/{carmen.token}/timezone", data={"timezone": "Europe/London"})
    assert response.headers["Location"].endswith(f"/polls/{carmen.token}")
    # Spanish writes short times without a leading zero.
    assert ">9:00–10:00<" in visitor.get(f"/polls/{carmen.token}").get_data(as_text=True)
    bad = visitor.post(f"/polls/{carmen.token}/timezone", data={"timezone": "Nowhere/Land"})
    assert bad.status_code == 400
    db.session.refresh(carmen)
    assert carmen.timezone == "Europe/London"


def test_answers_are_saved_changed_and_refused_after_closing(client, organiser, partners, app):
    poll = create_poll(client, partners["HU"])
    anna = invite(client, poll, "Anna", "anna@pannon.example", "en", partners["HU"])
    first, second = poll.slots
    visitor = app.test_client()
    url = f"/polls/{anna.token}"

    response = visitor.post(
        url, data={f"slot-{first.id}": "yes", f"comment-{first.id}": "from the office"}
    )
    assert response.headers["Location"].endswith(url)
    response = visitor.post(url, data={f"slot-{first.id}": "no", f"slot-{second.id}": "if_need_be"})
    assert response.status_code == 303
    answers = {a.slot_id: a.answer for a in anna.answers}
    assert answers == {first.id: "no", second.id: "if_need_be"}
    page = visitor.get(url).get_data(as_text=True)
    assert re.search(rf'id="slot-{second.id}-if_need_be" value="if_need_be" checked', page)

    bad = visitor.post(url, data={f"slot-{first.id}": "perhaps"})
    assert bad.status_code == 400
    assert "Choose yes, if need be or no." in bad.get_data(as_text=True)
    db.session.expire_all()
    assert {a.slot_id: a.answer for a in anna.answers}[first.id] == "no"

    # A comment without an answer is not dropped silently: the page asks for the answer.
    lonely = visitor.post(
        url,
        data={
            f"slot-{first.id}": "yes",
            f"comment-{second.id}": "only on Tuesdays",
        },
    )
    assert lonely.status_code == 400
    text = lonely.get_data(as_text=True)
    assert "Choose yes, if need be or no for each time you comment on." in text
    assert 'value="only on Tuesdays"' in text

    poll.deadline_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    closed = visitor.post(url, data={f"slot-{first.id}": "yes"})
    assert closed.status_code == 409
    assert "This poll is closed: answers can no longer be changed." in closed.get_data(as_text=True)
    db.session.expire_all()
    assert {a.slot_id: a.answer for a in anna.answers}[first.id] == "no"
    assert "disabled" in visitor.get(url).get_data(as_text=True)


def test_answering_with_csrf_on_needs_the_token(client, organiser, partners, app):
    poll = create_poll(client, partners["HU"])
    anna = invite(client, poll, "Anna", "anna@pannon.example", "en", partners["HU"])
    app.config["WTF_CSRF_ENABLED"] = True
    visitor = app.test_client()
    response = visitor.post(f"/polls/{anna.token}", data={f"slot-{poll.slots[0].id}": "yes"})
    assert response.status_code == 400
    assert "The form had expired" in response.get_data(as_text=True)
    db.session.expire_all()
    assert not anna.answers


# --- end to end: choosing a time ---------------------------------------------------------


def test_choosing_a_time_end_to_end_with_e_mails(
    client, organiser, partners, app, smtp_server, make_user
):
    make_user(name="Ona", email="ona@kid.example", partner=partners["LT"], locale="lt")
    poll = create_poll(client, partners["HU"])
    anna = invite(client, poll, "Anna", "anna@pannon.example", "hu", partners["HU"])
    carmen = invite(client, poll, "Carmen", "carmen@sodebur.example", "es", partners["ES"])
    response = client.post(f"/organiser/polls/{poll.id}/invitees/partner", data={"partner": "KID"})
    assert response.status_code == 302
    ona = db.session.scalar(db.select(PollInvitee).where(PollInvitee.email == "ona@kid.example"))
    assert ona.locale == "lt" and ona.timezone == "Europe/Vilnius"
    assert len(outbox("poll_invitation")) == 3

    first, second = poll.slots
    visitor = app.test_client()
    visitor.post(
        f"/polls/{anna.token}", data={f"slot-{first.id}": "no", f"slot-{second.id}": "yes"}
    )
    visitor.post(
        f"/polls/{carmen.token}",
        data={f"slot-{first.id}": "yes", f"slot-{second.id}": "if_need_be"},
    )
    visitor.post(f"/polls/{ona.token}", data={f"slot-{first.id}": "no", f"slot-{second.id}": "yes"})

    page = client.get(f"/organiser/polls/{poll.id}").get_data(as_text=True)
    best = page.index("Best times first")
    choose_second = page.index(f"/slots/{second.id}/choose", best)
    choose_first = page.index(f"/slots/{first.id}/choose", best)
    assert choose_second < choose_first  # two yes beat one
    assert "Every region represented" in page

    confirm = client.get(f"/organiser/polls/{poll.id}/slots/{second.id}/choose")
    assert "A new online event is published for the partners" in confirm.get_data(as_text=True)
    response = client.post(f"/organiser/polls/{poll.id}/slots/{second.id}/choose")
    event = db.session.scalar(db.select(Event))
    assert response.headers["Location"].endswith(f"/organiser/events/{event.id}")
    assert event.starts_at == second.starts_at and event.title == "Steering group"
    db.session.refresh(poll)
    assert poll.status == "decided"
    assert [s.status for s in poll.slots] == ["released", "chosen"]

    # Once chosen, no second choice and no more answers.
    again = client.post(f"/organiser/polls/{poll.id}/slots/{first.id}/choose")
    assert "already been chosen" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert visitor.post(f"/polls/{anna.token}", data={f"slot-{first.id}": "yes"}).status_code == 409
    outcome_page = visitor.get(f"/polls/{carmen.token}").get_data(as_text=True)
    assert "Se ha elegido la hora" in outcome_page  # her page, in Spanish

    backend = backend_from_config(app.config, app.instance_path)
    deliver_all_due(backend, app.config, domain="events.example.org")
    decided = {
        m.rcpt_tos[0]: m.message
        for m in smtp_server.messages
        if m.message["Subject"].startswith("Time chosen")
        or "Steering group," in m.message["Subject"]
    }
    assert sorted(m.to_address for m in outbox("poll_decided")) == sorted(
        ["anna@pannon.example", "carmen@sodebur.example", "ona@kid.example"]
    )
    message = decided["carmen@sodebur.example"]
    calendars = [
        part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"
    ]
    assert calendars, "the outcome carries the event's calendar file"
    (vevent,) = icalendar.Calendar.from_ical(calendars[-1].get_payload(decode=True)).walk("VEVENT")
    assert vevent.decoded("DTSTART").astimezone(second.starts_at.tzinfo) == second.starts_at
    assert event.online_url in message.get_body(("plain",)).get_content()


def test_a_partner_organising_a_poll_is_not_deleted_with_it(
    client, make_user, login, partners, make_partner
):
    lonely = make_partner("IT", short_name="UCL", name="Unioncamere Lombardia")
    login(make_user(role="admin"))
    poll = create_poll(client, lonely)
    response = client.post(f"/organiser/partners/{lonely.id}/delete")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "UCL organises polls to find a meeting time, so it cannot be deleted." in page
    db.session.expire_all()
    assert db.session.get(Poll, poll.id).partner.short_name == "UCL"


def test_the_demo_data_has_an_open_poll_half_answered(runner, client, login):
    runner.invoke(args=["seed-demo"])
    runner.invoke(args=["seed-demo"])
    (poll,) = db.session.scalars(db.select(Poll)).all()
    assert poll.is_open() and len(poll.slots) == 3
    assert 0 < sum(i.has_answered for i in poll.invitees) < len(poll.invitees)
    login(db.session.scalar(db.select(User).where(User.email == "eva.kovacs@pannon-egtc.example")))
    page = client.get(f"/organiser/polls/{poll.id}").get_data(as_text=True)
    assert "Best times first" in page and "Rūta Jankauskienė" in page


def test_a_time_that_has_passed_cannot_be_chosen(client, organiser, partners):
    poll = create_poll(client, partners["HU"])
    first = poll.slots[0]
    first.starts_at = utcnow() - timedelta(hours=1)
    first.ends_at = utcnow()
    db.session.commit()
    response = client.post(f"/organiser/polls/{poll.id}/slots/{first.id}/choose")
    assert response.status_code == 400
    assert "That time has already passed; choose a later one." in response.get_data(as_text=True)
    db.session.expire_all()
    assert poll.status == "open" and db.session.scalar(db.select(Event)) is None
