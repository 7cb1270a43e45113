"""HTML to PDF through WeasyPrint (which draws text with Pango and fontconfig).

Nothing in a printed document is fetched from the network or the disk while it is
rendered: images (the deployment's logos) are read here, from the configured files,
and embedded as ``data:`` URIs; any other URL is refused. A logo file that is missing
or unreadable is left out (and logged), never an error.
"""

from __future__ import annotations

import base64
import logging
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, render_template

log = logging.getLogger(__name__)

IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
IMAGE_TYPES[".svg"] = "image/svg+xml"
MAX_LOGO_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Logos:
    programme: str | None = None  # data: URIs
    eu_emblem: str | None = None
    partner: str | None = None
    funding_line: str = ""


def _data_uri(path: str | Path | None) -> str | None:
    if not path:
        return None
    file = Path(path)
    content_type = IMAGE_TYPES.get(file.suffix.lower()) or mimetypes.guess_type(file.name)[0]
    if content_type not in IMAGE_TYPES.values():
        log.warning("Logo %s is not a PNG, JPEG or SVG file; left out", file)
        return None
    try:
        if file.stat().st_size > MAX_LOGO_BYTES:
            log.warning("Logo %s is larger than %d bytes; left out", file, MAX_LOGO_BYTES)
            return None
        data = file.read_bytes()
    except OSError as exc:
        log.warning("Logo %s cannot be read (%s); left out", file, exc)
        return None
    return f"data:{content_type};base64,{base64.b64encode(data).decode('ascii')}"


def partner_logo_path(short_name: str | None) -> Path | None:
    """``PARTNER_LOGO_DIR/<short name>.(svg|png|jpg)``, the first that exists."""
    directory = current_app.config.get("PARTNER_LOGO_DIR")
    if not directory or not short_name:
        return None
    safe = "".join(c for c in short_name if c.isalnum() or c in "-_ .").strip(" .")
    for suffix in (".svg", ".png", ".jpg", ".jpeg"):
        candidate = Path(directory) / f"{safe}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def configured_logos(partner_short_name: str | None, funding_line: str) -> Logos:
    """The deployment's logos for a document of ``partner_short_name``'s event."""
    config = current_app.config
    return Logos(
        programme=_data_uri(config.get("PROGRAMME_LOGO")),
        eu_emblem=_data_uri(config.get("EU_EMBLEM")),
        partner=_data_uri(partner_logo_path(partner_short_name)),
        funding_line=config.get("EU_FUNDING_LINE") or funding_line,
    )


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # data: URIs only: no file, no network.
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, url_fetcher=fetcher).write_pdf()


def render_pdf(template: str, **context) -> bytes:
    """Render ``template`` (a printable page of ``templates/``) to PDF bytes."""
    return html_to_pdf(render_template(template, **context))
