"""What an uploaded file really is: its type read from its first bytes, and a safe name.

The type a browser sends, and the extension of the name, are the uploader's claims; the
bytes decide. Only document and image types that browsers never run are accepted, and
only images are ever shown inline.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import filetype
from flask_babel import gettext as _

HEAD_BYTES = 8192

# Detected type → (extensions a file of that type may carry, the name people know it by).
ALLOWED_TYPES: dict[str, tuple[tuple[str, ...], str]] = {
    "application/pdf": (("pdf",), "PDF"),
    "image/png": (("png",), "PNG"),
    "image/jpeg": (("jpg", "jpeg"), "JPEG"),
    "image/gif": (("gif",), "GIF"),
    "image/webp": (("webp",), "WebP"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (
        ("pptx",),
        "PowerPoint",
    ),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        ("docx",),
        "Word",
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (("xlsx",), "Excel"),
    "application/vnd.oasis.opendocument.presentation": (("odp",), "OpenDocument"),
    "application/vnd.oasis.opendocument.text": (("odt",), "OpenDocument"),
    "application/vnd.oasis.opendocument.spreadsheet": (("ods",), "OpenDocument"),
}
# Shown in the browser rather than downloaded: raster images, which cannot run scripts.
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
EXTENSIONS = {ext: mime for mime, (exts, _name) in ALLOWED_TYPES.items() for ext in exts}
FILENAME_MAX = 150


class UploadRefused(ValueError):
    """An upload that cannot be kept; ``str(error)`` says why, for the person uploading."""


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    content_type: str
    extension: str


def allowed_list() -> str:
    return ", ".join(sorted({ext.upper() for ext in EXTENSIONS}))


def clean_filename(raw: str | None) -> str:
    """The uploaded name, refused if it tries to name a folder or hides control characters."""
    name = unicodedata.normalize("NFC", (raw or "").strip())
    if not name:
        raise UploadRefused(_("Choose a file to upload."))
    if "/" in name or "\\" in name or name.startswith(".") or ".." in name or ":" in name:
        raise UploadRefused(
            _(
                "The file name “%(name)s” contains a folder, “..” or a leading dot. "
                "Rename the file (letters, numbers, spaces and one dot before the "
                "extension) and upload it again.",
                name=name[:80],
            )
        )
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise UploadRefused(_("The file name contains invisible control characters. Rename it."))
    if len(name) > FILENAME_MAX:
        stem, dot, ext = name.rpartition(".")
        name = stem[: FILENAME_MAX - len(ext) - 1] + dot + ext if dot else name[:FILENAME_MAX]
    return name


def check_upload(raw_name: str | None, head: bytes) -> CheckedFile:
    """The file's name and real type, from its name and first bytes; refuses anything else."""
    name = clean_filename(raw_name)
    if not head:
        raise UploadRefused(_("The file “%(name)s” is empty.", name=name))
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    claimed = EXTENSIONS.get(extension)
    if claimed is None:
        raise UploadRefused(
            _(
                "Files of this kind cannot be uploaded. Allowed: %(types)s.",
                types=allowed_list(),
            )
        )
    kind = filetype.guess(head)
    detected = kind.mime if kind is not None else None
    if detected != claimed:
        raise UploadRefused(
            _(
                "“%(name)s” is not really a %(type)s file: its contents are of another kind. "
                "Upload the original file, not a renamed one.",
                name=name,
                type=ALLOWED_TYPES[claimed][1],
            )
        )
    return CheckedFile(filename=name, content_type=claimed, extension=extension)
