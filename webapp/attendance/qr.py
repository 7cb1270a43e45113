"""QR codes of check-in URLs, for the registrant's page and confirmation e-mail.

The code holds ``/organiser/check-in/<checkin_token>``: a token separate from the
registrant's secret link, so a photographed QR code cannot be used to cancel or read
the registration, and it only does something for a logged-in organiser.
"""

from __future__ import annotations

import io
from datetime import datetime
from functools import lru_cache

import segno
from flask_babel import gettext as _
from markupsafe import Markup, escape

from webapp.models import Registration
from webapp.urls import external_url

# Error correction "m" (15 %): readable from a scuffed printout or a cracked phone screen.
ERROR_LEVEL = "m"


def checkin_url(registration: Registration) -> str:
    """The absolute check-in URL an organiser's phone opens when scanning the code."""
    return external_url("attendance.qr_checkin", token=registration.checkin_token)


def shows_checkin_code(registration: Registration, *, now: datetime | None = None) -> bool:
    """Whether the registrant has a check-in code to show at the entrance.

    Only a confirmed, not erased registration of an on-site or hybrid event that is
    neither cancelled nor over: the registrant page shows the code then, and the
    e-mails that confirm a seat or remind of it carry it.
    """
    event = registration.event
    return (
        registration.status == "confirmed"
        and registration.erased_at is None
        and event.is_onsite
        and not event.is_cancelled
        and not event.is_over(now)
    )


@lru_cache(maxsize=512)
def _svg_for(data: str, scale: int) -> str:
    """The bare SVG of a QR code of ``data`` (drawing one takes tens of milliseconds, and a
    registrant reopens their page; the result depends on nothing but its arguments)."""
    return segno.make(data, error=ERROR_LEVEL, micro=False).svg_inline(
        scale=scale, border=2, dark="#000", light="#fff", omitsize=False
    )


def checkin_qr_svg(registration: Registration, *, scale: int = 4) -> Markup:
    """Inline SVG markup of the check-in QR code, with a text alternative.

    The ``<svg>`` is an image (``role="img"``) labelled by its ``<title>``; embed it in
    HTML as is (``{{ checkin_qr_svg(registration) }}``).
    """
    label = _("QR code to show at the entrance to check in %(name)s", name=registration.name)
    svg = _svg_for(checkin_url(registration), scale)
    # segno writes <svg width=".." height=".." class="segno">...; label it and give it a title.
    opening_end = svg.index(">") + 1
    svg = (
        svg[:opening_end].replace(
            "<svg ", f'<svg role="img" aria-label="{escape(label)}" focusable="false" ', 1
        )
        + f"<title>{escape(label)}</title>"
        + svg[opening_end:]
    )
    return Markup(svg)


def checkin_qr_png(registration: Registration, *, scale: int = 6) -> bytes:
    """The same code as a PNG (for e-mail clients that do not show inline SVG)."""
    return qr_png(checkin_url(registration), scale=scale)


def qr_png(data: str, *, scale: int = 6) -> bytes:
    """A QR code of ``data`` as PNG bytes, the same for the same ``data``.

    Making a code takes tens of milliseconds (segno is pure Python and tries every
    mask), so e-mails store only ``data`` and the outbox worker draws the image.
    """
    buffer = io.BytesIO()
    segno.make(data, error=ERROR_LEVEL, micro=False).save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()
