"""Spreadsheet downloads never hand an organiser a live formula, however the text is dressed.

A control character in front of ``=``/``+``/``-``/``@`` used to pass the formula check
and then be stripped on the way into the XLSX file, leaving a formula behind.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from webapp.exports import safe_cell, xlsx_bytes

DRESSED_FORMULAS = [
    '\x01=HYPERLINK("http://evil.example","click")',
    "\x02=1+1",
    "\x1f\x7f+SUM(A1:A9)",
    "\t+1",
    "@SUM(1,1)",
    "\x0b-2+3",
    "\x08@cmd",
]


@pytest.fixture
def organiser(make_user, login):
    return login(make_user("organiser"))


def _cells(data: bytes):
    sheet = load_workbook(io.BytesIO(data)).active
    return [cell for row in sheet.iter_rows() for cell in row]


def _assert_no_formula(cells, dressed_values):
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value for c in cells if isinstance(c.value, str)}
    for value in dressed_values:
        assert value not in texts
    # What the registrant typed is still there, shown as text.
    assert '\'=HYPERLINK("http://evil.example","click")' in texts


@pytest.mark.parametrize("value", DRESSED_FORMULAS)
def test_safe_cell_strips_control_characters_before_neutralising(value):
    cleaned = safe_cell(value)
    assert cleaned.startswith("'")
    assert not any(ord(ch) < 32 and ch not in "\t\r\n" or ord(ch) == 127 for ch in cleaned)


def test_xlsx_text_cells_are_strings_even_without_a_formula_prefix():
    data = xlsx_bytes(["Name", "Count"], [['=HYPERLINK("http://evil.example","click")', 3]])
    cells = _cells(data)
    assert not [c for c in cells if c.data_type == "f"]
    # A number stays a number.
    assert [c.value for c in cells][-1] == 3


def test_registrations_xlsx_has_no_formula_cells(client, organiser, make_event, make_registration):
    event = make_event()
    for n, value in enumerate(DRESSED_FORMULAS):
        make_registration(event, name=value, organisation=value, email=f"f{n}@example.org")

    response = client.get(f"/organiser/events/{event.id}/registrations.xlsx")
    assert response.status_code == 200
    _assert_no_formula(_cells(response.data), DRESSED_FORMULAS)

    # The CSV too: every dressed value comes out with an apostrophe.
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(f"/organiser/events/{event.id}/registrations.csv")
                .get_data(as_text=True)
                .lstrip("\ufeff")
            )
        )
    )
    names = [row[2] for row in rows[1:]]
    assert len(names) == len(DRESSED_FORMULAS)
    assert all(name.startswith("'") for name in names), names


def test_attendance_xlsx_has_no_formula_cells(client, organiser, make_event, make_registration):
    event = make_event(start=timedelta(minutes=-30))
    for n, value in enumerate(DRESSED_FORMULAS):
        make_registration(event, name=value, organisation=value, email=f"a{n}@example.org")

    response = client.get(f"/organiser/events/{event.id}/attendance.xlsx")
    assert response.status_code == 200
    _assert_no_formula(_cells(response.data), DRESSED_FORMULAS)
