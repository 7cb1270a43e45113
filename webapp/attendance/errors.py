"""What the attendance rules answer when they refuse a request."""

from __future__ import annotations

from webapp.user_errors import UserError


class AttendanceError(UserError):
    """A request the attendance rules refuse; ``message`` says why, for people."""
