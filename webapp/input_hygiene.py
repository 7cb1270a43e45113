"""Clean input in one place: what any request, form field, link or date may contain.

- **Requests**: a NUL byte in the path, a query parameter or a form value is refused
  with a 400 before any view runs (PostgreSQL cannot store one in text, and no person
  types one). Pages answer in the site's style, the JSON API with a JSON error.
- **Form fields**: every form of the application derives from ``FlaskForm`` (or
  ``Form`` for sub-forms) below, whose fields clean themselves as they are bound:
  single-line text loses control characters (line breaks and tabs become a space),
  multi-line text keeps its line breaks and tabs and loses the rest; passwords are
  never changed. Date and date-time fields only take dates between ``DATE_MIN`` and
  ``DATE_MAX``; ``LinkField`` refuses whitespace and control characters outright.
- **Stored data** written before these checks is handled where it is used: a join link
  with a line break is not a usable link (``is_clean_link``), so pages, e-mails and
  calendar files leave it out and the organiser's event page asks for a new one.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

from flask import Flask, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm as _FlaskForm
from werkzeug.exceptions import BadRequest
from wtforms import DateField, DateTimeField, DateTimeLocalField, PasswordField, StringField
from wtforms import Form as _Form
from wtforms.fields import TextAreaField
from wtforms.fields.core import UnboundField
from wtforms.meta import DefaultMeta
from wtforms.validators import ValidationError

from webapp.errors import render_error

DATE_MIN = date(2000, 1, 1)
DATE_MAX = date(2100, 12, 31)

_LINE_BREAKS_AND_TABS = re.compile(r"[\t\n\r\x0b\x0c\x85\u2028\u2029]+")
# C0 and C1 control characters and DEL, except tab, line feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

NUL_MESSAGE = _l(
    "The request contains a control character (a NUL byte) that is not allowed. "
    "Remove it from the address or the form and try again."
)
LINK_MESSAGE = _l("A link cannot contain spaces, line breaks or control characters.")


class ControlCharacterInRequest(BadRequest):
    """A NUL byte in the path, the query string or a form value."""

    description = "NUL byte in the request"


# --- plain rules --------------------------------------------------------------------------


def clean_line(value: str | None) -> str | None:
    """Single-line text: line breaks and tabs become one space, other controls go."""
    if value is None:
        return None
    return _CONTROL.sub("", _LINE_BREAKS_AND_TABS.sub(" ", value))


def clean_text(value: str | None) -> str | None:
    """Multi-line text: line breaks become ``\\n``, tabs stay, other controls go."""
    if value is None:
        return None
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\u2028", "\n").replace("\u2029", "\n\n")
    return _CONTROL.sub("", value)


def is_clean_link(value: str | None) -> bool:
    """Whether ``value`` holds no whitespace, control or format characters (any link must)."""
    if not value:
        return False
    return not any(
        unicodedata.category(ch)[0] in "CZ"
        for ch in value  # Cc, Cf, Co, Zs, Zl, Zp...
    )


def has_control_characters(value: str) -> bool:
    """Whether ``value`` holds any control character (line breaks and tabs included)."""
    return any(unicodedata.category(ch) == "Cc" for ch in value)


def _has_nul(value: str) -> bool:
    return "\x00" in value


# --- requests -----------------------------------------------------------------------------


def refuse_nul_bytes() -> None:
    """``before_request``: a NUL byte anywhere in what the client sent is a 400."""
    if _has_nul(request.path):
        raise ControlCharacterInRequest()
    for key, value in request.args.items(multi=True):
        if _has_nul(key) or _has_nul(value):
            raise ControlCharacterInRequest()
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        for key, value in request.form.items(multi=True):
            if _has_nul(key) or _has_nul(value):
                raise ControlCharacterInRequest()
        for storage in request.files.values():
            if _has_nul(storage.filename or ""):
                raise ControlCharacterInRequest()


def register(app: Flask) -> None:

    app.before_request(refuse_nul_bytes)
    app.register_error_handler(
        ControlCharacterInRequest, lambda error: render_error(400, str(NUL_MESSAGE))
    )


# --- form fields --------------------------------------------------------------------------


def within_date_range(form, field) -> None:
    """Validator: dates outside ``DATE_MIN``…``DATE_MAX`` are refused."""
    value = field.data
    if not isinstance(value, date):  # empty, or a time of day (TimeField)
        return
    day = value.date() if isinstance(value, datetime) else value
    if not DATE_MIN <= day <= DATE_MAX:
        raise ValidationError(
            _l(
                "Enter a date between the years %(first)s and %(last)s.",
                first=DATE_MIN.year,
                last=DATE_MAX.year,
            )
        )


def _refuse_unclean_link(form, field) -> None:
    if field.data and not is_clean_link(field.data):
        raise ValidationError(LINK_MESSAGE)


class LinkField(StringField):
    """A web address: whitespace and control characters are refused, not cleaned away.

    A link that lost characters silently would lead somewhere else; a link with a line
    break would break e-mail headers and calendar files.
    """

    data: str | None

    def __init__(self, *args, **kwargs):
        validators = list(kwargs.pop("validators", None) or [])
        # First in the chain so the message names the real problem.
        kwargs["validators"] = [_refuse_unclean_link, *validators]
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None:
            # Only the surrounding blanks of a pasted link go (not line breaks inside).
            self.data = self.data.strip(" ")


class HygieneMeta(DefaultMeta):
    """Adds the cleaning filters and the date range to every field a form binds."""

    def bind_field(self, form, unbound_field, options):
        field_class = unbound_field.field_class
        extra_filters: list = []
        extra_validators: list = []
        if issubclass(field_class, PasswordField | LinkField):
            pass
        elif issubclass(field_class, TextAreaField):
            extra_filters.append(clean_text)
        elif issubclass(field_class, StringField):
            extra_filters.append(clean_line)
        if issubclass(field_class, DateField | DateTimeField | DateTimeLocalField):
            extra_validators.append(within_date_range)
        if extra_filters or extra_validators:
            # A new unbound field: the class's own is shared by every instance of the form.
            kwargs = dict(unbound_field.kwargs)
            kwargs["filters"] = [*extra_filters, *(kwargs.get("filters") or ())]
            kwargs["validators"] = [*(kwargs.get("validators") or ()), *extra_validators]
            unbound_field = UnboundField(
                field_class, *unbound_field.args, name=unbound_field.name, **kwargs
            )
        return super().bind_field(form, unbound_field, options)


class FlaskForm(_FlaskForm):
    """Every page form of the application (CSRF from Flask-WTF, cleaning from here)."""

    class Meta(HygieneMeta):
        pass


class Form(_Form):
    """Sub-forms (``FormField``) and forms without CSRF of their own."""

    Meta = HygieneMeta
