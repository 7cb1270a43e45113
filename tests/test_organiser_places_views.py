"""Administrators manage regions and partners; renames reach the calendar feeds."""

from __future__ import annotations

from datetime import timedelta

import pytest

from webapp.extensions import db
from webapp.feeds.services import feed_cache
from webapp.models import AuditEntry, Event, Partner, Region
from webapp.timezones import utcnow


@pytest.fixture(autouse=True)
def empty_feed_cache():
    feed_cache.clear()
    yield
    feed_cache.clear()


@pytest.fixture
def admin(make_user, login):
    return login(make_user("admin"))


def region_form(region: Region | None = None, **overrides) -> dict:
    data = {
        "code": "",
        "name": region.name if region else "Norte",
        "country": region.country if region else "Portugal",
        "timezone": region.timezone if region else "Europe/Lisbon",
        "locale": region.locale if region else "es",
    }
    data.update(overrides)
    return data


def partner_form(partner: Partner | None = None, **overrides) -> dict:
    data = {
        "name": partner.name if partner else "Klaipėda Economic Development Agency",
        "short_name": partner.short_name if partner else "KEDA",
        "region": partner.region.code if partner else "LT",
        "email": (partner.email or "") if partner else "events@keda.example.lt",
        "website": (partner.website or "") if partner else "https://keda.example.lt",
    }
    data.update(overrides)
    return data


def unfolded(response) -> str:
    """A calendar's text with folded (continued) lines joined again."""
    return response.get_data(as_text=True).replace("\r\n ", "")


def audit_actions() -> list[str]:
    return list(db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)))


# --- the list ---------------------------------------------------------------------------


def test_admin_sees_regions_partners_and_what_uses_them(client, admin, partner, make_event):
    make_event()
    page = client.get("/organiser/regions/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for name in ("Hungary", "Lombardy", "Podkarpackie", "Burgos", "Klaipėda"):
        assert name in html
    assert partner.short_name in html
    assert "1 event hosted" in html
    # Used rows have no delete button; unused regions do.
    assert f"/organiser/partners/{partner.id}/delete" not in html
    assert "/delete" in html and "Delete LT" in html
    assert "Delete HU" not in html


def test_menu_links_to_regions_and_partners_for_admins_only(client, make_user, login):
    login(make_user("admin"))
    assert "/organiser/regions/" in client.get("/organiser/").get_data(as_text=True)
    login(make_user("organiser"))
    html = client.get("/organiser/").get_data(as_text=True)
    assert "/organiser/regions/" not in html
    assert "/organiser/account/security" in html  # password, second factor, sessions


def test_organiser_gets_403_and_changes_nothing(client, make_user, login, regions, partner):
    login(make_user("organiser"))
    hu = regions["HU"]
    assert client.get("/organiser/regions/").status_code == 403
    response = client.post(f"/organiser/regions/{hu.id}/edit", data=region_form(hu, name="X"))
    assert response.status_code == 403
    response = client.post(
        f"/organiser/partners/{partner.id}/edit", data=partner_form(partner, name="X")
    )
    assert response.status_code == 403
    assert client.post(f"/organiser/partners/{partner.id}/delete").status_code == 403
    db.session.expire_all()
    assert db.session.get(Region, hu.id).name == "Hungary"
    assert db.session.get(Partner, partner.id).name != "X"


@pytest.mark.parametrize(
    "path",
    [
        "/organiser/regions/999999/edit",
        "/organiser/partners/999999/edit",
        "/organiser/regions/abc/edit",
        "/organiser/partners/-1/edit",
    ],
)
def test_tampered_ids_are_404(client, admin, path):
    assert client.get(path).status_code == 404
    assert client.post(path, data={}).status_code == 404


@pytest.mark.parametrize(
    "path", ["/organiser/regions/999999/delete", "/organiser/partners/999999/delete"]
)
def test_deleting_unknown_rows_is_404(client, admin, path):
    assert client.post(path).status_code == 404


# --- regions ----------------------------------------------------------------------------


def test_admin_creates_a_region(client, admin, regions):
    response = client.post("/organiser/regions/new", data=region_form(code="pt"))
    assert response.status_code == 302
    assert response.headers["Location"] == "/organiser/regions/"
    region = db.session.scalar(db.select(Region).where(Region.code == "PT"))
    assert (region.name, region.country, region.timezone, region.locale) == (
        "Norte",
        "Portugal",
        "Europe/Lisbon",
        "es",
    )
    assert "region.created" in audit_actions()
    # The new region serves events and has its own feed.
    assert client.get("/regions/PT/calendar.ics").status_code == 200


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"code": "HU"}, "already exists"),
        ({"code": "hu"}, "already exists"),
        ({"code": "P"}, "2 to 8 letters"),
        ({"code": "PORTUGALX"}, "Field cannot be longer than 8 characters"),
        ({"code": "P1"}, "2 to 8 letters"),
        ({"code": ""}, "2 to 8 letters"),
        ({"code": "PT", "timezone": "Europe/Atlantis"}, "Choose a time zone"),
        ({"code": "PT", "timezone": "../../etc/passwd"}, "Choose a time zone"),
        ({"code": "PT", "locale": "pt"}, "Choose one of the site"),
        ({"code": "PT", "name": "   "}, "This field is required"),
    ],
)
def test_bad_region_input_is_refused_next_to_the_field(
    client, admin, regions, overrides, field_message
):
    count = db.session.scalar(db.select(db.func.count()).select_from(Region))
    response = client.post("/organiser/regions/new", data=region_form(**overrides))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert field_message in html
    assert 'aria-invalid="true"' in html
    assert db.session.scalar(db.select(db.func.count()).select_from(Region)) == count


def test_admin_edits_a_region_but_not_its_code(client, admin, regions):
    lt = regions["LT"]
    page = client.get(f"/organiser/regions/{lt.id}/edit").get_data(as_text=True)
    assert 'value="Klaipėda"' in page
    assert 'name="code"' not in page
    response = client.post(
        f"/organiser/regions/{lt.id}/edit",
        data=region_form(lt, name="Klaipėda Region", code="XX", locale="en"),
    )
    assert response.headers["Location"] == "/organiser/regions/"
    db.session.expire_all()
    region = db.session.get(Region, lt.id)
    assert (region.code, region.name, region.locale) == ("LT", "Klaipėda Region", "en")
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "region.updated"))
    assert entry.details["changes"]["name"] == ["Klaipėda", "Klaipėda Region"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "Choose a time zone"),
        ({"locale": "de"}, "Choose one of the site"),
        ({"country": ""}, "This field is required"),
    ],
)
def test_bad_region_edit_changes_nothing(client, admin, regions, overrides, message):
    hu = regions["HU"]
    response = client.post(
        f"/organiser/regions/{hu.id}/edit", data=region_form(hu, name="Renamed", **overrides)
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Region, hu.id).name == "Hungary"


def test_region_in_use_cannot_be_deleted(client, admin, regions, partner):
    hu = regions["HU"]
    response = client.post(f"/organiser/regions/{hu.id}/delete")
    assert response.headers["Location"] == "/organiser/regions/"
    assert "cannot be deleted" in client.get("/organiser/regions/").get_data(as_text=True)
    assert db.session.get(Region, hu.id) is not None


def test_region_with_registrations_only_cannot_be_deleted(
    client, admin, regions, make_event, make_registration
):
    make_registration(make_event(), region=regions["PL"])
    client.post(f"/organiser/regions/{regions['PL'].id}/delete")
    db.session.expire_all()
    assert db.session.get(Region, regions["PL"].id) is not None


def test_unused_region_can_be_deleted(client, admin, regions):
    lt_id = regions["LT"].id
    response = client.post(f"/organiser/regions/{lt_id}/delete")
    assert response.headers["Location"] == "/organiser/regions/"
    db.session.expire_all()
    assert db.session.get(Region, lt_id) is None
    assert "region.deleted" in audit_actions()


# --- partners ---------------------------------------------------------------------------


def test_admin_creates_a_partner(client, admin, regions):
    response = client.post("/organiser/partners/new", data=partner_form())
    assert response.headers["Location"] == "/organiser/regions/"
    partner = db.session.scalar(db.select(Partner).where(Partner.short_name == "KEDA"))
    assert partner.region.code == "LT"
    assert partner.email == "events@keda.example.lt"
    assert partner.website == "https://keda.example.lt"
    assert "partner.created" in audit_actions()


def test_partner_email_and_website_are_optional(client, admin, regions):
    response = client.post("/organiser/partners/new", data=partner_form(email="", website=""))
    assert response.status_code == 302
    partner = db.session.scalar(db.select(Partner).where(Partner.short_name == "KEDA"))
    assert partner.email is None and partner.website is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"short_name": "HUPART"}, "already has the short name"),
        ({"short_name": "hupart"}, "already has the short name"),
        ({"email": "not an address"}, "Invalid email address"),
        ({"email": "events@"}, "Invalid email address"),
        ({"website": "javascript:alert(1)"}, "Enter a full link"),
        ({"region": "XX"}, "Choose a region from the list"),
        ({"region": ""}, "Choose a region from the list"),
        ({"name": ""}, "This field is required"),
        ({"short_name": "x" * 41}, "Field cannot be longer than 40 characters"),
    ],
)
def test_bad_partner_input_is_refused(client, admin, make_partner, overrides, message):
    make_partner("HU", short_name="HUPART")
    count = db.session.scalar(db.select(db.func.count()).select_from(Partner))
    response = client.post("/organiser/partners/new", data=partner_form(**overrides))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Partner)) == count


def test_admin_edits_a_partner(client, admin, partner):
    page = client.get(f"/organiser/partners/{partner.id}/edit").get_data(as_text=True)
    assert f'value="{partner.short_name}"' in page
    response = client.post(
        f"/organiser/partners/{partner.id}/edit",
        data=partner_form(partner, name="Pannon Business Network", region="IT"),
    )
    assert response.headers["Location"] == "/organiser/regions/"
    db.session.expire_all()
    changed = db.session.get(Partner, partner.id)
    assert (changed.name, changed.region.code) == ("Pannon Business Network", "IT")


def test_partner_keeps_its_own_short_name_but_cannot_take_another(
    client, admin, partner, make_partner
):
    other = make_partner("ES", short_name="SODEBUR")
    keep = client.post(f"/organiser/partners/{partner.id}/edit", data=partner_form(partner))
    assert keep.status_code == 302
    taken = client.post(
        f"/organiser/partners/{partner.id}/edit",
        data=partner_form(partner, short_name=other.short_name, name="Changed"),
    )
    assert taken.status_code == 200
    assert "already has the short name" in taken.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Partner, partner.id).name != "Changed"


def test_partner_hosting_events_or_with_users_cannot_be_deleted(
    client, admin, make_partner, make_event, make_user
):
    host = make_partner("IT", short_name="HOST")
    make_event(host_partner=host)
    staffed = make_partner("PL", short_name="STAFFED")
    make_user("organiser", partner=staffed)
    for p in (host, staffed):
        response = client.post(f"/organiser/partners/{p.id}/delete")
        assert response.headers["Location"] == "/organiser/regions/"
    html = client.get("/organiser/regions/").get_data(as_text=True)
    assert "HOST cannot be deleted" in html
    assert "STAFFED cannot be deleted" in html
    db.session.expire_all()
    assert db.session.get(Partner, host.id) is not None
    assert db.session.get(Partner, staffed.id) is not None


def test_unused_partner_can_be_deleted(client, admin, make_partner):
    spare_id = make_partner("PL", short_name="SPARE").id
    response = client.post(f"/organiser/partners/{spare_id}/delete")
    assert response.headers["Location"] == "/organiser/regions/"
    db.session.expire_all()
    assert db.session.get(Partner, spare_id) is None
    assert "partner.deleted" in audit_actions()


# --- feeds ------------------------------------------------------------------------------


@pytest.fixture
def old_event(make_event, regions, partner):
    event = make_event(title="Smart specialisation study visit", region_codes=("HU", "LT"))
    event.updated_at = utcnow() - timedelta(days=3)
    db.session.commit()
    return event


def test_region_rename_changes_the_feed_etag(client, admin, regions, old_event):
    feeds = ["/calendar.ics", "/regions/LT/calendar.ics"]
    before = {path: client.get(path) for path in feeds}
    for path in feeds:
        unchanged = client.get(path, headers={"If-None-Match": before[path].headers["ETag"]})
        assert unchanged.status_code == 304

    lt = regions["LT"]
    client.post(f"/organiser/regions/{lt.id}/edit", data=region_form(lt, name="Klaipėda Region"))

    for path in feeds:
        after = client.get(path, headers={"If-None-Match": before[path].headers["ETag"]})
        assert after.status_code == 200, path
        assert after.headers["ETag"] != before[path].headers["ETag"]
        assert "Klaipėda Region" in unfolded(after)


def test_region_edit_that_changes_nothing_keeps_the_etag(client, admin, regions, old_event):
    etag = client.get("/calendar.ics").headers["ETag"]
    hu = regions["HU"]
    client.post(f"/organiser/regions/{hu.id}/edit", data=region_form(hu))
    assert client.get("/calendar.ics", headers={"If-None-Match": etag}).status_code == 304


def test_rename_touches_only_the_events_that_show_the_name(
    client, admin, regions, old_event, make_event, make_partner
):
    elsewhere = make_event(region_codes=("ES",), host_partner=make_partner("ES"))
    elsewhere.updated_at = utcnow() - timedelta(days=3)
    db.session.commit()
    lt = regions["LT"]
    client.post(f"/organiser/regions/{lt.id}/edit", data=region_form(lt, name="Klaipėda Region"))
    db.session.expire_all()
    fresh = utcnow() - timedelta(minutes=5)
    assert db.session.get(Event, old_event.id).updated_at > fresh
    assert db.session.get(Event, elsewhere.id).updated_at < fresh


def test_host_partner_rename_changes_the_feed_etag(client, admin, partner, old_event):
    etag = client.get("/calendar.ics").headers["ETag"]
    client.post(
        f"/organiser/partners/{partner.id}/edit",
        data=partner_form(partner, name="Pannon Business Network"),
    )
    after = client.get("/calendar.ics", headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert "Pannon Business Network" in unfolded(after)


def test_short_name_saved_at_the_same_moment_is_refused_not_a_500(
    client, admin, make_partner, monkeypatch
):
    from webapp.organiser import places

    make_partner("HU", short_name="KEDA")
    # As if another administrator saved KEDA between this one's check and insert.
    monkeypatch.setattr(places, "_short_name_taken", lambda *args, **kwargs: False)
    count = db.session.scalar(db.select(db.func.count()).select_from(Partner))
    response = client.post("/organiser/partners/new", data=partner_form(short_name="KEDA"))
    assert response.status_code == 200
    assert "a moment ago" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Partner)) == count
