"""URL converters shared by the blueprints."""

import re

from werkzeug.routing import BaseConverter, IntegerConverter

SLUG_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"
SLUG_RE = re.compile(rf"^{SLUG_PATTERN}$")
SLUG_MAX_LENGTH = 120


class SlugConverter(BaseConverter):
    """An event slug: lower-case letters, digits and single hyphens (never a dot).

    Anything else is not a slug, so the URL does not match and the visitor gets a 404.
    """

    regex = SLUG_PATTERN


class DatabaseIdConverter(IntegerConverter):
    """``<int:…>`` for database ids: a number too large for the key column is no id.

    Such a URL does not match (404) instead of reaching the database, where it would
    overflow the integer type.
    """

    def __init__(self, map, fixed_digits=0, min=None, max=2**31 - 1, signed=False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
