"""Organisers and administrators."""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.extensions import db
from webapp.models.regions import Partner
from webapp.timezones import UTCDateTime, utcnow

ROLES = ("admin", "organiser")


def password_fingerprint(password_hash: str) -> str:
    """A short digest of a password hash: changes whenever the password does."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('admin', 'organiser')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16), default="organiser")
    partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("partners.id", ondelete="RESTRICT"), index=True
    )
    locale: Mapped[str] = mapped_column(String(16), default="en")
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    partner: Mapped[Partner | None] = relationship()

    def get_id(self) -> str:
        """The session's user id: ``<id>.<password fingerprint>``.

        A new password changes it, so every session opened with the old one ends.
        """
        return f"{self.id}.{password_fingerprint(self.password_hash)}"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def region_id(self) -> int | None:
        return self.partner.region_id if self.partner else None

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
