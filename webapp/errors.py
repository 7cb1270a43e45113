"""Error pages in the site's style: never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from webapp.logs import log_event

MESSAGES = {
    400: _l("The request could not be understood. Check the address or the form and try again."),
    403: _l("You do not have permission to see or change this."),
    404: _l("We could not find that page. The event may have moved or the link may be mistyped."),
    405: _l("This address does not accept that kind of request."),
    413: _l("The file or form you sent is too large."),
    429: _l("Too many requests in a short time. Please wait a minute and try again."),
    500: _l("Something went wrong on our side. The team has been told; please try again later."),
}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path in {"/healthz", "/readyz"}


def render_error(code: int, message: str | None = None):
    text = message or str(MESSAGES.get(code, MESSAGES[500]))
    if _wants_json():
        return jsonify(error=text, status=code), code
    return render_template("errors/error.html", code=code, message=text), code


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(
            400,
            _(
                "The form had expired or was sent from another page. Go back, reload and send it again."
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if error.code == 403:
            log_event(
                "auth.permission_denied",
                level=logging.WARNING,
                user_id=_current_user_id(),
                method=request.method,
                path=request.path,
            )
        elif error.code == 429:
            log_event(
                # Login lockouts are logged as auth.lockout by the limits' own on_breach.
                "ratelimit.exceeded",
                level=logging.WARNING,
                endpoint=request.endpoint,
                remote_addr=request.remote_addr,
                limit=str(error.description),
            )
        allowed = getattr(error, "valid_methods", None)  # set on 405 Method Not Allowed
        if error.code == 405 and allowed:
            response, code = render_error(405)
            return response, code, {"Allow": ", ".join(allowed)}
        return render_error(error.code)

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError):
        # Flask has logged the traceback (with this request's id) just before.
        log_event(
            "http.server_error", level=logging.ERROR, method=request.method, path=request.path
        )
        return render_error(500)


def _current_user_id() -> int | None:
    return getattr(current_user, "id", None) if current_user.is_authenticated else None
