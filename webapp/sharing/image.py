"""The share image of an event: a 1200×630 PNG card for link previews.

Pure drawing with Pillow (no Flask): a ``ShareCard`` holds every text already in the
visitor's language, and equal cards give equal bytes, so rendered cards are kept in a
small per-process cache keyed by the card itself — a changed event is a new card.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import ImageDraw, ImageFont

# Pillow is imported when a card is first drawn: a web process that never draws one
# does not carry it (a few megabytes per worker).

# Bumped when the drawing changes: part of the image's address and ETag, so link
# previews and caches fetch the new drawing.
DRAWING_VERSION = "1"
WIDTH, HEIGHT = 1200, 630
MARGIN = 72
CACHED_CARDS = 64
# Longest text drawn from each field: a card never grows with the event's data.
MAX_TITLE_CHARACTERS = 200
MAX_LINE_CHARACTERS = 160

# DejaVu covers every Latin, Greek and Cyrillic letter (ő, ė, ł, ñ...); Debian's
# fonts-dejavu-core puts it here. Without it Pillow's own font is used.
FONT_DIRECTORIES = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
)

BRAND = (11, 79, 138)
BRAND_DARK = (8, 58, 102)
INK = (27, 35, 48)
MUTED = (79, 91, 107)
PAPER = (255, 255, 255)
KIND_COLOURS = {
    "partner_meeting": (11, 79, 138),
    "study_visit": (29, 107, 47),
    "webinar": (163, 68, 13),
}


@dataclass(frozen=True)
class ShareCard:
    """Everything a share image shows, as plain text."""

    title: str
    when: str
    host: str
    kind: str
    kind_label: str
    site_name: str
    cancelled_label: str = ""


def _font_file(bold: bool) -> Path | None:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for directory in FONT_DIRECTORIES:
        if (directory / name).is_file():
            return directory / name
    return None


@lru_cache(maxsize=16)
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    from PIL import ImageFont

    path = _font_file(bold)
    if path is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(str(path), size)


def _shorten(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> str:
    """``text`` cut with an ellipsis so that it fits ``width`` pixels."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int, max_lines: int) -> list[str]:
    """``text`` in at most ``max_lines`` lines of at most ``width`` pixels.

    Lines break between words; a word wider than a whole line is cut. Text that does
    not fit ends with an ellipsis.
    """
    lines: list[str] = []
    current = ""
    words = text.split()
    for index, word in enumerate(words):
        candidate = f"{current} {word}".strip()
        if draw.textlength(candidate, font=font) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        if len(lines) == max_lines:
            break
        while draw.textlength(current, font=font) > width and len(lines) < max_lines:
            cut = len(current)
            while cut > 1 and draw.textlength(current[:cut], font=font) > width:
                cut -= 1
            lines.append(current[:cut])
            current = current[cut:]
        if len(lines) == max_lines:
            rest = " ".join([current, *words[index + 1 :]]).strip()
            if rest:
                lines[-1] = _shorten(draw, lines[-1] + " " + rest, font, width)
            return lines
    if current and len(lines) < max_lines:
        lines.append(current)
    elif current:
        lines[-1] = _shorten(draw, lines[-1] + " " + current, font, width)
    return lines


def _title_lines(draw: ImageDraw.ImageDraw, title: str, width: int):
    """The largest title size at which the title fits in four lines (else cut)."""
    for size in (64, 56, 48):
        font = _font(size, bold=True)
        lines = wrap(draw, title, font, width, max_lines=4)
        if not lines or not lines[-1].endswith("…"):
            return font, size, lines
    return font, size, lines


@lru_cache(maxsize=CACHED_CARDS)
def render_share_image(card: ShareCard) -> bytes:
    """The PNG of ``card`` (1200×630, a few tens of kilobytes)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    text_width = WIDTH - 2 * MARGIN

    # Brand band along the top, the kind's colour beneath it.
    draw.rectangle((0, 0, WIDTH, 96), fill=BRAND)
    draw.rectangle((0, 96, WIDTH, 108), fill=KIND_COLOURS.get(card.kind, BRAND_DARK))
    draw.ellipse((MARGIN, 22, MARGIN + 52, 74), outline=PAPER, width=3)
    draw.text((MARGIN + 26, 48), "IV", font=_font(22, bold=True), fill=PAPER, anchor="mm")
    site = _shorten(draw, card.site_name[:MAX_LINE_CHARACTERS], _font(30, True), text_width - 80)
    draw.text((MARGIN + 72, 48), site, font=_font(30, bold=True), fill=PAPER, anchor="lm")

    y = 140
    kind_line = card.kind_label
    if card.cancelled_label:
        kind_line = f"{card.cancelled_label} · {kind_line}"
    kind_font = _font(30, bold=True)
    colour = (164, 22, 26) if card.cancelled_label else KIND_COLOURS.get(card.kind, BRAND)
    draw.text(
        (MARGIN, y),
        _shorten(draw, kind_line[:MAX_LINE_CHARACTERS].upper(), kind_font, text_width),
        font=kind_font,
        fill=colour,
    )
    y += 56

    font, size, lines = _title_lines(draw, card.title[:MAX_TITLE_CHARACTERS], text_width)
    for line in lines:
        draw.text((MARGIN, y), line, font=font, fill=INK)
        y += int(size * 1.2)

    footer_font = _font(32)
    footer_y = HEIGHT - MARGIN - 2 * 46
    draw.line((MARGIN, footer_y - 24, WIDTH - MARGIN, footer_y - 24), fill=(207, 215, 226), width=2)
    for text, font_used, fill in (
        (card.when, _font(32, bold=True), INK),
        (card.host, footer_font, MUTED),
    ):
        shortened = _shorten(draw, text[:MAX_LINE_CHARACTERS], font_used, text_width)
        draw.text((MARGIN, footer_y), shortened, font=font_used, fill=fill)
        footer_y += 46

    buffer = BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
