"""QR codes of check-in URLs, for the registrant's page and confirmation e-mail.

The code holds ``/organiser/check-in/<checkin_token>``: a token separate from the
registrant's secret link, so a photographed QR code cannot be used to cancel or read
the registration, and it only does something for a logged-in organiser.
"""

from __future__ import annotations

import io

import segno
from flask_babel import gettext as _
from markupsafe import Markup, escape

from webapp.models import Registration
from webapp.urls import external_url


def checkin_url(registration: Registration) -> str:
    """The absolute check-in URL an organiser's phone opens when scanning the code."""
    return external_url("attendance.qr_checkin", token=registration.checkin_token)


def _code(registration: Registration) -> segno.QRCode:
    return segno.make(checkin_url(registration), error="m", micro=False)


def checkin_qr_svg(registration: Registration, *, scale: int = 4) -> Markup:
    """Inline SVG markup of the check-in QR code, with a text alternative.

    The ``<svg>`` is an image (``role="img"``) labelled by its ``<title>``; embed it in
    HTML as is (``{{ checkin_qr_svg(registration) }}``).
    """
    label = _("QR code to show at the entrance to check in %(name)s", name=registration.name)
    svg = _code(registration).svg_inline(
        scale=scale, border=2, dark="#000", light="#fff", title=label, omitsize=False
    )
    # segno writes <svg width=".." height=".." class="segno"><title>..</title>...
    svg = svg.replace(
        "<svg ",
        f'<svg role="img" aria-label="{escape(label)}" focusable="false" ',
        1,
    )
    return Markup(svg)


def checkin_qr_png(registration: Registration, *, scale: int = 6) -> bytes:
    """The same code as a PNG (for e-mail clients that do not show inline SVG)."""
    buffer = io.BytesIO()
    _code(registration).save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()
