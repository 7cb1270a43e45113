"""The personal feed on the registrant's page, with CSRF protection switched on."""

from __future__ import annotations

import re

import pytest

from webapp.extensions import db
from webapp.models import Registration


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def form_token(page: str, action: str) -> str:
    form = re.search(rf'<form method="post" action="{re.escape(action)}">(.*?)</form>', page, re.S)
    assert form, f"no form posting to {action}"
    return re.search(r'name="csrf_token" value="([^"]+)"', form.group(1)).group(1)


def test_registrant_page_offers_the_personal_feed_and_regenerates_it(
    client, make_event, make_registration
):
    registration = make_registration(make_event(title="Webinar"))
    old = registration.feed_token
    page = client.get(f"/registrations/{registration.token}").get_data(as_text=True)
    assert f'href="webcal://events.example.org/feeds/{old}.ics"' in page
    assert f'value="https://events.example.org/feeds/{old}.ics"' in page

    action = f"/registrations/{registration.token}/feed-token"
    rejected = client.post(action, data={})
    assert rejected.status_code == 400
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).feed_token == old

    response = client.post(action, data={"csrf_token": form_token(page, action)})
    assert response.headers["Location"] == f"/registrations/{registration.token}"
    db.session.expire_all()
    new = db.session.get(Registration, registration.id).feed_token
    assert new != old
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"/feeds/{new}.ics" in page and f"/feeds/{old}.ics" not in page
    assert "new address" in page
