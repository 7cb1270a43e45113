"""The ``flask`` commands: demo data and user creation."""

from datetime import date

from webapp.demo import EVENTS, PARTNERS, REGIONS, load_demo_data
from webapp.extensions import db
from webapp.models import Attendance, Event, Partner, Question, Region, Registration, User


def test_seed_demo_loads_regions_partners_users_and_events(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "5 regions, 7 partners, 8 users and" in result.output
    assert "password:" in result.output
    assert db.session.scalar(db.select(db.func.count()).select_from(Region)) == len(REGIONS) == 5
    assert db.session.scalar(db.select(db.func.count()).select_from(Partner)) == len(PARTNERS) == 7
    zones = set(db.session.scalars(db.select(Region.timezone)))
    assert zones == {
        "Europe/Budapest",
        "Europe/Rome",
        "Europe/Warsaw",
        "Europe/Madrid",
        "Europe/Vilnius",
    }
    events = list(db.session.scalars(db.select(Event)))
    assert len(events) == len(EVENTS) >= 20
    assert {e.kind for e in events} == {"partner_meeting", "study_visit", "webinar"}
    assert any(e.is_over() for e in events) and any(not e.is_over() for e in events)
    assert any(len(e.days) > 1 for e in events if e.kind == "study_visit")
    assert db.session.scalar(db.select(db.func.count()).select_from(Registration)) > 50
    assert db.session.scalar(db.select(db.func.count()).select_from(Attendance)) > 20


def test_seed_demo_is_idempotent(runner):
    runner.invoke(args=["seed-demo"])
    counts = [
        db.session.scalar(db.select(db.func.count()).select_from(m))
        for m in (Event, Registration, User)
    ]
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0
    assert "0 regions, 0 partners, 0 users and 0 events added" in result.output
    assert "password:" not in result.output
    again = [
        db.session.scalar(db.select(db.func.count()).select_from(m))
        for m in (Event, Registration, User)
    ]
    assert again == counts


def test_demo_attendance_only_on_past_events(app):
    load_demo_data(today=date(2026, 11, 26))
    db.session.commit()
    for attendance in db.session.scalars(db.select(Attendance)):
        assert attendance.registration.event.is_over()
        assert attendance.registration.status == "confirmed"


def test_demo_catalogue_renders(runner, client):
    runner.invoke(args=["seed-demo"])
    page = client.get("/").get_data(as_text=True)
    assert "Acceleration services for start-ups" in page
    assert client.get("/events/study-visit-lombardy-digital-export").status_code == 200
    assert client.get("/events/partner-meeting-internal-steering").status_code == 404


def test_create_user_asks_for_the_password_twice(runner, partner):
    result = runner.invoke(
        args=[
            "create-user",
            "Anna.Nowak@RARR.example",
            "--role",
            "organiser",
            "--partner",
            "PANNON",
        ],
        input="a long enough password\na long enough password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User).where(User.email == "anna.nowak@rarr.example"))
    assert user.check_password("a long enough password")


def test_create_user_with_password_from_stdin(runner, partner):
    result = runner.invoke(
        args=[
            "create-user",
            "new@partner.example",
            "--role",
            "organiser",
            "--partner",
            "PANNON",
            "--password-stdin",
        ],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User).where(User.email == "new@partner.example"))
    assert user.partner.short_name == "PANNON"
    assert user.check_password("a long enough password")
    assert user.password_hash != "a long enough password"


def test_create_user_rejects_bad_input(runner, partner):
    bad = [
        (["create-user", "not-an-address", "--role", "admin", "--password-stdin"], "EMAIL"),
        (["create-user", "x@example.org", "--role", "boss", "--password-stdin"], "--role"),
        (["create-user", "x@example.org", "--role", "organiser", "--password-stdin"], "partner"),
        (
            [
                "create-user",
                "x@example.org",
                "--role",
                "organiser",
                "--partner",
                "NOPE",
                "--password-stdin",
            ],
            "NOPE",
        ),
        (["create-user", "x@example.org", "--role", "admin", "--password-stdin"], "12 characters"),
    ]
    for args, message in bad:
        result = runner.invoke(args=args, input="short\n")
        assert result.exit_code != 0, args
        assert message in result.output, (args, result.output)
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


def test_create_user_refuses_duplicate(runner):
    runner.invoke(
        args=["create-user", "a@example.org", "--role", "admin", "--password-stdin"],
        input="a long enough password\n",
    )
    result = runner.invoke(
        args=["create-user", "A@example.org", "--role", "admin", "--password-stdin"],
        input="a long enough password\n",
    )
    assert result.exit_code != 0
    assert "already exists" in result.output


def test_demo_addresses_keep_every_letter_of_accented_names(app):
    load_demo_data(today=date(2026, 11, 26))
    emails = set(db.session.scalars(db.select(Registration.email)))
    assert "gintare.kazlauskaite@stakeholder.example" in emails
    assert "carmen.lopez@stakeholder.example" in emails


def test_demo_events_offer_some_texts_in_the_host_regions_language(runner, client):
    runner.invoke(args=["seed-demo"])
    page = client.get(
        "/events/webinar-acceleration-services-startups", headers={"Accept-Language": "lt"}
    ).get_data(as_text=True)
    assert "Akceleravimo paslaugos kūrybinių industrijų" in page
    page = client.get(
        "/events/webinar-acceleration-services-startups", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    assert "Acceleration services for start-ups" in page


def test_create_user_refuses_a_common_password(runner):
    for password in (
        "password1234",
        "qwertyuiop123",
        "1234567890123",
        "Interventures2026",
        "boss@partner.example",
    ):
        result = runner.invoke(
            args=["create-user", "boss@partner.example", "--role", "admin", "--password-stdin"],
            input=password + "\n",
        )
        assert result.exit_code != 0, password
        assert "too easy to guess" in result.output, (password, result.output)
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


def test_seed_demo_prints_passwords_that_log_in_and_pass_the_policy(runner, client):
    import re

    from webapp.organiser.passwords import password_problem

    result = runner.invoke(args=["seed-demo"])
    printed = re.findall(r"^\s+(\w+)\s+(\S+@\S+)\s+password: (\S+)$", result.output, re.M)
    assert len(printed) == db.session.scalar(db.select(db.func.count()).select_from(User)) > 1
    for _role, email, password in printed:
        assert password_problem(password, user_inputs=(email,)) is None, password
    _role, email, password = printed[0]
    response = client.post("/organiser/login", data={"email": email, "password": password})
    assert response.headers["Location"] == "/organiser/"


def test_seed_demo_adds_partner_contacts_invited_to_the_steering_group(runner):
    from webapp.demo import CONTACTS, STEERING_SLUG
    from webapp.models import Invitation, PartnerContact

    runner.invoke(args=["seed-demo"])
    runner.invoke(args=["seed-demo"])
    contacts = db.session.scalars(db.select(PartnerContact)).all()
    assert len(contacts) == len(CONTACTS)
    invitations = db.session.scalars(db.select(Invitation)).all()
    assert {i.event.slug for i in invitations} == {STEERING_SLUG}
    attending = [i for i in invitations if i.answer == "attend"]
    assert attending and all(i.registration.status == "confirmed" for i in attending)


def test_demo_programmes_speakers_and_materials_are_loaded_once(app):
    from webapp.models import Material, ProgrammeItem, Speaker

    load_demo_data(today=date(2026, 11, 26))
    db.session.commit()
    visit = db.session.scalar(
        db.select(Event).where(Event.slug == "study-visit-lombardy-digital-export")
    )
    assert len({item.local_starts_at(visit.timezone).date() for item in visit.programme}) == 2
    assert all(visit.days[0] <= i.local_starts_at(visit.timezone).date() for i in visit.programme)
    assert visit.meeting_point and {q.kind for q in visit.questions} >= {"arrival_date"}
    webinar = db.session.scalar(
        db.select(Event).where(Event.slug == "webinar-export-readiness-self-assessment")
    )
    assert {s.name for item in webinar.programme for s in item.speakers} == {
        "Zsófia Tóth",
        "Lucía García",
    }
    counts = [
        db.session.scalar(db.select(db.func.count()).select_from(m))
        for m in (ProgrammeItem, Speaker, Material, Question)
    ]
    load_demo_data(today=date(2026, 11, 26))
    db.session.commit()
    assert counts == [
        db.session.scalar(db.select(db.func.count()).select_from(m))
        for m in (ProgrammeItem, Speaker, Material, Question)
    ]
