"""Every .ics endpoint; the calendar content itself is built by ``webapp.calendar``."""

from flask import Blueprint

bp = Blueprint("feeds", __name__)
