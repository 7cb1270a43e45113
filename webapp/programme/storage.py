"""Where uploaded material files live: a small interface and its local-disk implementation.

Keys are made by the application (random hex and the extension of the detected type),
never from a visitor's file name, so a key can never point outside the storage.
Another implementation (object storage) only has to offer the same four methods.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import Flask, current_app, request

CHUNK_SIZE = 64 * 1024
# Room for the other form fields on top of the largest file allowed.
FORM_OVERHEAD_BYTES = 256 * 1024
UPLOAD_ENDPOINTS = frozenset({"organiser.programme.materials"})
KEY_RE = re.compile(r"^[0-9a-f]{32}\.[a-z0-9]{1,8}$")


class FileTooLarge(ValueError):
    """The stream was longer than the limit given to ``save``; nothing was kept."""


class Storage(Protocol):
    def save(self, key: str, stream: BinaryIO, *, max_bytes: int) -> int: ...

    def open(self, key: str) -> BinaryIO: ...

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...


def new_key(extension: str) -> str:
    """A fresh storage key (128 random bits) ending in ``extension``."""
    return f"{secrets.token_hex(16)}.{extension.lower()}"


class LocalStorage:
    """Files in a folder on local disk, spread over 256 subfolders by the key's first byte."""

    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not KEY_RE.match(key or ""):
            raise ValueError(f"not a storage key: {key!r}")
        return self.root / key[:2] / key

    def save(self, key: str, stream: BinaryIO, *, max_bytes: int) -> int:
        """Copy ``stream`` to ``key``; return its size. Refuses more than ``max_bytes``.

        The bytes go to a temporary file first and are renamed into place, so a reader
        never sees half a file and a refused upload leaves nothing behind.
        """
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        size = 0
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK_SIZE):
                    size += len(chunk)
                    if size > max_bytes:
                        raise FileTooLarge(key)
                    out.write(chunk)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return size

    def open(self, key: str) -> BinaryIO:
        return self._path(key).open("rb")

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()


def storage_root(app: Flask) -> Path:
    configured = app.config.get("MATERIALS_STORAGE_PATH")
    return Path(configured) if configured else Path(app.instance_path) / "materials"


def get_storage() -> Storage:
    """The storage of the running application (``MATERIALS_STORAGE_PATH``)."""
    return LocalStorage(storage_root(current_app))


def raise_upload_limit() -> None:
    """Let a material upload be as large as ``MATERIAL_MAX_BYTES`` (other forms keep
    ``MAX_CONTENT_LENGTH``). Runs before anything reads the form (the CSRF check does)."""
    if request.method == "POST" and request.endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = current_app.config["MATERIAL_MAX_BYTES"] + FORM_OVERHEAD_BYTES
