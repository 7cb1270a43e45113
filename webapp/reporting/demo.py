"""Demo action plans: the ones the Inter Ventures partners published, and the demo
events that serve their actions. Idempotent like the rest of the demo data."""

from __future__ import annotations

from datetime import date

from webapp.extensions import db
from webapp.models import ActionPlan, Event, PlanAction, Region, ReportingPeriod

POLICY_INSTRUMENT = "Regional policy instrument for the internationalisation of SMEs"

# region code, plan title, [(action number, title, description)]
ACTION_PLANS = [
    (
        "HU",
        "Action plan of PANNON EGTC (Hungary–Croatia)",
        [
            (
                1,
                "Amended regional cross-border support scheme",
                "Expands the scope of the policy instrument by a new component that supports "
                "SMEs to prepare a “preparedness test”, draft a development plan and receive "
                "financial assistance to implement the key elements of the plan.",
            )
        ],
    ),
    (
        "LT",
        "Action plan of Klaipeda ID (Klaipėda City Municipality)",
        [
            (
                1,
                "Acceleration services for startups in creative industries, blue economy, "
                "and industry digitalization",
                "Accelerates services for startups: digital innovations in creative "
                "industries, the blue economy and traditional businesses are highly "
                "scalable and can reach the global market from where they were created.",
            )
        ],
    ),
    (
        "IT",
        "Action plan of Unioncamere Lombardia",
        [
            (
                1,
                "Digitalisation can enhance SMEs’ internationalization",
                "Governance models and support schemes for SME internationalisation: "
                "specific regional measures, services and activities supporting local "
                "companies, and initiatives to start up or consolidate their business in "
                "foreign markets.",
            )
        ],
    ),
    (
        "ES",
        "Action plan of CEEI-Burgos and SODEBUR (province of Burgos)",
        [
            (
                1,
                "Review, improvement, and proposal of existing and new training programmes "
                "on internationalization aiming at Burgos rural SMEs",
                "Improves the capacities of the staff working with rural SMEs to promote "
                "and facilitate their internationalisation, mainly for companies starting "
                "or intending to internationalise.",
            ),
            (
                2,
                "Review and improvement of available financial instruments to promote "
                "internationalisation among rural companies in the province of Burgos",
                "Reviews the financial instruments available to rural companies in the "
                "province of Burgos to promote internationalisation.",
            ),
        ],
    ),
    (
        "PL",
        "Action plan of the Rzeszow Regional Development Agency and the Association of "
        "the Carpathian Euroregion Poland",
        [
            (
                2,
                "Young people working on their own",
                "Entrepreneurial training for 48 professionally inactive young people aged "
                "18–29 in the Podkarpackie Region who lost employment after 1 March 2020, "
                "and non-refundable grants to 40 people starting a business by 30 June 2023.",
            )
        ],
    ),
]

# event slug → (region code, action number) it serves
EVENT_ACTIONS = {
    "preparedness-test-workshop-cross-border-smes": [("HU", 1)],
    "online-workshop-development-plans": [("HU", 1)],
    "study-visit-klaipeda-blue-economy": [("LT", 1)],
    "webinar-acceleration-services-startups": [("LT", 1)],
    "webinar-blue-economy-investors": [("LT", 1)],
    "webinar-digitalisation-sme-internationalisation": [("IT", 1)],
    "study-visit-lombardy-digital-export": [("IT", 1)],
    "training-burgos-rural-smes-internationalisation": [("ES", 1)],
    "training-rural-smes-online-markets": [("ES", 1)],
    "webinar-financial-instruments-rural-companies": [("ES", 2)],
    "study-visit-burgos-rural-innovation": [("ES", 1), ("ES", 2)],
    "brainstorm-young-entrepreneurs-podkarpackie": [("PL", 2)],
    "webinar-young-founders-grants": [("PL", 2)],
}


def load_demo_action_plans() -> int:
    """Add the missing demo action plans and tag demo events; return plans added."""
    regions = {r.code: r for r in db.session.scalars(db.select(Region))}
    existing = {(p.region_id, p.title) for p in db.session.scalars(db.select(ActionPlan))}
    added = 0
    for code, title, actions in ACTION_PLANS:
        region = regions.get(code)
        if region is None or (region.id, title) in existing:
            continue
        plan = ActionPlan(region=region, title=title, policy_instrument=POLICY_INSTRUMENT)
        plan.actions = [
            PlanAction(position=number, title=action_title, description=description)
            for number, action_title, description in actions
        ]
        db.session.add(plan)
        added += 1
    db.session.flush()
    if added:
        actions = {
            (a.plan.region.code, a.position): a for a in db.session.scalars(db.select(PlanAction))
        }
        events = db.session.scalars(db.select(Event).where(Event.slug.in_(list(EVENT_ACTIONS))))
        for event in events:
            for key in EVENT_ACTIONS[event.slug]:
                action = actions.get(key)
                if action is not None and action not in event.actions:
                    event.actions.append(action)
        db.session.flush()
    return added


def load_demo_periods(today: date) -> int:
    """Reporting periods by half-year around ``today`` (the last one, this one, the next)."""
    existing = set(db.session.scalars(db.select(ReportingPeriod.name)))
    added = 0
    half = 0 if today.month <= 6 else 1
    for offset in (-1, 0, 1):
        index = today.year * 2 + half + offset
        year, second = divmod(index, 2)
        name = f"{year} H{second + 1}"
        if name in existing:
            continue
        starts_on = date(year, 7, 1) if second else date(year, 1, 1)
        ends_on = date(year, 12, 31) if second else date(year, 6, 30)
        db.session.add(ReportingPeriod(name=name, starts_on=starts_on, ends_on=ends_on))
        added += 1
    db.session.flush()
    return added
