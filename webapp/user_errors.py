"""The one exception type of a request the rules refuse for a reason people can act on.

Every rule module raises ``UserError`` (or its own subclass of it, named for the area);
views show it with ``show_form_error`` (next to ``field`` when the form has that field,
above the form otherwise) or flash it. Nothing here imports Flask.
"""

from __future__ import annotations

from typing import Any


class UserError(ValueError):
    """A refused request; ``str(error)`` and ``message`` are the (translated) message.

    ``field`` names the form field the message belongs next to, when there is one.
    """

    def __init__(self, message: Any, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


def show_form_error(form: Any, field: str | None, message: Any) -> None:
    """Show ``message`` next to ``form``'s ``field``, or above the form without one."""
    target = getattr(form, field, None) if field else None
    if target is None:
        form.form_errors.append(str(message))
    else:
        target.errors = [*(target.errors or []), str(message)]
