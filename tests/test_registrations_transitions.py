"""The registration state machine: its transition table, its refusals, and that it is the
only place in the application where a registration's status is set."""

from __future__ import annotations

import ast
import itertools
from datetime import timedelta
from pathlib import Path

import pytest

from webapp.extensions import db
from webapp.models import REGISTRATION_STATUSES, AuditEntry, OutboxMessage, Registration
from webapp.registrations import checkin, transitions
from webapp.registrations.rules import InvalidTransition
from webapp.registrations.transitions import NEW, TRANSITIONS, allowed

ACTIVE = {"confirmed", "waitlisted", "pending"}

# Every transition the product allows, written out: (cause, from, to). Anything not
# listed must be refused.
EXPECTED = {
    *(("register", NEW, to) for to in ("confirmed", "waitlisted", "pending")),
    *(("invitation_attend", NEW, to) for to in ("confirmed", "waitlisted")),
    ("approve", "pending", "confirmed"),
    ("approve", "pending", "waitlisted"),
    ("reject", "pending", "rejected"),
    ("reject", "waitlisted", "rejected"),
    *(
        (cause, source, "cancelled")
        for cause in (
            "cancel",
            "cancel_by_organiser",
            "invitation_withdrawn",
            "erase",
            "hold_expired",
        )
        for source in ACTIVE
    ),
    ("promote", "waitlisted", "confirmed"),
    ("confirm_from_waiting_list", "waitlisted", "confirmed"),
    *(("walk_in", source, "confirmed") for source in (NEW, "pending", "waitlisted")),
    ("admit_at_check_in", "pending", "confirmed"),
    ("admit_at_check_in", "waitlisted", "confirmed"),
    ("seed", NEW, "confirmed"),
    ("seed", NEW, "waitlisted"),
}


def test_the_transition_table_allows_exactly_the_listed_changes():
    sources = (NEW, *REGISTRATION_STATUSES)
    for cause, source, target in itertools.product(TRANSITIONS, sources, REGISTRATION_STATUSES):
        assert allowed(cause, source, target) == ((cause, source, target) in EXPECTED), (
            cause,
            source,
            target,
        )
    assert {cause for cause, _, _ in EXPECTED} == set(TRANSITIONS)
    assert not allowed("no-such-cause", NEW, "confirmed")


def test_no_transition_leaves_a_final_status():
    for transition in TRANSITIONS.values():
        assert not transition.sources & {"cancelled", "rejected"}


def _outbox() -> list[tuple[str, int]]:
    return [
        (m.kind, m.registration_id)
        for m in db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id))
    ]


def _audit() -> list[tuple[str, int | None]]:
    return [
        (a.action, a.registration_id)
        for a in db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id))
    ]


@pytest.mark.parametrize("status", ["confirmed", "waitlisted", "cancelled", "rejected"])
def test_approving_anything_but_a_pending_registration_is_refused(
    make_event, make_registration, status
):
    registration = make_registration(make_event(requires_approval=True), status=status)
    with pytest.raises(InvalidTransition):
        transitions.approve_registration(registration)
    db.session.rollback()
    db.session.refresh(registration)
    assert registration.status == status
    assert _outbox() == [] and _audit() == []


@pytest.mark.parametrize("status", ["confirmed", "cancelled", "rejected"])
def test_turning_down_is_refused_once_confirmed_or_final(make_event, make_registration, status):
    registration = make_registration(make_event(), status=status)
    with pytest.raises(InvalidTransition):
        transitions.reject_registration(registration)
    assert registration.status == status


@pytest.mark.parametrize("status", ["cancelled", "rejected"])
def test_cancelling_a_final_registration_changes_nothing(make_event, make_registration, status):
    registration = make_registration(make_event(), status=status)
    assert transitions.cancel_registration(registration) == []
    assert registration.status == status
    assert _outbox() == []


def test_a_disallowed_change_is_refused_before_anything_is_written(make_event, make_registration):
    registration = make_registration(make_event(), status="rejected")
    with pytest.raises(InvalidTransition):
        transitions._move(registration, "promote", "confirmed", mail="promoted")
    assert registration.status == "rejected"
    assert _outbox() == []


def test_organiser_cancellation_writes_the_audit_entry_with_the_promoted(
    make_event, make_registration, make_user
):
    organiser = make_user("organiser")
    event = make_event(capacity=1)
    seated = make_registration(event)
    waiting = make_registration(event, status="waitlisted")
    promoted = transitions.cancel_registration(seated, actor=organiser)
    db.session.commit()
    assert [r.id for r in promoted] == [waiting.id]
    assert (seated.status, waiting.status) == ("cancelled", "confirmed")
    assert _outbox() == [("cancelled", seated.id), ("promoted", waiting.id)]
    entry = db.session.scalar(db.select(AuditEntry))
    assert (entry.action, entry.user_id, entry.registration_id) == (
        "registration.cancelled",
        organiser.id,
        seated.id,
    )
    assert entry.details == {"previous_status": "confirmed", "promoted": [waiting.id]}


@pytest.mark.parametrize(("status", "mail"), [("waitlisted", "promoted"), ("pending", "approved")])
def test_admitting_at_check_in_locks_audits_and_mails(
    make_event, make_registration, make_user, status, mail
):
    organiser = make_user("organiser")
    start = make_event().starts_at.replace(hour=9, minute=0)  # any event day will do
    event = make_event(start=start, capacity=1, requires_approval=status == "pending")
    make_registration(event)  # the one seat is taken: admission at the door ignores that
    person = make_registration(event, status=status)
    result = checkin.check_in_by_token(
        person.checkin_token, recorded_by=organiser, now=start + timedelta(minutes=5), confirm=True
    )
    db.session.commit()
    assert result.outcome == "checked_in" and person.status == "confirmed"
    assert result.attendance.status == "present" and result.attendance.source == "qr"
    assert _outbox() == [(mail, person.id)]
    entry = db.session.scalar(db.select(AuditEntry))
    assert (entry.action, entry.user_id, entry.registration_id) == (
        "registration.admitted",
        organiser.id,
        person.id,
    )
    assert entry.details == {"previous_status": status}


def test_admission_of_a_registration_cancelled_meanwhile_is_refused(make_event, make_registration):
    start = make_event().starts_at.replace(hour=9, minute=0)
    event = make_event(start=start)
    person = make_registration(event, status="waitlisted")
    # Another organiser cancels between the scan and this organiser's "admit" button;
    # the object in hand still says "waitlisted".
    db.session.execute(
        db.update(Registration).where(Registration.id == person.id).values(status="cancelled")
    )
    with pytest.raises(InvalidTransition):
        transitions.admit_at_check_in(person, actor=None, now=start)
    assert person.status == "cancelled"
    assert _outbox() == [] and _audit() == []


# --- nobody else sets a status -------------------------------------------------------------

PACKAGE = Path(__file__).resolve().parents[1] / "webapp"
STATE_MACHINE = PACKAGE / "registrations" / "transitions.py"
# Names that hold another aggregate's status (events and the data of their forms,
# attendance records, polls and their slots): not a registration's business.
OTHER_AGGREGATES = {"event", "copy", "template", "data", "record", "poll", "other", "slot"}


def status_assignments(source: str) -> list[int]:
    """Line numbers in ``source`` that set a registration's status.

    Caught: ``x.status = …`` (and ``+=``, annotated) on anything not named as another
    aggregate, ``setattr(x, "status", …)``, ``Registration(…, status=…)`` and
    ``update(Registration).values(status=…)``.
    """
    lines = []
    for node in ast.walk(ast.parse(source)):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            elements = target.elts if isinstance(target, ast.Tuple | ast.List) else [target]
            for element in elements:
                if (
                    isinstance(element, ast.Attribute)
                    and element.attr == "status"
                    and not (
                        isinstance(element.value, ast.Name) and element.value.id in OTHER_AGGREGATES
                    )
                ):
                    lines.append(node.lineno)
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        keywords = {k.arg for k in node.keywords}
        if name == "setattr" and len(node.args) >= 2:
            attribute = node.args[1]
            if isinstance(attribute, ast.Constant) and attribute.value == "status":
                lines.append(node.lineno)
        if name == "Registration" and "status" in keywords:
            lines.append(node.lineno)
        if name == "values" and "status" in keywords and "Registration" in ast.unparse(func):
            lines.append(node.lineno)
    return sorted(set(lines))


def test_the_check_catches_every_way_of_setting_a_status():
    source = """
registration.status = "confirmed"
r.status, other.status = "", ""
setattr(person, "status", "cancelled")
Registration(event=e, status="confirmed")
db.session.execute(update(Registration).where(x).values(status="cancelled"))
event.status = "cancelled"
record.status = "present"
form.status.data = ""
Event(status="draft")
"""
    assert status_assignments(source) == [2, 3, 4, 5, 6]


def test_only_the_state_machine_sets_a_registration_status():
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{line}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != STATE_MACHINE and "migrations" not in path.parts
        for line in status_assignments(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "set the status through webapp.registrations.transitions"
    assert status_assignments(STATE_MACHINE.read_text(encoding="utf-8"))
