"""Evidence packs: printed PDFs (checked as text and as rendered pages) and the ZIP."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime, time, timedelta

import pypdfium2 as pdfium
import pytest
from PIL import Image

from webapp.extensions import db
from webapp.models import Attendance, PlatformReport
from webapp.reporting import evidence

NAMES = [
    ("Gintarė Kazlauskaitė", "Klaipėdos universitetas", "LT"),
    ("Łukasz Żółkiewski-Wąsowicz", "Rzeszowska Agencja Rozwoju Regionalnego", "PL"),
    ("Őry Ünőke Erzsébet", "Pécsi Tudományegyetem", "HU"),
    ("María José Ibáñez", "SODEBUR", "ES"),
    ("Ελένη Παπαδοπούλου", "Олена Коваленко ТОВ", "IT"),
]


def pdf_text(data: bytes) -> str:
    document = pdfium.PdfDocument(data)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def pdf_page_count(data: bytes) -> int:
    document = pdfium.PdfDocument(data)
    try:
        return len(document)
    finally:
        document.close()


def pdf_pages(data: bytes, scale: float = 1) -> list[Image.Image]:
    """Each page drawn as an image (``scale`` 1 = 72 dots per inch)."""
    document = pdfium.PdfDocument(data)
    try:
        return [page.render(scale=scale).to_pil().convert("RGB") for page in document]
    finally:
        document.close()


def ink_runs(pixels) -> int:
    """How many separate stretches of ink (not white) a line of pixels crosses."""
    runs, inside = 0, False
    for pixel in pixels:
        ink = sum(pixel) < 600
        runs += ink and not inside
        inside = ink
    return runs


@pytest.fixture
def visit(make_event, make_registration, regions):
    """A two-day on-site study visit that is over, with five people present."""
    # 07:00 UTC ten days ago: 32 hours later is still the second day in any partner zone.
    start = datetime.combine(date.today() - timedelta(days=10), time(7, 0), tzinfo=UTC)
    event = make_event(
        start=start,
        duration=timedelta(days=1, hours=8),
        kind="study_visit",
        format="onsite",
        venue="Klaipėdos mokslo ir technologijų parkas",
        address="Lypkio g. 17, Klaipėda",
        title="Mėlynoji ekonomika: studijų vizitas",
        description="Day 1: start-up accelerator.\n\nDay 2: port of Klaipėda and Lithuanian SMEs.",
        region_codes=("LT",),
    )
    for n, (name, organisation, region) in enumerate(NAMES):
        registration = make_registration(
            event, name=name, organisation=organisation, region=regions[region]
        )
        for day in event.days[: 1 + n % 2]:
            db.session.add(Attendance(registration=registration, day=day, status="present"))
    make_registration(event, name="Absent Person", organisation="Nowhere")
    db.session.commit()
    return event


@pytest.fixture
def organiser(make_user, login):
    return login(make_user())


def test_participant_list_prints_every_name_and_script(client, organiser, visit):
    response = client.get(f"/organiser/events/{visit.id}/evidence/participants.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    text = pdf_text(response.get_data())
    for name, organisation, _ in NAMES:
        assert name in text
        assert organisation in text
    assert "Absent Person" not in text  # listed participants were present
    assert "Mėlynoji ekonomika: studijų vizitas" in text
    assert "Klaipėdos mokslo ir technologijų parkas" in text
    assert "port of Klaipėda" in text  # the programme
    assert "5 participants" in text and "2 days" in text
    assert "Minutes online" not in text  # on-site only
    pages = pdf_pages(response.get_data())
    assert pages[0].width > pages[0].height  # landscape: the table is wide


def test_sign_in_sheet_has_a_page_per_day_and_a_signature_column(client, organiser, visit):
    response = client.get(f"/organiser/events/{visit.id}/evidence/sign-in-sheet.pdf")
    data = response.get_data()
    assert pdf_page_count(data) == 2  # one day per page
    text = pdf_text(data)
    assert text.count("Signature") == 2
    assert "Absent Person" in text  # everyone confirmed signs (or not)
    assert "Gintarė Kazlauskaitė" in text
    page = pdf_pages(data, scale=2)[0]
    width, height = page.size
    assert height > width  # portrait A4
    assert abs(height / width - 297 / 210) < 0.01
    # Down the empty signature column (right edge of the table) the ruled lines of the
    # header and of every row are crossed: six people, six blank rows, header, bottom.
    x = int(width * 0.85)
    lines = ink_runs(page.getpixel((x, y)) for y in range(height // 4, height))
    assert lines >= len(NAMES) + 1 + evidence.BLANK_SIGNIN_ROWS


def test_online_events_have_minutes_and_no_sign_in_sheet(
    client, organiser, make_event, make_registration
):
    webinar = make_event(start=timedelta(days=-2), format="online")
    registration = make_registration(webinar, name="Žydrūnė Ąžuolaitė")
    db.session.add(
        Attendance(
            registration=registration, day=webinar.days[0], status="present", minutes_online=87
        )
    )
    db.session.commit()
    text = pdf_text(
        client.get(f"/organiser/events/{webinar.id}/evidence/participants.pdf").get_data()
    )
    assert "Minutes online" in text and "87" in text and "Žydrūnė Ąžuolaitė" in text
    assert (
        client.get(f"/organiser/events/{webinar.id}/evidence/sign-in-sheet.pdf").status_code == 404
    )
    names = zipfile.ZipFile(
        io.BytesIO(client.get(f"/organiser/events/{webinar.id}/evidence.zip").get_data())
    ).namelist()
    assert "sign-in-sheet.pdf" not in names and "participants.pdf" in names


def test_configured_logos_are_printed_and_missing_ones_are_left_out(
    app, client, organiser, visit, tmp_path
):
    logo = tmp_path / "programme.png"
    Image.new("RGB", (300, 120), (220, 0, 0)).save(logo)
    partner_dir = tmp_path / "partners"
    partner_dir.mkdir()
    Image.new("RGB", (200, 120), (0, 0, 220)).save(partner_dir / "PANNON.png")
    url = f"/organiser/events/{visit.id}/evidence/programme.pdf"

    plain = pdf_pages(client.get(url).get_data())[0]
    app.config.update(
        PROGRAMME_LOGO=str(logo),
        EU_EMBLEM=str(tmp_path / "missing-emblem.svg"),  # not there: left out
        PARTNER_LOGO_DIR=str(partner_dir),
        EU_FUNDING_LINE="Co-funded by the European Union · Interreg Europe",
    )
    response = client.get(url)
    assert response.status_code == 200
    page = pdf_pages(response.get_data())[0]
    top = page.crop((0, 0, page.width, page.height // 6))
    colours = {colour for _, colour in top.getcolors(top.width * top.height)}
    assert any(r > 180 and g < 60 and b < 60 for r, g, b in colours)  # programme logo
    assert any(b > 180 and r < 60 and g < 60 for r, g, b in colours)  # partner logo
    plain_top = plain.crop((0, 0, plain.width, plain.height // 6))
    plain_colours = {c for _, c in plain_top.getcolors(plain_top.width * plain_top.height)}
    assert not any(r > 180 and g < 60 and b < 60 for r, g, b in plain_colours)
    assert "Interreg Europe" in pdf_text(response.get_data())
    # A logo path that is a directory or not an image is left out too.
    app.config.update(PROGRAMME_LOGO=str(tmp_path), EU_EMBLEM=__file__)
    assert client.get(url).status_code == 200


def test_evidence_zip_holds_pdfs_platform_reports_and_csvs(client, organiser, visit):
    db.session.add_all(
        [
            PlatformReport(
                event_id=visit.id,
                filename="../Zoom participants ąč.csv",
                content=b"Name,Email\nA,a@example.org\n",
                applied_at=visit.ends_at,
            ),
            PlatformReport(event_id=visit.id, filename="unconfirmed.csv", content=b"x"),
        ]
    )
    db.session.commit()
    response = client.get(f"/organiser/events/{visit.id}/evidence.zip")
    assert response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    names = archive.namelist()
    assert set(names) == {
        "participants.pdf",
        "sign-in-sheet.pdf",
        "programme.pdf",
        "attendance.csv",
        "participants.csv",
        "platform-reports/01-Zoom-participants-.csv",
    }
    assert archive.read("platform-reports/01-Zoom-participants-.csv").startswith(b"Name,Email")
    participants_csv = archive.read("participants.csv").decode("utf-8-sig")
    assert "Łukasz Żółkiewski-Wąsowicz" in participants_csv
    assert len(participants_csv.splitlines()) == 1 + len(NAMES)
    assert "Gintarė Kazlauskaitė" in pdf_text(archive.read("participants.pdf"))


def test_evidence_is_for_the_organisers_of_the_event(client, make_user, login, make_partner, visit):
    other = make_partner("IT", short_name="UNIONCAMERE", name="Unioncamere Lombardia")
    login(make_user(partner=other))
    assert client.get(f"/organiser/events/{visit.id}/evidence.zip").status_code == 403
    assert client.get(f"/organiser/events/{visit.id}/evidence/participants.pdf").status_code == 403
    assert client.get("/organiser/events/999999/evidence.zip").status_code == 404
    assert client.get(f"/organiser/events/{visit.id}/evidence/other.pdf").status_code == 404


def test_kept_platform_reports_follow_preview_confirm_and_retention(
    client, organiser, make_event, make_registration, runner
):
    from webapp.models import PlatformReport
    from webapp.timezones import utcnow

    webinar = make_event(start=timedelta(days=-1), duration=timedelta(hours=2))
    make_registration(webinar, name="Anna Kovács", email="anna@pannon.example")
    report = (
        b"Name,Email,Duration (Minutes)\r\nAnna Kovacs,anna@pannon.example,100\r\n"
        b"Nobody Known,nobody@example.org,90\r\n"
    )
    stale = PlatformReport(
        event_id=webinar.id,
        filename="old-preview.csv",
        content=b"x",
        created_at=utcnow() - timedelta(hours=5),
    )
    db.session.add(stale)
    db.session.commit()
    from tests.test_attendance_views import hidden_value, preview_of, upload

    location, page = preview_of(client, upload(client, webinar, report, "zoom.csv"))
    # A preview keeps nothing yet; the file is kept as evidence once the import is confirmed.
    assert [k.filename for k in db.session.scalars(db.select(PlatformReport))] == [
        "old-preview.csv"
    ]
    client.post(location + "/confirm", data={"digest": hidden_value(page, "digest")})
    db.session.commit()  # end the test's read transaction: see what the request stored
    kept = db.session.scalars(db.select(PlatformReport)).all()
    assert [k.filename for k in kept] == ["zoom.csv"]  # the stale unconfirmed one is gone
    assert (kept[0].matched_rows, kept[0].unmatched_rows) == (1, 1)
    db.session.refresh(kept[0])
    assert kept[0].applied_at is not None and kept[0].content == report
    names = zipfile.ZipFile(
        io.BytesIO(client.get(f"/organiser/events/{webinar.id}/evidence.zip").get_data())
    ).namelist()
    assert "platform-reports/01-zoom.csv" in names
    # Retention: the raw file goes with the personal data of its event.
    webinar.starts_at -= timedelta(days=800)
    webinar.ends_at -= timedelta(days=800)
    db.session.commit()
    result = runner.invoke(args=["purge-personal-data"])
    assert "Deleted 1 imported platform reports" in result.output
    assert db.session.scalar(db.select(db.func.count(PlatformReport.id))) == 0
