"""Partner contacts: managed by the partner's organisers; CSV import with per-row errors."""

from __future__ import annotations

import io

from webapp.extensions import db
from webapp.models import PartnerContact


def _upload(client, partner, content: bytes, name: str = "contacts.csv"):
    return client.post(
        f"/organiser/partners/{partner.id}/contacts/import",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def _contacts(partner):
    return db.session.scalars(
        db.select(PartnerContact)
        .where(PartnerContact.partner_id == partner.id)
        .order_by(PartnerContact.email)
    ).all()


def test_add_edit_and_remove(client, partner, make_user, login):
    login(make_user())
    response = client.post(
        f"/organiser/partners/{partner.id}/contacts",
        data={"name": "Anna Tóth", "email": "Anna@Pannon.example", "role": "PM", "locale": "hu"},
    )
    assert response.headers["Location"].endswith(f"/organiser/partners/{partner.id}/contacts")
    (contact,) = _contacts(partner)
    assert (contact.email, contact.region.code) == ("anna@pannon.example", "HU")
    twice = client.post(
        f"/organiser/partners/{partner.id}/contacts",
        data={"name": "Anna", "email": "anna@pannon.example", "locale": "hu"},
    )
    assert twice.status_code == 400 and "already has a contact" in twice.get_data(as_text=True)
    bad = client.post(
        f"/organiser/partners/{partner.id}/contacts/{contact.id}",
        data={"name": "Anna", "email": "not an address", "locale": "xx"},
    )
    assert bad.status_code == 400
    client.post(f"/organiser/partners/{partner.id}/contacts/{contact.id}/remove")
    db.session.refresh(contact)
    assert contact.removed_at is not None and contact.name == "—"
    page = client.get(f"/organiser/partners/{partner.id}/contacts").get_data(as_text=True)
    assert "anna@pannon.example" not in page


def test_import_reports_each_bad_row_and_stores_nothing(client, partner, make_user, login):
    login(make_user())
    content = (
        "name;email;role;language\n"
        "Anna Tóth;anna@pannon.example;PM;hu\n"
        ";nobody@pannon.example;;\n"
        "Béla;not-an-address;;\n"
        "Anna again;ANNA@pannon.example;;\n"
        "Carla;carla@pannon.example;;xx\n"
    ).encode()
    response = _upload(client, partner, content)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    for row in ("Row 3", "Row 4", "Row 5", "Row 6"):
        assert row in html
    assert "Row 2" not in html
    assert _contacts(partner) == []


def test_import_adds_and_updates(client, partner, make_user, login):
    login(make_user())
    first = "Name,E-mail,Role\nAnna Tóth,anna@pannon.example,PM\nBéla Kiss,bela@pannon.example,\n"
    assert "/contacts" in _upload(client, partner, first.encode("utf-8-sig")).headers["Location"]
    again = "email,name,language\nanna@pannon.example,Anna Tóth-Nagy,en\n"
    assert "/contacts" in _upload(client, partner, again.encode()).headers["Location"]
    contacts = _contacts(partner)
    assert [(c.name, c.locale) for c in contacts] == [("Anna Tóth-Nagy", "en"), ("Béla Kiss", "hu")]


def test_import_reads_regional_language_codes_as_the_sites_languages(
    client, partner, make_user, login
):
    login(make_user())
    rows = "email,name,language\nanna@pannon.example,Anna,hu-HU\nbela@pannon.example,Béla,EN\n"
    assert "/contacts" in _upload(client, partner, rows.encode()).headers["Location"]
    assert [(c.name, c.locale) for c in _contacts(partner)] == [("Anna", "hu"), ("Béla", "en")]


def test_files_that_are_not_csv_get_a_clear_error(client, partner, make_user, login):
    login(make_user())
    for content in (b"\xff\xfe\x00\x00garbage\x00", b"", b"first,last\nA,B\n"):
        response = _upload(client, partner, content)
        assert response.status_code == 400
        assert 'id="import-errors"' in response.get_data(as_text=True) or content == b""
    assert client.post(f"/organiser/partners/{partner.id}/contacts/import").status_code == 400


def test_only_the_partners_organisers_and_admins(client, partner, make_partner, make_user, login):
    other = make_partner("IT", short_name="UCL")
    login(make_user(partner=other))
    assert client.get(f"/organiser/partners/{partner.id}/contacts").status_code == 403
    assert (
        client.get("/organiser/contacts")
        .headers["Location"]
        .endswith(f"/organiser/partners/{other.id}/contacts")
    )
    login(make_user(role="admin"))
    assert client.get(f"/organiser/partners/{partner.id}/contacts").status_code == 200
    assert partner.name in client.get("/organiser/contacts").get_data(as_text=True)
