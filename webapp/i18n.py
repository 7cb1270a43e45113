"""Which language a request is served in."""

from __future__ import annotations

from flask import current_app, request

LOCALE_COOKIE = "lang"


def select_locale() -> str:
    """An explicit choice (cookie), else the browser's preference, else English."""
    supported = current_app.config["LANGUAGES"]
    chosen = request.cookies.get(LOCALE_COOKIE)
    if chosen in supported:
        return chosen
    return (
        request.accept_languages.best_match(supported) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )
