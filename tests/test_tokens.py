"""One token look-up for every secret link."""

from __future__ import annotations

import pytest

from webapp.models import Registration
from webapp.tokens import is_well_formed_token, lookup_by_token


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("a" * 16, True),
        ("A-b_" * 16, True),
        ("a" * 15, False),
        ("a" * 65, False),
        ("", False),
        (None, False),
        ("a" * 20 + "%", False),
        ("a" * 20 + "'", False),
    ],
)
def test_token_shape(token, expected):
    assert is_well_formed_token(token) is expected


def test_lookup_finds_only_the_exact_token(make_event, make_registration):
    registration = make_registration(make_event())
    token = registration.token
    other = token[:-1] + ("x" if token[-1] != "x" else "y")
    assert lookup_by_token(Registration.token, token) is registration
    assert lookup_by_token(Registration.token, other) is None
    assert lookup_by_token(Registration.token, token + "'--") is None
    assert lookup_by_token(Registration.token, None) is None
