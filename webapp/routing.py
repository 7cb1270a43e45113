"""URL converters shared by the blueprints."""

import re

from werkzeug.routing import BaseConverter

SLUG_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"
SLUG_RE = re.compile(rf"^{SLUG_PATTERN}$")
SLUG_MAX_LENGTH = 120


class SlugConverter(BaseConverter):
    """An event slug: lower-case letters, digits and single hyphens (never a dot).

    Anything else is not a slug, so the URL does not match and the visitor gets a 404.
    """

    regex = SLUG_PATTERN
