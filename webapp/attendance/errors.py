"""What the attendance rules answer when they refuse a request."""

from __future__ import annotations


class AttendanceError(ValueError):
    """A request the attendance rules refuse; ``message`` says why, for people."""

    def __init__(self, message: object) -> None:
        super().__init__(str(message))
        self.message = message
