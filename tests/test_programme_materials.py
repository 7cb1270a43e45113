"""Materials: uploads checked by their bytes, downloads checked for every kind of visitor,
and the "materials are available" e-mail."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest

from tests.support.outbox import render_queued
from webapp.extensions import db
from webapp.models import Attendance, Material, OutboxMessage
from webapp.programme.storage import FileTooLarge, LocalStorage

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")


@pytest.fixture
def app_config(tmp_path):
    return {"MATERIALS_STORAGE_PATH": str(tmp_path / "materials"), "MATERIAL_MAX_BYTES": 4096}


@pytest.fixture
def organiser(make_user, login):
    return login(make_user("organiser"))


@pytest.fixture
def past_event(make_event):
    return make_event(start=timedelta(days=-3), title="Export webinar")


def upload(client, event, content: bytes, filename: str, **fields):
    data = {
        "title": fields.pop("title", ""),
        "audience": fields.pop("audience", "everyone"),
        "item": fields.pop("item", "event"),
        "url": fields.pop("url", ""),
        "file": (io.BytesIO(content), filename),
    }
    return client.post(
        f"/organiser/events/{event.id}/materials",
        data=data,
        content_type="multipart/form-data",
    )


def stored_files(app) -> list[Path]:
    root = Path(app.config["MATERIALS_STORAGE_PATH"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_pdf_is_stored_under_a_key_of_its_own_and_downloaded_as_an_attachment(
    app, client, organiser, past_event
):
    response = upload(client, past_event, PDF, "Slides – día 1.pdf", title="Slides")
    assert response.headers["Location"] == f"/organiser/events/{past_event.id}/materials"
    material = db.session.scalar(db.select(Material))
    assert material.content_type == "application/pdf" and material.size == len(PDF)
    assert material.filename == "Slides – día 1.pdf"
    files = stored_files(app)
    assert len(files) == 1 and files[0].name == material.storage_key
    assert files[0].read_bytes() == PDF

    client.post("/organiser/logout")
    with client.get(f"/events/{past_event.slug}/materials/{material.id}") as response:
        assert response.status_code == 200
        assert response.data == PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert (
        "filename*=UTF-8''Slides%20%E2%80%93%20d%C3%ADa%201.pdf"
        in (response.headers["Content-Disposition"])
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    page = client.get(f"/events/{past_event.slug}").get_data(as_text=True)
    assert f"/events/{past_event.slug}/materials/{material.id}" in page


def test_images_are_shown_inline_everything_else_is_an_attachment(client, organiser, past_event):
    upload(client, past_event, PNG, "group-photo.png", title="Photo")
    material = db.session.scalar(db.select(Material))
    with client.get(f"/events/{past_event.slug}/materials/{material.id}") as response:
        assert response.data == PNG
    assert response.mimetype == "image/png"
    assert response.headers["Content-Disposition"].startswith("inline;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"<html><script>alert(1)</script></html>", "slides.pdf", "is not really a PDF file"),
        (PDF, "photo.png", "is not really a PNG file"),
        (b"MZ\x90\x00" + b"\x00" * 60, "setup.exe", "Files of this kind cannot be uploaded"),
        (b"<svg onload=alert(1)>", "logo.svg", "Files of this kind cannot be uploaded"),
        (b"", "empty.pdf", "is empty"),
        (PDF + b"x" * 5000, "big.pdf", "larger than 0.00390625 MB"),
        (PDF, "../../etc/passwd.pdf", "contains a folder"),
        (PDF, "..\\windows\\slides.pdf", "contains a folder"),
        (PDF, ".htaccess.pdf", "leading dot"),
        (PDF, "slides\x01.pdf", "control characters"),
    ],
)
def test_bad_uploads_get_a_clear_message_and_nothing_is_kept(
    app, client, organiser, past_event, content, filename, message
):
    response = upload(client, past_event, content, filename, title="Slides")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Material)) == 0
    assert stored_files(app) == []


def test_a_material_is_a_file_or_a_link_not_both(client, organiser, past_event):
    response = upload(client, past_event, PDF, "a.pdf", url="https://example.org/rec")
    assert "Choose a file or give a link (one of the two)." in response.get_data(as_text=True)
    response = client.post(
        f"/organiser/events/{past_event.id}/materials",
        data={"title": "", "audience": "everyone", "item": "event", "url": ""},
    )
    assert response.status_code == 400
    assert "Choose a file or give a link" in response.get_data(as_text=True)
    response = client.post(
        f"/organiser/events/{past_event.id}/materials",
        data={"title": "Rec", "audience": "nobody", "item": "event", "url": "ftp://x.org/a"},
    )
    page = response.get_data(as_text=True)
    assert "Enter a full link starting with https://" in page and "Not a valid choice" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Material)) == 0


def test_an_oversized_request_gets_the_site_error_page(app, client, organiser, past_event):
    app.config["MATERIAL_MAX_BYTES"] = 1024
    response = upload(client, past_event, PDF + b"x" * 400_000, "big.pdf")
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_deleting_a_material_removes_its_file(app, client, organiser, past_event):
    upload(client, past_event, PDF, "minutes.pdf", title="Minutes")
    material = db.session.scalar(db.select(Material))
    response = client.post(f"/organiser/events/{past_event.id}/materials/{material.id}/delete")
    assert response.headers["Location"] == f"/organiser/events/{past_event.id}/materials"
    assert stored_files(app) == []
    assert db.session.scalar(db.select(db.func.count()).select_from(Material)) == 0


def test_local_storage_refuses_foreign_keys_and_too_many_bytes(tmp_path):
    storage = LocalStorage(tmp_path)
    with pytest.raises(ValueError):
        storage.save("../outside.pdf", io.BytesIO(PDF), max_bytes=100)
    with pytest.raises(FileTooLarge):
        storage.save("0" * 32 + ".pdf", io.BytesIO(PDF), max_bytes=10)
    assert list(tmp_path.rglob("*.pdf")) == [] and not storage.exists("0" * 32 + ".pdf")
    assert storage.save("a" * 32 + ".pdf", io.BytesIO(PDF), max_bytes=1000) == len(PDF)
    with storage.open("a" * 32 + ".pdf") as stream:
        assert stream.read() == PDF
    storage.delete("a" * 32 + ".pdf")
    assert not storage.exists("a" * 32 + ".pdf")


# --- who may open what ------------------------------------------------------------------------


@pytest.fixture
def materials(app, past_event):
    """One link per audience (links need no storage; files go through the same checks)."""
    rows = {}
    for audience in ("everyone", "registrants", "attendees", "organisers"):
        rows[audience] = Material(
            event=past_event,
            title=f"For {audience}",
            audience=audience,
            url=f"https://files.example.org/{audience}",
        )
        db.session.add(rows[audience])
    db.session.commit()
    return rows


@pytest.fixture
def visitors(past_event, make_registration, make_user):
    attended = make_registration(past_event)
    db.session.add(Attendance(registration=attended, day=past_event.days[0], status="present"))
    absent = make_registration(past_event)
    db.session.add(Attendance(registration=absent, day=past_event.days[0], status="absent"))
    db.session.commit()
    return {
        "attendee": attended,
        "registrant": absent,
        "waitlisted": make_registration(past_event, status="waitlisted"),
        "cancelled": make_registration(past_event, status="cancelled"),
        "unmarked": make_registration(past_event),
    }


ALLOWED = {
    # visitor → audiences they may open
    "anonymous": {"everyone"},
    "registrant": {"everyone", "registrants"},
    "attendee": {"everyone", "registrants", "attendees"},
    "waitlisted": {"everyone"},
    "cancelled": {"everyone"},
    "organiser": {"everyone", "registrants", "attendees", "organisers"},
}


@pytest.mark.parametrize("visitor", sorted(ALLOWED))
def test_access_to_each_material_by_each_kind_of_visitor(
    client, make_user, login, past_event, materials, visitors, visitor
):
    if visitor == "organiser":
        login(make_user("organiser"))
    for audience, material in materials.items():
        if visitor in ("anonymous", "organiser"):
            url = f"/events/{past_event.slug}/materials/{material.id}"
        else:
            url = f"/registrations/{visitors[visitor].token}/materials/{material.id}"
        response = client.get(url)
        if audience in ALLOWED[visitor]:
            assert response.status_code == 303, (visitor, audience)
            assert response.headers["Location"] == material.url
        else:
            assert response.status_code == 403, (visitor, audience)
            assert material.url not in response.get_data(as_text=True)


def test_registrant_pages_list_only_what_the_person_may_open(
    client, past_event, materials, visitors
):
    page = client.get(f"/registrations/{visitors['registrant'].token}").get_data(as_text=True)
    assert "For everyone" in page and "For registrants" in page
    assert "For attendees" not in page and "For organisers" not in page
    page = client.get(f"/registrations/{visitors['attendee'].token}").get_data(as_text=True)
    assert "For attendees" in page and "For organisers" not in page
    public = client.get(f"/events/{past_event.slug}").get_data(as_text=True)
    assert "For everyone" in public and "For registrants" not in public
    assert "Participants find more materials on their registration page" in public


def test_an_erased_registration_opens_nothing_restricted(client, past_event, materials, visitors):
    from webapp.registrations.services import erase_registration

    registration = visitors["attendee"]
    erase_registration(registration)
    db.session.commit()
    response = client.get(
        f"/registrations/{registration.token}/materials/{materials['registrants'].id}"
    )
    assert response.status_code in (403, 404)


def test_materials_of_another_event_or_a_bad_token_are_not_found(
    client, make_event, past_event, materials, visitors
):
    other = make_event()
    material = materials["everyone"]
    assert client.get(f"/events/{other.slug}/materials/{material.id}").status_code == 404
    assert client.get(f"/registrations/not-a-token/materials/{material.id}").status_code == 404
    assert client.get(f"/events/{past_event.slug}/materials/999999").status_code == 404


def test_a_draft_event_hides_even_its_public_materials(client, make_event):
    draft = make_event(status="draft")
    material = Material(event=draft, title="x", audience="everyone", url="https://x.example")
    db.session.add(material)
    db.session.commit()
    assert client.get(f"/events/{draft.slug}/materials/{material.id}").status_code == 404


# --- "materials are available" ------------------------------------------------------------


def test_the_announcement_goes_once_to_each_attendee_in_their_language(
    client, organiser, past_event, materials, visitors
):
    visitors["attendee"].locale = "hu"
    db.session.commit()
    response = client.post(
        f"/organiser/events/{past_event.id}/materials/announce", data={"audience": "attendees"}
    )
    assert response.headers["Location"] == f"/organiser/events/{past_event.id}/materials"
    render_queued()
    messages = list(
        db.session.scalars(
            db.select(OutboxMessage).where(OutboxMessage.kind == "materials_available")
        )
    )
    assert [m.registration_id for m in messages] == [visitors["attendee"].id]
    message = messages[0]
    assert message.subject.startswith("Elérhetők az anyagok")
    assert "For attendees" in message.body_text and "For organisers" not in message.body_text
    assert f"/registrations/{visitors['attendee'].token}" in message.body_text

    again = client.post(
        f"/organiser/events/{past_event.id}/materials/announce",
        data={"audience": "registrants"},
    )
    assert again.status_code == 400
    assert "it is sent only once" in again.get_data(as_text=True)
    assert (
        db.session.scalar(
            db.select(db.func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.kind == "materials_available")
        )
        == 1
    )


def test_the_announcement_to_all_registrants(client, organiser, past_event, materials, visitors):
    client.post(
        f"/organiser/events/{past_event.id}/materials/announce", data={"audience": "registrants"}
    )
    recipients = set(
        db.session.scalars(
            db.select(OutboxMessage.registration_id).where(
                OutboxMessage.kind == "materials_available"
            )
        )
    )
    expected = {visitors[k].id for k in ("attendee", "registrant", "unmarked")}
    assert recipients == expected


def test_no_announcement_when_nothing_is_visible_to_the_group(
    client, organiser, past_event, visitors
):
    db.session.add(
        Material(event=past_event, title="Minutes", audience="organisers", url="https://x.org")
    )
    db.session.commit()
    response = client.post(
        f"/organiser/events/{past_event.id}/materials/announce", data={"audience": "attendees"}
    )
    assert response.status_code == 400
    assert "None of the materials is visible to that group yet" in response.get_data(as_text=True)
    db.session.expire_all()
    assert past_event.materials_notified_at is None


def test_the_rules_refuse_links_that_are_not_web_addresses(app, past_event):
    from webapp.programme import services

    for url in ("javascript:alert(1)", "data:text/html,<script>", "  "):
        with pytest.raises(services.ProgrammeError):
            services.add_link_material(
                past_event, title="x", audience="everyone", url=url, item=None, actor=None
            )
    with pytest.raises(services.ProgrammeError):
        services.save_speaker(services.SpeakerData(name="A", url="javascript:x"))
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(Material)) == 0


def test_deleting_a_draft_removes_its_material_files(app, client, organiser, make_event):
    draft = make_event(status="draft")
    upload(client, draft, PDF, "draft-notes.pdf", title="Notes")
    assert len(stored_files(app)) == 1
    response = client.post(f"/organiser/events/{draft.id}/delete")
    assert response.headers["Location"] == "/organiser/"
    assert stored_files(app) == []
    assert db.session.scalar(db.select(db.func.count()).select_from(Material)) == 0


def test_the_registrant_page_names_the_item_a_material_belongs_to(client, past_event, visitors):
    from webapp.models import ProgrammeItem

    item = ProgrammeItem(
        event=past_event,
        starts_at=past_event.starts_at,
        ends_at=past_event.ends_at,
        title="Keynote",
        translations={"hu": {"title": "Nyitóelőadás"}},
    )
    db.session.add(
        Material(
            event=past_event,
            item=item,
            title="Keynote slides",
            audience="registrants",
            url="https://files.example.org/keynote",
        )
    )
    db.session.commit()
    page = client.get(
        f"/registrations/{visitors['registrant'].token}", headers={"Accept-Language": "hu"}
    ).get_data(as_text=True)
    assert "Keynote slides" in page and "Nyitóelőadás" in page
