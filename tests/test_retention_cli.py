"""``flask purge-personal-data``: registrations anonymised after the retention period."""

from __future__ import annotations

from datetime import timedelta

from webapp.extensions import db
from webapp.mail.queue import queue_registration_mail
from webapp.models import Attendance, OutboxMessage, Registration


def test_purge_anonymises_only_registrations_of_events_past_retention(
    runner, app, make_event, make_registration
):
    app.config["PERSONAL_DATA_RETENTION_DAYS"] = 365
    old = make_event(start=timedelta(days=-400))
    recent = make_event(start=timedelta(days=-300))
    gone = make_registration(old, name="Ana Kovač", email="ana@sme.example", organisation="SME")
    kept = make_registration(recent, name="Jonas Petraitis")
    db.session.add(Attendance(registration=gone, day=old.days[0], status="present"))
    queue_registration_mail(gone, "confirmed")
    db.session.commit()

    dry = runner.invoke(args=["purge-personal-data", "--dry-run"])
    assert dry.output == "1 registrations of events that ended over 365 days ago.\n"
    assert db.session.get(Registration, gone.id).name == "Ana Kovač"

    result = runner.invoke(args=["purge-personal-data"])
    again = runner.invoke(args=["purge-personal-data"])

    assert result.exit_code == 0
    assert result.output == "Anonymised 1 registrations of events that ended over 365 days ago.\n"
    assert again.output.startswith("Anonymised 0 ")
    db.session.expire_all()
    erased = db.session.get(Registration, gone.id)
    assert erased.erased_at is not None
    assert "Ana" not in erased.name and "ana@sme.example" not in erased.email
    assert erased.organisation == ""
    assert erased.status == "confirmed" and len(erased.attendances) == 1  # reports keep counts
    assert db.session.get(Registration, kept.id).name == "Jonas Petraitis"
    assert db.session.scalars(db.select(OutboxMessage)).all() == []  # unsent mail dropped


def test_purge_days_option_overrides_the_setting_and_refuses_nonsense(
    runner, make_event, make_registration
):
    registration = make_registration(make_event(start=timedelta(days=-40)))
    assert runner.invoke(args=["purge-personal-data", "--days", "0"]).exit_code == 2
    assert runner.invoke(args=["purge-personal-data", "--days", "x"]).exit_code == 2
    assert runner.invoke(args=["purge-personal-data"]).output.startswith("Anonymised 0 ")
    result = runner.invoke(args=["purge-personal-data", "--days", "30"])
    assert result.output.startswith("Anonymised 1 ")
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).erased_at is not None


def test_purge_empties_invitation_comments_of_old_meetings(runner, app, make_event, partner):
    from webapp.models import Invitation, PartnerContact

    app.config["PERSONAL_DATA_RETENTION_DAYS"] = 365
    contact = PartnerContact(partner=partner, name="Anna", email="anna@pannon.example")
    old = Invitation(
        event=make_event(start=timedelta(days=-400), visibility="partners"),
        contact=contact,
        answer="decline",
        comment="On sick leave",
    )
    recent = Invitation(
        event=make_event(start=timedelta(days=-30), visibility="partners"),
        contact=contact,
        answer="maybe",
        comment="Depends on the budget",
    )
    db.session.add_all([old, recent])
    db.session.commit()
    result = runner.invoke(args=["purge-personal-data"])
    assert "Emptied 1 invitation comments" in result.output
    db.session.expire_all()
    assert (old.comment, old.answer) == ("", "decline")
    assert recent.comment == "Depends on the budget"
    assert contact.name == "Anna"  # a current contact stays until removed
