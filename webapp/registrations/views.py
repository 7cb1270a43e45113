"""Registration form and the registrant's own page."""

from flask import Blueprint

bp = Blueprint("registrations", __name__)
