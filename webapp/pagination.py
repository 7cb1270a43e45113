"""One page of a query's results: the catalogue and the JSON API page the same way."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func

from webapp.extensions import db


@dataclass
class Page:
    """``items`` of page ``page`` (from 1) of ``total`` results, ``per_page`` a page."""

    items: Sequence[Any]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least one, even with no results)."""
        return max((self.total + self.per_page - 1) // self.per_page, 1)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate(
    stmt: Select,
    *,
    page: int,
    per_page: int,
    load: Callable[[Select], Select] = lambda stmt: stmt,
) -> Page:
    """Page ``page`` of ``stmt``'s rows: one count and one query for the page.

    ``load`` adds loader options to the page's query only (the count needs none).
    """
    total = db.session.scalar(db.select(func.count()).select_from(stmt.order_by(None).subquery()))
    items = list(
        db.session.scalars(load(stmt).limit(per_page).offset((page - 1) * per_page)).unique()
    )
    return Page(items=items, total=total or 0, page=page, per_page=per_page)
