"""Demo data: the Inter Ventures regions, partners, organisers and a year of events.

The data is in ``inter_ventures.toml`` beside this module; this module loads it.
Registrations go through the registration state machine (``seed_registration``).

Dates are relative to the day the data is loaded, so a demo always has past and
upcoming events. Loading is idempotent: rows are looked up by their natural keys
(region code, partner short name, e-mail, event slug, poll title) and only missing ones
are added.
"""

from __future__ import annotations

import secrets
import tomllib
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from webapp.extensions import db
from webapp.models import (
    Attendance,
    Event,
    Invitation,
    Material,
    Partner,
    PartnerContact,
    Poll,
    PollAnswer,
    PollInvitee,
    PollSlot,
    ProgrammeItem,
    Question,
    Region,
    Speaker,
    User,
)
from webapp.organiser.passwords import password_problem
from webapp.registrations.transitions import seed_registration
from webapp.timezones import local_to_utc

DATA_FILE = Path(__file__).with_name("inter_ventures.toml")


@dataclass(frozen=True)
class DemoEvent:
    slug: str
    kind: str
    title: str
    summary: str
    description: str
    host: str
    regions: tuple[str, ...]
    day_offset: int
    start: time
    duration: timedelta
    timezone: str
    format: str
    venue: str = ""
    address: str = ""
    capacity: int | None = None
    requires_approval: bool = False
    visibility: str = "public"
    status: str = "published"
    all_day: bool = False
    # Title and summary in the host region's language, for some events.
    translations: tuple[tuple[str, str, str], ...] = ()


def _demo_event(row: dict[str, Any]) -> DemoEvent:
    fields = {k: v for k, v in row.items() if k not in ("duration_minutes", "translations")}
    return DemoEvent(
        **fields
        | {
            "regions": tuple(row["regions"]),
            "duration": timedelta(minutes=row["duration_minutes"]),
            "translations": tuple(
                (t["language"], t["title"], t["summary"]) for t in row.get("translations", ())
            ),
        }
    )


with DATA_FILE.open("rb") as _file:
    DATA = tomllib.load(_file)

REGIONS = [
    (r["code"], r["name"], r["country"], r["timezone"], r["locale"]) for r in DATA["regions"]
]
PARTNERS = [(p["short_name"], p["name"], p["region"]) for p in DATA["partners"]]
ORGANISERS = [(o["email"], o["name"], o["partner"]) for o in DATA["organisers"]]
ADMIN = (DATA["admin"]["email"], DATA["admin"]["name"])
CONTACTS = [
    (c["partner"], c["name"], c["email"], c["role"], c["locale"], c.get("answer"))
    for c in DATA["contacts"]
]
STEERING_SLUG = DATA["steering_slug"]
EVENTS = [_demo_event(row) for row in DATA["events"]]
ATTENDEES = [
    (a["name"], a["organisation"], a["stakeholder_type"], a.get("region"))
    for a in DATA["attendees"]
]
SPEAKERS = [(s["name"], s["organisation"], s["bio"]) for s in DATA["speakers"]]
PROGRAMMES = {
    slug: [
        (
            i["day"],
            i["start"],
            i["minutes"],
            i["kind"],
            i["title"],
            i["place"],
            i["address"],
            tuple(i["speakers"]),
        )
        for i in items
    ]
    for slug, items in DATA["programmes"].items()
}
LOGISTICS = {
    slug: (n["meeting_point"], n["travel_notes"], n["accommodation_notes"])
    for slug, n in DATA["logistics"].items()
}
TRAVEL_QUESTIONS = tuple(DATA["travel_questions"])
MATERIALS = {
    slug: [(m["title"], m["audience"], m["url"]) for m in rows]
    for slug, rows in DATA["materials"].items()
}
POLL = DATA["poll"]


def _add_demo_programmes() -> int:
    """Programmes, practical notes, travel questions and materials for some demo events.

    Only what is missing is added: an event that already has a programme, notes,
    questions or materials keeps them.
    """
    speakers = {s.name: s for s in db.session.scalars(db.select(Speaker))}
    for name, organisation, bio in SPEAKERS:
        if name not in speakers:
            speakers[name] = Speaker(name=name, organisation=organisation, bio=bio)
            db.session.add(speakers[name])
    events = {
        e.slug: e
        for e in db.session.scalars(
            db.select(Event).where(Event.slug.in_([*PROGRAMMES, *LOGISTICS, *MATERIALS]))
        )
    }
    added = 0
    for slug, items in PROGRAMMES.items():
        event = events.get(slug)
        if event is None or event.programme:
            continue
        first_day = event.local_starts_at.date()
        for day, start, minutes, kind, title, place, address, names in items:
            starts_at = local_to_utc(
                datetime.combine(first_day + timedelta(days=day), start), event.timezone
            )
            event.programme.append(
                ProgrammeItem(
                    starts_at=starts_at,
                    ends_at=starts_at + timedelta(minutes=minutes),
                    kind=kind,
                    title=title,
                    place=place,
                    address=address,
                    speakers=[speakers[n] for n in names],
                )
            )
            added += 1
    for slug, (meeting_point, travel, accommodation) in LOGISTICS.items():
        event = events.get(slug)
        if event is None:
            continue
        event.meeting_point = event.meeting_point or meeting_point
        event.travel_notes = event.travel_notes or travel
        event.accommodation_notes = event.accommodation_notes or accommodation
        asked = {q.kind for q in event.questions}
        for position, kind in enumerate(TRAVEL_QUESTIONS, start=len(event.questions)):
            if kind not in asked:
                event.questions.append(
                    Question(
                        label=kind.replace("_", " ").capitalize(),
                        kind=kind,
                        position=position,
                        required=kind != "dietary_needs",
                    )
                )
    for slug, rows in MATERIALS.items():
        event = events.get(slug)
        if event is None or event.materials:
            continue
        for title, audience, url in rows:
            db.session.add(Material(event=event, title=title, audience=audience, url=url))
    return added


def _email_for(name: str) -> str:
    # "Gintarė Kazlauskaitė" → gintare.kazlauskaite (accents dropped, letters kept)
    decomposed = unicodedata.normalize("NFKD", name.replace("ł", "l").replace("Ł", "L"))
    ascii_name = decomposed.encode("ascii", "ignore").decode().lower().replace(" ", ".")
    return f"{ascii_name}@stakeholder.example"


def _demo_password(email: str, name: str) -> str:
    """A random password the password policy accepts (random 16 characters nearly always
    are; the loop makes sure)."""
    while True:
        password = secrets.token_urlsafe(12)
        if password_problem(password, user_inputs=(email, name)) is None:
            return password


def load_demo_data(today: date | None = None) -> dict[str, object]:
    """Add the demo rows that are missing; return what was created (with passwords)."""
    today = today or datetime.now(UTC).date()
    created: dict[str, object] = {"regions": 0, "partners": 0, "users": [], "events": 0}

    regions = {r.code: r for r in db.session.scalars(db.select(Region))}
    for code, name, country, tz, locale in REGIONS:
        if code not in regions:
            regions[code] = Region(
                code=code, name=name, country=country, timezone=tz, locale=locale
            )
            db.session.add(regions[code])
            created["regions"] += 1

    partners = {p.short_name: p for p in db.session.scalars(db.select(Partner))}
    for short, name, region_code in PARTNERS:
        if short not in partners:
            partners[short] = Partner(short_name=short, name=name, region=regions[region_code])
            db.session.add(partners[short])
            created["partners"] += 1

    existing_emails = set(db.session.scalars(db.select(User.email)))
    people = [(ADMIN[0], ADMIN[1], None, "admin")] + [
        (email, name, short, "organiser") for email, name, short in ORGANISERS
    ]
    for email, name, short, role in people:
        if email in existing_emails:
            continue
        password = _demo_password(email, name)
        user = User(
            email=email, name=name, role=role, partner=partners.get(short) if short else None
        )
        user.set_password(password)
        db.session.add(user)
        created["users"].append((email, role, password))

    existing_slugs = set(db.session.scalars(db.select(Event.slug)))
    for spec in EVENTS:
        if spec.slug in existing_slugs:
            continue
        event = _build_event(spec, today, partners, regions)
        db.session.add(event)
        created["events"] += 1
        db.session.flush()
        _add_demo_registrations(event, spec, regions, today)
    _add_demo_poll(today, partners)
    db.session.flush()
    _add_demo_contacts(partners)
    created["programme_items"] = _add_demo_programmes()
    db.session.flush()
    return created


def _add_demo_poll(today: date, partners: dict[str, Partner]) -> None:
    """An open poll of PANNON to find a time for an online steering group, half answered."""
    if db.session.scalar(db.select(Poll.id).where(Poll.title == POLL["title"])):
        return
    tz = POLL["timezone"]
    day = today + timedelta(days=24)
    starts = []
    while len(starts) < 3:
        if day.weekday() in (1, 2, 3):  # Tuesday to Thursday
            starts.append(local_to_utc(datetime.combine(day, time(10 if starts else 9, 0)), tz))
        day += timedelta(days=1)
    poll = Poll(
        title=POLL["title"],
        description=POLL["description"],
        kind=POLL["kind"],
        timezone=tz,
        duration_minutes=POLL["duration_minutes"],
        partner=partners[POLL["host"]],
        deadline_at=local_to_utc(datetime.combine(today + timedelta(days=14), time(17)), tz),
        remind_at=local_to_utc(datetime.combine(today + timedelta(days=10), time(9)), tz),
        slots=[
            PollSlot(starts_at=s, ends_at=s + timedelta(minutes=POLL["duration_minutes"]))
            for s in starts
        ],
    )
    db.session.add(poll)
    for email, name, short in ORGANISERS:
        if short == POLL["host"]:
            continue
        partner = partners[short]
        invitee = PollInvitee(
            name=name,
            email=email,
            locale=partner.region.locale,
            partner=partner,
            timezone=partner.region.timezone,
        )
        poll.invitees.append(invitee)
        answers = POLL["answers"].get(short)
        if answers:
            invitee.answered_at = datetime.now(UTC)
            for slot, answer in zip(poll.slots, answers, strict=True):
                if answer:
                    invitee.answers.append(PollAnswer(slot=slot, answer=answer))


def _add_demo_contacts(partners) -> None:
    """The partners' contacts, invited to the steering group with a few answers given.

    Invitations are stored directly (no e-mail goes out for demo data); an "attend"
    holds a confirmed registration, as when a contact answers on their page.
    """
    existing = {c.email for c in db.session.scalars(db.select(PartnerContact))}
    steering = db.session.scalar(db.select(Event).where(Event.slug == STEERING_SLUG))
    for short, name, email, role, locale, answer in CONTACTS:
        if email in existing:
            continue
        partner = partners[short]
        contact = PartnerContact(partner=partner, name=name, email=email, role=role, locale=locale)
        db.session.add(contact)
        if steering is None or steering.status != "published":
            continue
        invitation = Invitation(event=steering, contact=contact, answer=answer)
        if answer is not None:
            invitation.answered_at = datetime.now(UTC)
        if answer == "attend":
            invitation.registration = seed_registration(
                steering,
                "confirmed",
                name=name,
                email=email,
                organisation=partner.name,
                stakeholder_type="other",
                region=partner.region,
                locale=locale,
                consent_at=datetime.now(UTC),
                privacy_version="demo",
            )
        db.session.add(invitation)
    db.session.flush()


def _build_event(spec: DemoEvent, today: date, partners, regions) -> Event:
    day = today + timedelta(days=spec.day_offset)
    starts_at = local_to_utc(datetime.combine(day, spec.start), spec.timezone)
    ends_at = starts_at + spec.duration
    opens = starts_at - timedelta(days=60)
    return Event(
        slug=spec.slug,
        kind=spec.kind,
        title=spec.title,
        summary=spec.summary,
        description=spec.description,
        starts_at=starts_at,
        ends_at=ends_at,
        timezone=spec.timezone,
        all_day=spec.all_day,
        format=spec.format,
        venue=spec.venue,
        address=spec.address,
        online_url=(
            f"https://meet.jit.si/InterVentures-{secrets.token_urlsafe(12)}"
            if spec.format in ("online", "hybrid")
            else ""
        ),
        capacity=spec.capacity,
        registration_opens_at=opens,
        registration_closes_at=starts_at,
        requires_approval=spec.requires_approval,
        visibility=spec.visibility,
        status=spec.status,
        sequence=0,
        reminder_hours=24,  # as the organiser form proposes
        translations={
            language: {"title": title, "summary": summary}
            for language, title, summary in spec.translations
        },
        host_partner=partners[spec.host],
        regions=[regions[c] for c in spec.regions],
    )


def _add_demo_registrations(event: Event, spec: DemoEvent, regions, today: date) -> None:
    """Registrations for published events; attendance on the ones already over."""
    if spec.status != "published" or spec.visibility != "public":
        return
    rng_seed = sum(map(ord, spec.slug))
    capacity = spec.capacity or len(ATTENDEES)
    count = min(len(ATTENDEES), max(3, (rng_seed % 9) + 5), capacity + 2)
    is_past = spec.day_offset < 0
    for index in range(count):
        name, organisation, stakeholder_type, region_code = ATTENDEES[
            (rng_seed + index * 5) % len(ATTENDEES)
        ]
        email = _email_for(name)
        if any(r.email == email for r in event.registrations):
            continue
        status = "confirmed" if index < capacity else "waitlisted"
        registration = seed_registration(
            event,
            status,
            name=name,
            email=email,
            organisation=organisation,
            stakeholder_type=stakeholder_type,
            region=regions.get(region_code) if region_code else None,
            locale=regions[region_code].locale if region_code else "en",
            consent_at=event.starts_at - timedelta(days=14),
            privacy_version="2026-01",
        )
        if is_past and status == "confirmed":
            for day_number, day in enumerate(event.days):
                # Roughly four in five turn up; one in ten apologise.
                marker = (rng_seed + index * 7 + day_number) % 10
                if marker == 0:
                    continue  # a no-show: nothing recorded
                attendance_status = "excused" if marker == 1 else "present"
                db.session.add(
                    Attendance(
                        registration=registration,
                        day=day,
                        status=attendance_status,
                        checked_in_at=event.starts_at if attendance_status == "present" else None,
                        minutes_online=(
                            int(spec.duration.total_seconds() // 60) - marker
                            if spec.format == "online" and attendance_status == "present"
                            else None
                        ),
                        source="import" if spec.format == "online" else "manual",
                    )
                )
