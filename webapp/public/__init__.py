"""Public pages: the catalogue, event pages and region pages."""

from webapp.public.views import bp

__all__ = ["bp"]
