"""Attendance and report views (organisers only)."""

from flask import Blueprint

bp = Blueprint("attendance", __name__, url_prefix="/organiser")
