"""Demo data: the Inter Ventures regions, partners, organisers and a year of events.

Dates are relative to the day the data is loaded, so a demo always has past and
upcoming events. Loading is idempotent: rows are looked up by their natural keys
(region code, partner short name, e-mail, event slug, poll title) and only missing ones
are added.
"""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

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
    Registration,
    Speaker,
    User,
)
from webapp.organiser.passwords import password_problem
from webapp.timezones import local_to_utc

REGIONS = [
    # code, name, country, timezone, locale
    ("HU", "Hungary–Croatia border (Pécs)", "Hungary", "Europe/Budapest", "hu"),
    ("IT", "Lombardy", "Italy", "Europe/Rome", "it"),
    ("PL", "Podkarpackie", "Poland", "Europe/Warsaw", "pl"),
    ("ES", "Province of Burgos", "Spain", "Europe/Madrid", "es"),
    ("LT", "Klaipėda", "Lithuania", "Europe/Vilnius", "lt"),
]

PARTNERS = [
    # short name, name, region
    ("PANNON", "PANNON European Grouping of Territorial Cooperation", "HU"),
    ("Klaipeda ID", "Klaipeda ID – Klaipėda City Municipality investment agency", "LT"),
    ("Unioncamere", "Unioncamere Lombardia", "IT"),
    ("CEEI-Burgos", "European Business and Innovation Centre of Burgos (CEEI-Burgos)", "ES"),
    ("SODEBUR", "Society for the Development of the Province of Burgos (SODEBUR)", "ES"),
    ("RARR", "Rzeszow Regional Development Agency", "PL"),
    ("Carpathian", "Association of the Carpathian Euroregion Poland", "PL"),
]

ORGANISERS = [
    # e-mail, name, partner short name
    ("eva.kovacs@pannon-egtc.example", "Éva Kovács", "PANNON"),
    ("ruta.jankauskiene@klaipeda-id.example", "Rūta Jankauskienė", "Klaipeda ID"),
    ("giulia.bianchi@unioncamere-lombardia.example", "Giulia Bianchi", "Unioncamere"),
    ("lucia.garcia@ceei-burgos.example", "Lucía García", "CEEI-Burgos"),
    ("javier.martin@sodebur.example", "Javier Martín", "SODEBUR"),
    ("anna.nowak@rarr.example", "Anna Nowak", "RARR"),
    ("piotr.wisniewski@karpacki.example", "Piotr Wiśniewski", "Carpathian"),
]
ADMIN = ("admin@inter-ventures.example", "Inter Ventures administrator")
# Partner contacts invited to the partners-only meetings: partner, name, e-mail, role,
# language, and their answer to the demo steering group (None: not answered yet).
CONTACTS = [
    ("PANNON", "Zsófia Tóth", "zsofia.toth@pannon-egtc.example", "Project manager", "hu", "attend"),
    (
        "Klaipeda ID",
        "Tomas Jonaitis",
        "tomas.jonaitis@klaipeda-id.example",
        "Investment officer",
        "lt",
        "attend",
    ),
    (
        "Unioncamere",
        "Marco Rossi",
        "marco.rossi@unioncamere-lombardia.example",
        "Policy officer",
        "it",
        "maybe",
    ),
    (
        "CEEI-Burgos",
        "Carmen López",
        "carmen.lopez@ceei-burgos.example",
        "Innovation advisor",
        "es",
        None,
    ),
    ("SODEBUR", "Pablo Sanz", "pablo.sanz@sodebur.example", "Project coordinator", "es", "decline"),
    (
        "RARR",
        "Katarzyna Zielińska",
        "katarzyna.zielinska@rarr.example",
        "Communication officer",
        "pl",
        "attend",
    ),
    (
        "Carpathian",
        "Marek Kowalczyk",
        "marek.kowalczyk@karpacki.example",
        "Financial manager",
        "pl",
        None,
    ),
]
STEERING_SLUG = "partner-meeting-internal-steering"


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


ALL = ("HU", "IT", "PL", "ES", "LT")
H = timedelta(hours=1)

EVENTS = [
    DemoEvent(
        "partner-meeting-action-plan-kick-off",
        "partner_meeting",
        "Online partner meeting: implementing the action plans",
        "Partners agree the next steps for putting the five regional action plans into practice.",
        "The partnership meets online to review each region's action plan and agree the "
        "monitoring calendar for the implementation phase.\n\nAgenda: progress per region, "
        "indicators, communication plan, next study visit.",
        "PANNON",
        ALL,
        -150,
        time(10, 0),
        2 * H,
        "Europe/Budapest",
        "online",
        capacity=30,
        requires_approval=True,
    ),
    DemoEvent(
        "webinar-digitalisation-sme-internationalisation",
        "webinar",
        "Digitalisation as a path to international markets",
        "How Lombard SMEs use digital tools and regional support schemes to reach foreign markets.",
        "Unioncamere Lombardia presents the governance models and support schemes introduced "
        "under its action plan, with two SMEs sharing what worked for them.",
        "Unioncamere",
        ("IT",),
        -120,
        time(14, 30),
        90 * timedelta(minutes=1),
        "Europe/Rome",
        "online",
        capacity=150,
        translations=(
            (
                "it",
                "La digitalizzazione come via verso i mercati internazionali",
                "Come le PMI lombarde usano strumenti digitali e misure regionali di sostegno per raggiungere i mercati esteri.",
            ),
        ),
    ),
    DemoEvent(
        "study-visit-klaipeda-blue-economy",
        "study_visit",
        "Thematic study visit: blue economy start-ups in Klaipėda",
        "Three days with the start-up accelerators and port innovators of Klaipėda.",
        "Partners and stakeholders visit Klaipėda's blue-economy ecosystem: accelerator "
        "programmes, the science and technology park and start-ups working with the port."
        "\n\nDay 1: acceleration services. Day 2: company visits. Day 3: lessons for each region.",
        "Klaipeda ID",
        ALL,
        -90,
        time(9, 0),
        2 * 24 * H + 8 * H,
        "Europe/Vilnius",
        "onsite",
        venue="Klaipėda Science and Technology Park",
        address="Lypkių g. 17, Klaipėda, Lithuania",
        capacity=25,
        requires_approval=True,
    ),
    DemoEvent(
        "training-burgos-rural-smes-internationalisation",
        "webinar",
        "Training: first steps abroad for rural SMEs in Burgos",
        "A practical training for staff who support rural companies starting to internationalise.",
        "CEEI-Burgos and SODEBUR share the improved training programme for business advisers "
        "working with rural SMEs that are starting, or intend, to internationalise.",
        "CEEI-Burgos",
        ("ES",),
        -60,
        time(10, 0),
        3 * H,
        "Europe/Madrid",
        "hybrid",
        venue="CEEI-Burgos",
        address="Avenida de Castilla y León 41, Burgos, Spain",
        capacity=40,
    ),
    DemoEvent(
        "brainstorm-young-entrepreneurs-podkarpackie",
        "webinar",
        "Brainstorm: young people working on their own",
        "Ideas for entrepreneurship training for young people in Podkarpackie.",
        "Rzeszow Regional Development Agency gathers stakeholders to shape the training and "
        "grant scheme for young people aged 18–29 starting a business.",
        "RARR",
        ("PL",),
        -45,
        time(11, 0),
        2 * H,
        "Europe/Warsaw",
        "online",
        capacity=60,
    ),
    DemoEvent(
        "preparedness-test-workshop-cross-border-smes",
        "webinar",
        "Workshop: the “preparedness test” for cross-border SMEs",
        "How SMEs on the Hungary–Croatia border prepare a preparedness test and development plan.",
        "PANNON EGTC walks through the amended cross-border support scheme: preparing a "
        "preparedness test, drafting a development plan and financing its key elements.",
        "PANNON",
        ("HU",),
        -30,
        time(10, 0),
        2 * H,
        "Europe/Budapest",
        "online",
        capacity=80,
        translations=(
            (
                "hu",
                "Műhelymunka: „felkészültségi teszt” határon átnyúló KKV-k számára",
                "Hogyan készítsenek a magyar–horvát határtérség KKV-i felkészültségi tesztet és fejlesztési tervet.",
            ),
        ),
    ),
    DemoEvent(
        "partner-meeting-autumn-review",
        "partner_meeting",
        "Online partner meeting: autumn review",
        "Partners review the indicators of the action plans.",
        "A short online meeting to review progress on indicators and plan the final conference.",
        "Unioncamere",
        ALL,
        -10,
        time(9, 30),
        2 * H,
        "Europe/Rome",
        "online",
        capacity=30,
        requires_approval=True,
    ),
    DemoEvent(
        "webinar-financial-instruments-rural-companies",
        "webinar",
        "Financial instruments for rural companies going international",
        "SODEBUR presents the reviewed financial instruments for rural companies in Burgos.",
        "A review of the financial instruments available to rural companies in the province of "
        "Burgos, and how they can support internationalisation.",
        "SODEBUR",
        ("ES",),
        6,
        time(10, 0),
        90 * timedelta(minutes=1),
        "Europe/Madrid",
        "online",
        capacity=100,
    ),
    DemoEvent(
        "partner-meeting-december",
        "partner_meeting",
        "Online partner meeting: preparing next year",
        "Partners gather online to prepare the next steps of Inter Ventures.",
        "Partners gather online to prepare themselves for the next year, when the partnership "
        "focuses on implementing the action plans at regional level.",
        "PANNON",
        ALL,
        7,
        time(10, 0),
        2 * H,
        "Europe/Budapest",
        "online",
        capacity=30,
        requires_approval=True,
    ),
    DemoEvent(
        "webinar-acceleration-services-startups",
        "webinar",
        "Acceleration services for start-ups in creative industries and the blue economy",
        "Klaipeda ID shows how its acceleration services help digital start-ups scale abroad.",
        "Digital innovations are highly scalable and can reach global markets wherever they "
        "were created. This webinar presents Klaipėda's acceleration services and invites "
        "partners to compare them with their own.",
        "Klaipeda ID",
        ("LT", "PL"),
        12,
        time(11, 0),
        90 * timedelta(minutes=1),
        "Europe/Vilnius",
        "online",
        capacity=10,
        translations=(
            (
                "lt",
                "Akceleravimo paslaugos kūrybinių industrijų ir mėlynosios ekonomikos startuoliams",
                "Klaipeda ID pristato, kaip jos akceleravimo paslaugos padeda skaitmeniniams startuoliams plėstis užsienyje.",
            ),
        ),
    ),
    DemoEvent(
        "study-visit-lombardy-digital-export",
        "study_visit",
        "Thematic study visit: digital export services in Lombardy",
        "Two days in Milan with chambers of commerce and SMEs selling abroad online.",
        "The visit shows the regional measures and services that support Lombard SMEs in "
        "developing their digital presence on foreign markets.",
        "Unioncamere",
        ALL,
        20,
        time(9, 0),
        24 * H + 8 * H,
        "Europe/Rome",
        "onsite",
        venue="Unioncamere Lombardia",
        address="Via Ercole Oldofredi 23, Milan, Italy",
        capacity=20,
        requires_approval=True,
    ),
    DemoEvent(
        "webinar-export-readiness-self-assessment",
        "webinar",
        "Is your SME ready to export? A self-assessment clinic",
        "Hands-on clinic using the preparedness test with advisers from two regions.",
        "Advisers from PANNON EGTC and CEEI-Burgos guide SMEs through the self-assessment and "
        "point them to the support available in their region.",
        "PANNON",
        ("HU", "ES"),
        26,
        time(9, 0),
        2 * H,
        "Europe/Budapest",
        "online",
        capacity=50,
    ),
    DemoEvent(
        "training-rural-smes-online-markets",
        "webinar",
        "Training for rural SMEs: selling on online marketplaces",
        "Practical session for rural companies testing foreign online marketplaces.",
        "Part of the reviewed training programme for Burgos rural SMEs.",
        "CEEI-Burgos",
        ("ES",),
        33,
        time(16, 0),
        2 * H,
        "Europe/Madrid",
        "online",
        capacity=70,
        translations=(
            (
                "es",
                "Formación para pymes rurales: vender en marketplaces en línea",
                "Sesión práctica para empresas rurales que prueban marketplaces en línea de otros países.",
            ),
        ),
    ),
    DemoEvent(
        "webinar-young-founders-grants",
        "webinar",
        "Grants and mentoring for young founders in Podkarpackie",
        "How the grant scheme for young people starting a business works, step by step.",
        "Rzeszow Regional Development Agency presents the non-refundable grants and the "
        "mentoring offer for young people starting a business.",
        "RARR",
        ("PL",),
        40,
        time(12, 0),
        90 * timedelta(minutes=1),
        "Europe/Warsaw",
        "online",
        capacity=120,
        translations=(
            (
                "pl",
                "Dotacje i mentoring dla młodych założycieli firm na Podkarpaciu",
                "Krok po kroku: jak działa program dotacji dla młodych osób zakładających firmę.",
            ),
        ),
    ),
    DemoEvent(
        "study-visit-carpathian-cross-border-clusters",
        "study_visit",
        "Thematic study visit: cross-border clusters in the Carpathian Euroregion",
        "Three days with clusters and business-support organisations in Podkarpackie.",
        "Visits to clusters and incubators working across the Polish–Slovak and "
        "Polish–Ukrainian borders.",
        "Carpathian",
        ALL,
        48,
        time(9, 0),
        2 * 24 * H + 7 * H,
        "Europe/Warsaw",
        "onsite",
        venue="Rzeszów Science and Technology Park",
        address="Rzeszów, Poland",
        capacity=25,
        requires_approval=True,
    ),
    DemoEvent(
        "webinar-blue-economy-investors",
        "webinar",
        "Meet the investors: blue-economy start-ups pitch online",
        "Start-ups from Klaipėda pitch to investors and partners from five regions.",
        "An online pitch session for blue-economy start-ups.",
        "Klaipeda ID",
        ALL,
        55,
        time(13, 0),
        2 * H,
        "Europe/Vilnius",
        "online",
    ),
    DemoEvent(
        "partner-meeting-final-conference-planning",
        "partner_meeting",
        "Partner meeting: planning the final conference",
        "Hybrid meeting in Burgos to prepare the final conference.",
        "Partners meet in Burgos, with an online connection, to plan the final conference.",
        "SODEBUR",
        ALL,
        62,
        time(10, 0),
        5 * H,
        "Europe/Madrid",
        "hybrid",
        venue="SODEBUR",
        address="Paseo del Espolón 14, Burgos, Spain",
        capacity=30,
        requires_approval=True,
    ),
    DemoEvent(
        "webinar-policy-makers-internationalisation-instruments",
        "webinar",
        "For policy makers: improving regional instruments for SME internationalisation",
        "What the five regions changed in their policy instruments, and what they learned.",
        "A webinar for public authorities on the policy changes made under the action plans.",
        "Unioncamere",
        ALL,
        70,
        time(10, 0),
        2 * H,
        "Europe/Rome",
        "online",
        capacity=200,
    ),
    DemoEvent(
        "online-workshop-development-plans",
        "webinar",
        "Online workshop: drafting a development plan",
        "Step-by-step drafting of a development plan after the preparedness test.",
        "Follow-up to the preparedness-test workshop for cross-border SMEs.",
        "PANNON",
        ("HU",),
        78,
        time(9, 30),
        3 * H,
        "Europe/Budapest",
        "online",
        capacity=40,
    ),
    DemoEvent(
        "study-visit-burgos-rural-innovation",
        "study_visit",
        "Thematic study visit: rural innovation in the province of Burgos",
        "Two days visiting rural companies that export, with CEEI-Burgos and SODEBUR.",
        "Company visits and meetings with the business-support organisations of Burgos.",
        "CEEI-Burgos",
        ALL,
        90,
        time(9, 0),
        24 * H + 8 * H,
        "Europe/Madrid",
        "onsite",
        venue="CEEI-Burgos",
        address="Avenida de Castilla y León 41, Burgos, Spain",
        capacity=25,
        requires_approval=True,
    ),
    DemoEvent(
        "webinar-creative-industries-going-global",
        "webinar",
        "Creative industries going global",
        "How creative-industry start-ups from Klaipėda and Lombardy found their first clients abroad.",
        "A joint webinar of Klaipeda ID and Unioncamere Lombardia.",
        "Klaipeda ID",
        ("LT", "IT"),
        100,
        time(15, 0),
        90 * timedelta(minutes=1),
        "Europe/Vilnius",
        "online",
        capacity=150,
    ),
    DemoEvent(
        "partner-meeting-internal-steering",
        "partner_meeting",
        "Steering group (partners only)",
        "Internal steering group of the partnership.",
        "Only for partner staff.",
        "PANNON",
        ALL,
        15,
        time(9, 0),
        H,
        "Europe/Budapest",
        "online",
        visibility="partners",
    ),
    DemoEvent(
        "webinar-cross-border-public-procurement-draft",
        "webinar",
        "Cross-border public procurement for SMEs (draft)",
        "Still being prepared.",
        "Draft.",
        "RARR",
        ("PL", "HU"),
        110,
        time(10, 0),
        2 * H,
        "Europe/Warsaw",
        "online",
        status="draft",
    ),
    DemoEvent(
        "webinar-trade-fairs-cancelled",
        "webinar",
        "Trade fairs abroad: getting the most from a stand",
        "Practical advice for a first trade fair abroad.",
        "This webinar has been cancelled and will be rescheduled.",
        "Carpathian",
        ("PL",),
        18,
        time(10, 0),
        2 * H,
        "Europe/Warsaw",
        "online",
        capacity=80,
        status="cancelled",
    ),
    DemoEvent(
        "info-day-inter-ventures-results",
        "webinar",
        "Info day: Inter Ventures results for SMEs",
        "A day of short online sessions on the results of the project.",
        "Short sessions through the day; join any of them.",
        "Unioncamere",
        ALL,
        120,
        time(0, 0),
        24 * H,
        "Europe/Rome",
        "online",
        all_day=True,
    ),
]

ATTENDEES = [
    # name, organisation, stakeholder type, region code (None = outside the partnership)
    ("Zsófia Nagy", "Baranya Chamber of Commerce", "business_support", "HU"),
    ("Marko Horvat", "Osijek Innovation Hub", "business_support", None),
    ("Péter Szabó", "Szabó Kft.", "sme", "HU"),
    ("Luca Rossi", "Rossi Meccanica S.r.l.", "sme", "IT"),
    ("Chiara Ferrari", "Regione Lombardia", "public_authority", "IT"),
    ("Marco Colombo", "Politecnico di Milano", "research", "IT"),
    ("Katarzyna Kowalska", "Kowalska Design", "sme", "PL"),
    (
        "Tomasz Zieliński",
        "Urząd Marszałkowski Województwa Podkarpackiego",
        "public_authority",
        "PL",
    ),
    ("Magdalena Wójcik", "Fundacja Młodzi Przedsiębiorcy", "ngo", "PL"),
    ("Carmen López", "Quesos del Arlanza S.L.", "sme", "ES"),
    ("Pablo Sánchez", "Diputación de Burgos", "public_authority", "ES"),
    ("Elena Ruiz", "Universidad de Burgos", "research", "ES"),
    ("Jonas Petrauskas", "BlueTech Labs UAB", "sme", "LT"),
    ("Gintarė Kazlauskaitė", "Klaipėda University", "research", "LT"),
    ("Mindaugas Vaitkus", "Klaipėda Chamber of Commerce", "business_support", "LT"),
    ("Ivana Kovač", "Pécs Start-up Club", "ngo", "HU"),
]


SPEAKERS = [
    # name, organisation, short bio
    (
        "Francesca Colombo",
        "Unioncamere Lombardia",
        "Leads the digital export desk of the Lombard chambers of commerce.",
    ),
    (
        "Marco Ferrari",
        "Ferrari Tessuti S.r.l.",
        "Runs a family textile company that now sells online in twelve countries.",
    ),
    (
        "Zsófia Tóth",
        "PANNON EGTC",
        "Export adviser for SMEs on the Hungary–Croatia border.",
    ),
    (
        "Lucía García",
        "CEEI-Burgos",
        "Coaches start-ups and SMEs of the province of Burgos on internationalisation.",
    ),
]

# Programmes: slug → items (day of the event from 0, local start, minutes, kind, title,
# place, address, speakers by name).
PROGRAMMES = {
    "study-visit-lombardy-digital-export": [
        (
            0,
            time(9, 0),
            30,
            "session",
            "Welcome and introduction to the Lombard measures",
            "Unioncamere Lombardia",
            "Via Ercole Oldofredi 23, Milan",
            ("Francesca Colombo",),
        ),
        (
            0,
            time(9, 30),
            90,
            "talk",
            "Digital export desk: services for SMEs",
            "Unioncamere Lombardia",
            "Via Ercole Oldofredi 23, Milan",
            ("Francesca Colombo",),
        ),
        (0, time(11, 0), 30, "travel", "Bus to Como", "", "", ()),
        (
            0,
            time(11, 30),
            120,
            "site_visit",
            "Visit to Ferrari Tessuti: an online textile shop",
            "Ferrari Tessuti",
            "Via Borgo Vico 148, Como",
            ("Marco Ferrari",),
        ),
        (0, time(13, 30), 60, "meal", "Lunch", "Ristorante Lario", "Piazza Cavour 2, Como", ()),
        (
            0,
            time(15, 0),
            90,
            "session",
            "Round table: what each region can adopt",
            "Ferrari Tessuti",
            "Via Borgo Vico 148, Como",
            (),
        ),
        (
            1,
            time(9, 0),
            120,
            "site_visit",
            "Innovation hub of the Milan chamber of commerce",
            "Milano Innovation Hub",
            "Via Meravigli 9/b, Milan",
            (),
        ),
        (
            1,
            time(11, 0),
            15,
            "break",
            "Coffee break",
            "Milano Innovation Hub",
            "Via Meravigli 9/b, Milan",
            (),
        ),
        (
            1,
            time(11, 15),
            105,
            "session",
            "Lessons for the regional action plans",
            "Milano Innovation Hub",
            "Via Meravigli 9/b, Milan",
            (),
        ),
        (
            1,
            time(13, 0),
            60,
            "meal",
            "Closing lunch",
            "Milano Innovation Hub",
            "Via Meravigli 9/b, Milan",
            (),
        ),
    ],
    "study-visit-klaipeda-blue-economy": [
        (
            0,
            time(9, 0),
            180,
            "session",
            "Acceleration services of Klaipeda ID",
            "Klaipėda Science and Technology Park",
            "Lypkių g. 17, Klaipėda",
            (),
        ),
        (
            1,
            time(9, 0),
            240,
            "site_visit",
            "Start-ups working with the port",
            "Port of Klaipėda",
            "J. Janonio g. 24, Klaipėda",
            (),
        ),
        (
            2,
            time(9, 0),
            180,
            "session",
            "Lessons for each region",
            "Klaipėda Science and Technology Park",
            "Lypkių g. 17, Klaipėda",
            (),
        ),
    ],
    "webinar-digitalisation-sme-internationalisation": [
        (
            0,
            time(14, 30),
            30,
            "talk",
            "Regional schemes for digital export",
            "",
            "",
            ("Francesca Colombo",),
        ),
        (
            0,
            time(15, 0),
            45,
            "talk",
            "Selling textiles online in twelve countries",
            "",
            "",
            ("Marco Ferrari",),
        ),
        (0, time(15, 45), 15, "session", "Questions and answers", "", "", ()),
    ],
    "webinar-export-readiness-self-assessment": [
        (
            0,
            time(9, 0),
            45,
            "talk",
            "The preparedness test, step by step",
            "",
            "",
            ("Zsófia Tóth",),
        ),
        (
            0,
            time(9, 45),
            60,
            "session",
            "Clinic in small groups",
            "",
            "",
            ("Zsófia Tóth", "Lucía García"),
        ),
        (0, time(10, 45), 15, "session", "Support in your region", "", "", ("Lucía García",)),
    ],
}

LOGISTICS = {
    # slug → meeting point, travel notes, accommodation notes
    "study-visit-lombardy-digital-export": (
        "Lobby of Hotel Berna, Via Napo Torriani 18, Milan, at 08:30 on the first day",
        "Fly to Milan Malpensa or Linate; the Malpensa Express train reaches Milano Centrale "
        "in 50 minutes. A bus takes the group from Milan to Como and back on the first day.",
        "Rooms are held for participants at Hotel Berna (two nights). Ask for a room in the "
        "registration form; the host partner pays for partners' staff.",
    ),
    "study-visit-klaipeda-blue-economy": (
        "Klaipėda Science and Technology Park reception, 08:45",
        "Fly to Palanga (25 minutes from Klaipėda) or Vilnius (3 hours by train).",
        "Hotel Amberton Klaipėda, three nights.",
    ),
}
TRAVEL_QUESTIONS = ("arrival_date", "departure_date", "dietary_needs", "accommodation")

MATERIALS = {
    # slug → (title, audience, link)
    "webinar-digitalisation-sme-internationalisation": [
        ("Recording of the webinar", "registrants", "https://video.example.org/iv-digital-export"),
        ("Slides (shared folder)", "everyone", "https://files.example.org/iv-digital-export"),
    ],
    "study-visit-klaipeda-blue-economy": [
        ("Photo album", "attendees", "https://photos.example.org/iv-klaipeda"),
        (
            "Minutes of the partners' debriefing",
            "organisers",
            "https://files.example.org/iv-klaipeda-minutes",
        ),
    ],
}


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


DEMO_POLL_TITLE = "Steering group: mid-term review of the action plans"
# Each organiser's answers to the three proposed times (None: not answered yet).
DEMO_POLL_ANSWERS = {
    "Klaipeda ID": ("yes", "if_need_be", "yes"),
    "Unioncamere": ("yes", "yes", "no"),
    "CEEI-Burgos": ("no", "yes", "if_need_be"),
    "SODEBUR": ("if_need_be", "yes", None),
    "RARR": ("yes", "yes", "yes"),
    "Carpathian": None,
}


def _add_demo_poll(today: date, partners: dict[str, Partner]) -> None:
    """An open poll of PANNON to find a time for an online steering group, half answered."""
    if db.session.scalar(db.select(Poll.id).where(Poll.title == DEMO_POLL_TITLE)):
        return
    tz = "Europe/Budapest"
    day = today + timedelta(days=24)
    starts = []
    while len(starts) < 3:
        if day.weekday() in (1, 2, 3):  # Tuesday to Thursday
            starts.append(local_to_utc(datetime.combine(day, time(10 if starts else 9, 0)), tz))
        day += timedelta(days=1)
    poll = Poll(
        title=DEMO_POLL_TITLE,
        description="Agenda: progress of each region's action plan and the next study visits.",
        kind="partner_meeting",
        timezone=tz,
        duration_minutes=90,
        partner=partners["PANNON"],
        deadline_at=local_to_utc(datetime.combine(today + timedelta(days=14), time(17)), tz),
        remind_at=local_to_utc(datetime.combine(today + timedelta(days=10), time(9)), tz),
        slots=[PollSlot(starts_at=s, ends_at=s + timedelta(minutes=90)) for s in starts],
    )
    db.session.add(poll)
    for email, name, short in ORGANISERS:
        if short == "PANNON":
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
        answers = DEMO_POLL_ANSWERS.get(short)
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
            invitation.registration = Registration(
                event=steering,
                name=name,
                email=email,
                organisation=partner.name,
                stakeholder_type="other",
                region=partner.region,
                locale=locale,
                status="confirmed",
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
        registration = Registration(
            event=event,
            name=name,
            email=email,
            organisation=organisation,
            stakeholder_type=stakeholder_type,
            region=regions.get(region_code) if region_code else None,
            locale=regions[region_code].locale if region_code else "en",
            status=status,
            consent_at=event.starts_at - timedelta(days=14),
            privacy_version="2026-01",
        )
        db.session.add(registration)
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
