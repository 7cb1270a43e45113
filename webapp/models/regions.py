"""Regions of the partnership and the partner organisations in them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import Model

if TYPE_CHECKING:
    from webapp.models.events import Event


class Region(Model):
    __tablename__ = "regions"
    __table_args__ = (CheckConstraint("length(code) BETWEEN 2 AND 8", name="code_length"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    country: Mapped[str] = mapped_column(String(80))
    timezone: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(16))

    partners: Mapped[list[Partner]] = relationship(back_populates="region", order_by="Partner.name")
    events: Mapped[list[Event]] = relationship(
        secondary="event_regions", back_populates="regions", viewonly=True
    )

    def __repr__(self) -> str:
        return f"<Region {self.code}>"


class Partner(Model):
    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(40), unique=True)
    region_id: Mapped[int] = mapped_column(
        ForeignKey("regions.id", ondelete="RESTRICT"), index=True
    )
    website: Mapped[str | None] = mapped_column(String(300))
    # Where registrants' replies to the partner's event e-mails go (Reply-To); optional.
    email: Mapped[str | None] = mapped_column(String(254))

    region: Mapped[Region] = relationship(back_populates="partners")

    def __repr__(self) -> str:
        return f"<Partner {self.short_name}>"
