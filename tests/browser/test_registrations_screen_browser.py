"""An organiser decides on several registrations at once on a phone, in Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.outbox import render_queued
from webapp.extensions import db
from webapp.models import OutboxMessage, Question, Registration

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


def test_bulk_approve_on_a_phone(browser, live_server, make_user, make_event, make_registration):
    event = make_event(title="Agri-food study visit in Burgos", requires_approval=True, capacity=1)
    sector = Question(event=event, label="Which sector?", kind="short_text")
    db.session.add(sector)
    db.session.commit()
    first = make_registration(
        event, name="Ana Ruiz", status="pending", answers={str(sector.id): "Wine"}
    )
    second = make_registration(
        event, name="Jonas Petraitis", status="pending", answers={str(sector.id): "Dairy"}
    )
    make_registration(event, name="Marta Nowak", status="pending")
    organiser = make_user("organiser", password=PASSWORD)

    context = browser.new_context(base_url=live_server, viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        page.goto("/organiser/login")
        page.get_by_label("E-mail address").fill(organiser.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/organiser/")
        page.goto(f"/organiser/events/{event.id}/registrations")

        # Each registration is a card with its answer labelled, within the phone's width.
        card = page.locator("table.registrations tbody tr", has_text="Ana Ruiz")
        answer = card.locator("td", has_text="Wine")
        heading = answer.evaluate("td => getComputedStyle(td, '::before').content")
        assert heading == '"Which sector?: "'
        box = card.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360

        page.get_by_label("Tick Ana Ruiz").check()
        page.get_by_label("Tick Jonas Petraitis").check()
        page.get_by_label("Message to include in their e-mail (optional)").fill(
            "Bring sturdy shoes for the vineyard."
        )
        page.get_by_role("button", name="Approve the ticked").click()
        expect(page.get_by_text("1 registration approved")).to_be_visible()
        expect(page.get_by_text("1 approved registration went to the waiting list")).to_be_visible()
    finally:
        context.close()

    db.session.expire_all()
    assert (first.status, second.status) == ("confirmed", "waitlisted")
    assert (
        db.session.scalar(
            db.select(db.func.count(Registration.id)).where(Registration.status == "pending")
        )
        == 1
    )
    render_queued()
    notes = db.session.scalars(
        db.select(OutboxMessage.body_text).where(
            OutboxMessage.registration_id.in_([first.id, second.id])
        )
    ).all()
    assert len(notes) == 2 and all("Bring sturdy shoes" in body for body in notes)
