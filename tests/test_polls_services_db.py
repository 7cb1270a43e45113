"""Polls that find a time: slots across zones, answers, ranking, choosing, reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from webapp.extensions import db
from webapp.models import Event, OutboxMessage, Poll, PollAnswer, PollInvitee, PollSlot
from webapp.polls import services
from webapp.polls.services import AnswerData, PollData, PollError
from webapp.timezones import local_to_utc

# The spring change of 2027 in the EU is on Sunday 28 March: Budapest goes from UTC+1 to
# UTC+2, Vilnius from UTC+2 to UTC+3, Madrid and Rome and Warsaw with Budapest.
NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
BEFORE_DST = local_to_utc(datetime(2027, 3, 25, 10, 0), "Europe/Budapest")  # Thursday
SATURDAY = local_to_utc(datetime(2027, 3, 27, 10, 0), "Europe/Budapest")
AFTER_DST = local_to_utc(datetime(2027, 3, 30, 10, 0), "Europe/Budapest")  # Tuesday
DEADLINE = local_to_utc(datetime(2027, 3, 20, 17, 0), "Europe/Budapest")


def poll_data(partner, starts=(BEFORE_DST, AFTER_DST), **overrides) -> PollData:
    values = {
        "title": "Steering group, spring",
        "kind": "partner_meeting",
        "timezone": "Europe/Budapest",
        "duration_minutes": 90,
        "deadline_at": DEADLINE,
        "partner": partner,
        "starts": list(starts),
        "description": "Agenda: the action plans.",
        "remind_at": None,
        "working_hours": (9 * 60, 17 * 60),
    }
    values.update(overrides)
    return PollData(**values)


@pytest.fixture
def partners(make_partner, partner):
    return {
        "HU": partner,
        "IT": make_partner("IT", short_name="UCL", name="Unioncamere Lombardia"),
        "ES": make_partner("ES", short_name="SODEBUR", name="SODEBUR"),
        "LT": make_partner("LT", short_name="KID", name="Klaipeda ID"),
        "PL": make_partner("PL", short_name="RARR", name="Rzeszow RDA"),
    }


@pytest.fixture
def organiser(make_user):
    return make_user()


@pytest.fixture
def make_poll(partners, organiser):
    def factory(**overrides) -> Poll:
        poll = services.create_poll(
            poll_data(partners["HU"], **overrides), actor=organiser, now=NOW
        )
        db.session.commit()
        return poll

    return factory


def invite(poll, partner, name, locale="en"):
    invitee = services.add_invitee(
        poll,
        name=name,
        email=f"{name.lower()}@example.org",
        locale=locale,
        partner=partner,
        now=NOW,
    )
    db.session.commit()
    return invitee


def answer(invitee, poll, *answers, now=NOW):
    services.save_answers(
        invitee,
        {slot.id: AnswerData(a, "") for slot, a in zip(poll.slots, answers, strict=True)},
        now=now,
    )
    db.session.commit()


def outbox(kind=None):
    stmt = db.select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        stmt = stmt.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(stmt))


# --- slots across zones and a DST change --------------------------------------------------


def test_the_same_wall_clock_time_across_the_dst_change_is_an_hour_apart_in_utc(make_poll, regions):
    poll = make_poll()
    before, after = poll.slots
    assert before.starts_at == datetime(2027, 3, 25, 9, 0, tzinfo=UTC)
    assert after.starts_at == datetime(2027, 3, 30, 8, 0, tzinfo=UTC)
    assert before.ends_at - before.starts_at == timedelta(minutes=90)

    for slot in (before, after):
        cells = {
            c.region.code: c
            for c in services.region_slots(slot, list(regions.values()), (540, 1020))
        }
        # Every region's clock moved with Budapest's: same local times on both days.
        assert cells["HU"].start.strftime("%H:%M") == "10:00"
        assert cells["ES"].start.strftime("%H:%M") == "10:00"
        assert cells["LT"].start.strftime("%H:%M") == "11:00"
        assert cells["LT"].end.strftime("%H:%M") == "12:30"
        assert not any(c.outside_hours for c in cells.values())


def test_flags_show_working_hours_weekends_and_public_holidays_per_region(regions):
    early = local_to_utc(datetime(2027, 3, 30, 8, 0), "Europe/Madrid")  # 09:00 in Vilnius
    cells = {
        c.region.code: c
        for c in (
            services.region_slot(early, early + timedelta(hours=1), r, (540, 1020))
            for r in regions.values()
        )
    }
    assert cells["ES"].outside_hours and cells["HU"].outside_hours
    assert not cells["LT"].outside_hours  # 09:00–10:00 in Vilnius

    thursday = {
        c.region.code: c
        for c in (
            services.region_slot(BEFORE_DST, BEFORE_DST + timedelta(hours=1), r, (540, 1020), "en")
            for r in regions.values()
        )
    }
    # Maundy Thursday is a holiday in Castilla y León (Burgos), not elsewhere.
    spanish = services.region_slot(BEFORE_DST, BEFORE_DST, regions["ES"], (540, 1020))
    assert spanish.holiday == "Jueves Santo"  # no language asked: the country's own
    assert thursday["ES"].holiday == "Maundy Thursday"
    assert [code for code, c in thursday.items() if c.holiday] == ["ES"]
    assert not any(c.weekend for c in thursday.values())

    saturday = services.region_slot(
        SATURDAY, SATURDAY + timedelta(hours=1), regions["PL"], (540, 1020)
    )
    assert saturday.weekend and not saturday.is_good
    # Holiday names come in the reader's language where the calendar has it.
    easter_monday = local_to_utc(datetime(2027, 3, 29, 10, 0), "Europe/Budapest")
    hungarian = services.region_slot(
        easter_monday, easter_monday + timedelta(hours=1), regions["HU"], (540, 1020), "hu"
    )
    assert hungarian.holiday == "Húsvét Hétfő"


# --- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"starts": [BEFORE_DST, NOW - timedelta(hours=1)]}, "slots-1", "already passed"),
        ({"starts": [BEFORE_DST, AFTER_DST, BEFORE_DST]}, "slots-2", "proposed twice"),
        (
            {"starts": [AFTER_DST, BEFORE_DST, BEFORE_DST + timedelta(minutes=60)]},
            "slots-2",
            "overlaps time 2",
        ),
        ({"deadline_at": AFTER_DST}, "deadline_local", "before the first proposed time"),
        ({"deadline_at": NOW - timedelta(minutes=1)}, "deadline_local", "already passed"),
        ({"remind_at": DEADLINE + timedelta(hours=1)}, "remind_local", "before the deadline"),
        ({"starts": []}, "slots", "at least one time"),
        ({"timezone": "Mars/Olympus"}, "timezone", "time zone"),
    ],
)
def test_bad_slots_and_deadlines_are_refused_next_to_their_field(
    partners, organiser, overrides, field, message
):
    with pytest.raises(PollError) as caught:
        services.create_poll(poll_data(partners["HU"], **overrides), actor=organiser, now=NOW)
    assert caught.value.field == field
    assert message in str(caught.value)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Poll.id))) == 0


def test_back_to_back_slots_do_not_overlap(make_poll):
    poll = make_poll(starts=[BEFORE_DST, BEFORE_DST + timedelta(minutes=90)])
    assert len(poll.slots) == 2


# --- invitees and answers in three zones -------------------------------------------------


def test_invitees_get_a_personal_link_in_their_language_and_zone(make_poll, partners):
    poll = make_poll()
    anna = invite(poll, partners["HU"], "Anna", "hu")
    outsider = services.add_invitee(
        poll, name="Olga", email="OLGA@Example.org", locale="en", partner=None, now=NOW
    )
    db.session.commit()

    assert len(anna.token) >= 22  # 192 bits, URL-safe
    assert anna.timezone == "Europe/Budapest"
    assert outsider.email == "olga@example.org" and outsider.timezone == poll.timezone
    (message, _other) = outbox("poll_invitation")
    assert message.to_address == anna.email
    assert message.subject == f"Mikor ér rá? {poll.title}"  # in her language
    assert f"https://events.example.org/polls/{anna.token}" in message.body_text
    with pytest.raises(PollError, match="already invited"):
        services.add_invitee(
            poll, name="Anna again", email="ANNA@example.org", locale="hu", partner=None, now=NOW
        )


def test_answers_in_three_zones_are_stored_per_slot_and_can_change_until_closing(
    make_poll, partners
):
    poll = make_poll()
    hu = invite(poll, partners["HU"], "Anna")
    es = invite(poll, partners["ES"], "Carmen")
    lt = invite(poll, partners["LT"], "Jonas")
    assert {hu.timezone, es.timezone, lt.timezone} == {
        "Europe/Budapest",
        "Europe/Madrid",
        "Europe/Vilnius",
    }
    answer(hu, poll, "yes", "no")
    answer(es, poll, "if_need_be", "yes")
    answer(lt, poll, "yes", "yes")
    answer(hu, poll, "yes", "if_need_be")  # changed her mind

    matrix = services.answer_matrix(poll)
    before, after = poll.slots
    assert matrix[(hu.id, after.id)].answer == "if_need_be"
    assert matrix[(es.id, before.id)].answer == "if_need_be"
    assert len(matrix) == 6

    with pytest.raises(services.PollClosed):
        answer(lt, poll, "no", "no", now=DEADLINE)
    db.session.rollback()
    assert services.answer_matrix(poll)[(lt.id, before.id)].answer == "yes"


def test_an_answer_needs_at_least_one_choice_and_known_values(make_poll, partners):
    poll = make_poll()
    anna = invite(poll, partners["HU"], "Anna")
    with pytest.raises(PollError, match="at least one"):
        services.save_answers(anna, {s.id: AnswerData(None) for s in poll.slots}, now=NOW)
    with pytest.raises(PollError):
        services.save_answers(anna, {poll.slots[0].id: AnswerData("maybe")}, now=NOW)
    with pytest.raises(PollError):
        services.save_answers(anna, {999999: AnswerData("yes")}, now=NOW)


# --- ranking ----------------------------------------------------------------------------


def test_best_slots_first_most_yes_then_if_need_be_then_regions_represented(partners, make_poll):
    starts = [
        BEFORE_DST,
        AFTER_DST,
        AFTER_DST + timedelta(hours=3),
        AFTER_DST + timedelta(days=1),
    ]
    poll = make_poll(starts=starts)
    a = invite(poll, partners["HU"], "Anna")
    b = invite(poll, partners["HU"], "Bela")
    c = invite(poll, partners["IT"], "Carla")
    d = invite(poll, partners["LT"], "Daiva")
    # slot 0: 2 yes (HU only)             → yes 2, inb 0, regions 1
    # slot 1: 2 yes (HU, IT), 1 if need be (LT) → yes 2, inb 1, regions 3
    # slot 2: 2 yes (HU, HU), 1 if need be (IT) → yes 2, inb 1, regions 2
    # slot 3: 3 yes                         → best
    answer(a, poll, "yes", "yes", "yes", "yes")
    answer(b, poll, "yes", "no", "yes", "yes")
    answer(c, poll, "no", "yes", "if_need_be", "yes")
    answer(d, poll, "no", "if_need_be", "no", "no")

    ranked = services.slot_summaries(poll)
    order = [poll.slots.index(s.slot) for s in ranked]
    assert order == [3, 1, 2, 0]
    best, second = ranked[0], ranked[1]
    assert (best.yes, best.if_need_be, best.no) == (3, 0, 1)
    assert not best.every_region_represented  # Lithuania said no
    assert second.every_region_represented
    assert second.by_region["LT"].if_need_be == 1 and second.by_region["HU"].invited == 2
    assert ranked[2].regions_represented == 2


# --- choosing a slot --------------------------------------------------------------------


def test_choosing_a_slot_creates_the_event_releases_the_others_and_tells_everyone(
    make_poll, partners, organiser, app
):
    poll = make_poll()
    anna = invite(poll, partners["HU"], "Anna", "hu")
    carmen = invite(poll, partners["ES"], "Carmen", "es")
    invite(poll, partners["LT"], "Jonas", "lt")
    answer(anna, poll, "yes", "yes")
    answer(carmen, poll, "no", "yes")
    chosen = poll.slots[1]

    event = services.choose_slot(poll, chosen, actor=organiser, now=NOW)
    db.session.commit()

    assert (event.kind, event.title) == ("partner_meeting", poll.title)
    assert (event.starts_at, event.ends_at) == (chosen.starts_at, chosen.ends_at)
    assert event.timezone == "Europe/Budapest" and event.status == "published"
    assert event.visibility == "partners" and event.online_url.startswith("https://meet.jit.si/")
    assert sorted(event.region_codes) == ["ES", "HU", "LT"]
    assert poll.event_id == event.id and poll.status == "decided"
    assert [s.status for s in poll.slots] == ["released", "chosen"]

    decided = outbox("poll_decided")
    assert sorted(m.to_address for m in decided) == sorted(i.email for i in poll.invitees)
    spanish = next(m for m in decided if m.to_address == carmen.email)
    assert "30 de marzo de 2027" in spanish.body_text  # her language and zone
    (ics,) = spanish.attachments
    assert ics["filename"] == f"{event.slug}.ics"
    assert "DTSTART" in ics["content"] and event.online_url in ics["content"]

    with pytest.raises(PollError, match="already been chosen"):
        services.choose_slot(poll, poll.slots[0], actor=organiser, now=NOW)


def test_choosing_a_slot_moves_an_existing_event_and_tells_its_registrants(
    partners, organiser, make_event, make_registration
):
    event = make_event(start=datetime(2027, 4, 20, 9, 0, tzinfo=UTC), kind="webinar")
    registration = make_registration(event)
    poll = services.create_poll(poll_data(partners["HU"], event=event), actor=organiser, now=NOW)
    invite(poll, partners["IT"], "Carla", "it")
    sequence = event.sequence

    services.choose_slot(poll, poll.slots[0], actor=organiser, now=NOW)
    db.session.commit()

    assert db.session.scalar(db.select(db.func.count(Event.id))) == 1
    assert event.starts_at == BEFORE_DST and event.kind == "partner_meeting"
    assert event.sequence == sequence + 1
    changed = outbox("event_changed")
    assert [m.to_address for m in changed] == [registration.email]
    assert len(outbox("poll_decided")) == 1


# --- reminders and the deadline ------------------------------------------------------------


def test_one_reminder_to_those_who_have_not_answered_at_the_time_set(make_poll, partners):
    remind_at = DEADLINE - timedelta(days=2)
    poll = make_poll(remind_at=remind_at)
    anna = invite(poll, partners["HU"], "Anna")
    bela = invite(poll, partners["HU"], "Bela")
    answer(anna, poll, "yes", "no")

    assert services.queue_due_poll_reminders(remind_at - timedelta(minutes=1)) == 0
    assert services.queue_due_poll_reminders(remind_at) == 1
    db.session.commit()
    assert services.queue_due_poll_reminders(remind_at + timedelta(hours=1)) == 0
    (message,) = outbox("poll_reminder")
    assert message.to_address == bela.email
    assert bela.token in message.body_text


def test_polls_remind_command_closes_polls_past_their_deadline(runner, make_poll, partners):
    poll = make_poll()
    poll.deadline_at = datetime.now(UTC) - timedelta(minutes=5)
    poll.remind_at = None
    db.session.commit()

    result = runner.invoke(args=["polls", "remind"])

    assert result.exit_code == 0, result.output
    assert "closed 1 poll past" in result.output
    db.session.refresh(poll)
    assert poll.status == "closed"
    assert not poll.is_open()


def test_tokens_are_looked_up_exactly(make_poll, partners):
    poll = make_poll()
    anna = invite(poll, partners["HU"], "Anna")
    assert services.find_invitee(anna.token) == anna
    assert services.find_invitee(anna.token.upper() + "x") is None
    assert services.find_invitee("../etc") is None
    assert db.session.get(PollInvitee, anna.id).token == anna.token


def test_purge_personal_data_deletes_polls_long_after_their_last_time(
    runner, app, partners, organiser
):
    app.config["PERSONAL_DATA_RETENTION_DAYS"] = 365
    now = datetime.now(UTC)
    old = services.create_poll(
        poll_data(
            partners["HU"],
            starts=[now - timedelta(days=400)],
            deadline_at=now - timedelta(days=401),
        ),
        actor=organiser,
        now=now - timedelta(days=410),
    )
    recent = services.create_poll(
        poll_data(
            partners["HU"],
            starts=[now - timedelta(days=300)],
            deadline_at=now - timedelta(days=301),
        ),
        actor=organiser,
        now=now - timedelta(days=310),
    )
    for poll in (old, recent):
        invitee = services.add_invitee(
            poll,
            name="Anna",
            email="anna@example.org",
            locale="hu",
            partner=partners["HU"],
            now=poll.deadline_at - timedelta(days=1),
        )
        services.save_answers(
            invitee,
            {poll.slots[0].id: AnswerData("yes", "ok")},
            now=poll.deadline_at - timedelta(days=1),
        )
    db.session.commit()
    old_id, recent_id = old.id, recent.id

    dry = runner.invoke(args=["purge-personal-data", "--dry-run"])
    assert "1 polls whose last proposed time was over 365 days ago." in dry.output
    result = runner.invoke(args=["purge-personal-data"])

    assert result.exit_code == 0, result.output
    assert "Deleted 1 polls (with their invitees and answers)" in result.output
    db.session.expire_all()
    assert db.session.get(Poll, old_id) is None
    assert db.session.get(Poll, recent_id).invitees[0].answers[0].answer == "yes"
    remaining = db.session.scalars(db.select(PollInvitee.poll_id)).all()
    assert remaining == [recent_id]
    assert db.session.scalar(db.select(db.func.count(PollAnswer.id))) == 1
    assert db.session.scalar(db.select(db.func.count(PollSlot.id))) == 1
