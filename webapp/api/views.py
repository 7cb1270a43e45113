"""``/api/v1``: published public events as JSON (never join links)."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
