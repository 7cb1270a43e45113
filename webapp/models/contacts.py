"""People of a partner organisation who are invited to partner meetings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import Model
from webapp.models.regions import Partner, Region
from webapp.models.registrations import new_token
from webapp.timezones import UTCDateTime, utcnow


class PartnerContact(Model):
    """One person of a partner: invited to partners-only meetings (and, later, polls).

    Managed by the partner's organisers and the administrators. The region is the
    partner's. ``feed_token`` is the secret of the contact's personal calendar feed.
    A removed contact keeps its row (answers stay counted per partner and region) but
    no name or address, and every link it had stops working.
    """

    __tablename__ = "partner_contacts"
    __table_args__ = (UniqueConstraint("partner_id", "email", name="uq_partner_contacts_email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(120), default="")
    locale: Mapped[str] = mapped_column(String(16), default="en")
    feed_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    partner: Mapped[Partner] = relationship()

    @property
    def region(self) -> Region:
        return self.partner.region

    @property
    def is_active(self) -> bool:
        return self.removed_at is None

    def __repr__(self) -> str:
        return f"<PartnerContact {self.id} of partner {self.partner_id}>"
