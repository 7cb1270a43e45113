"""Page arithmetic shared by the catalogue and the JSON API."""

from __future__ import annotations

import pytest

from webapp.pagination import Page


@pytest.mark.parametrize(
    ("total", "page", "pages", "has_prev", "has_next"),
    [
        (0, 1, 1, False, False),
        (12, 1, 1, False, False),
        (13, 1, 2, False, True),
        (25, 3, 3, True, False),
    ],
)
def test_page_counts(total, page, pages, has_prev, has_next):
    result = Page(items=[], total=total, page=page, per_page=12)
    assert (result.pages, result.has_prev, result.has_next) == (pages, has_prev, has_next)
