"""Rows the benchmarks share: the partnership's regions and a host partner in each."""

from __future__ import annotations

from webapp.demo import REGIONS
from webapp.extensions import db
from webapp.models import Partner, Region


def ensure_regions_and_partners() -> tuple[list[Region], list[Partner]]:
    """The five regions and one partner per region (added when the database has none)."""
    if not db.session.scalar(db.select(db.func.count(Region.id))):
        for code, name, country, tz, locale in REGIONS:
            region = Region(code=code, name=name, country=country, timezone=tz, locale=locale)
            db.session.add(region)
            db.session.add(
                Partner(short_name=f"{code}-P", name=f"Partner in {name}", region=region)
            )
        db.session.flush()
    regions = list(db.session.scalars(db.select(Region).order_by(Region.code)))
    partners = list(db.session.scalars(db.select(Partner).order_by(Partner.id)))
    return regions, partners


def hungarian_region() -> Region:
    """The HU region, new (not yet added) when the database has none."""
    code, name, country, tz, locale = next(row for row in REGIONS if row[0] == "HU")
    return db.session.scalar(db.select(Region).where(Region.code == code)) or Region(
        code=code, name=name, country=country, timezone=tz, locale=locale
    )
