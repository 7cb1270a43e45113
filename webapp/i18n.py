"""Which language a request is served in, and the visitor's explicit choice of one.

Order of preference: the language named in the address (``?lang=hu``: the address of one
language version of a page, as in ``hreflang`` alternates and shared links), else the
language the visitor chose with the switcher (cookie ``lang``), else the language of the person a private page is for (``g.preferred_locale``), else the best match of the browser's ``Accept-Language``, else the language of the
region the page is about (``/regions/<code>``, a region's feed, a catalogue filtered to
one region), else English.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    g,
    has_request_context,
    redirect,
    request,
    url_for,
)
from flask_babel import get_locale
from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response as BaseResponse

from webapp.extensions import db
from webapp.language_codes import supported_language
from webapp.models import Invitation, PartnerContact, Region
from webapp.urls import safe_next

LOCALE_COOKIE = "lang"
# Query argument naming the language of one version of a page (``/events/x?lang=pl``).
LOCALE_ARGUMENT = "lang"
LOCALE_COOKIE_MAX_AGE = 365 * 24 * 3600

# Each language by its own name: a visitor looks for the language they can read.
LANGUAGE_NAMES = {
    "en": "English",
    "hu": "Magyar",
    "it": "Italiano",
    "pl": "Polski",
    "es": "Español",
    "lt": "Lietuvių",
}

# Babel locale used to format dates and numbers for a language. The partnership is
# European: English dates read "2 December 2026, 10:00", not the US "December 2, 2026".
FORMATTING_LOCALES = {"en": "en_GB"}


bp = Blueprint("i18n", __name__)


def choose_locale(
    *,
    chosen: str | None,
    accept_match: str | None,
    region_locale: str | None,
    supported: Sequence[str],
    default: str = "en",
) -> str:
    """The language to serve: explicit choice > browser > region > ``default``."""
    for candidate in (chosen, accept_match, region_locale):
        language = supported_language(candidate, supported)
        if language:
            return language
    return default


def formatting_locale(language: str | None) -> str:
    """The Babel locale that formats dates, times and numbers for ``language``."""
    language = str(language or "en")
    return FORMATTING_LOCALES.get(language, language)


def _region_code_of_request() -> str | None:
    """The region code when the requested page is about exactly one region."""
    view_args = request.view_args or {}
    code = view_args.get("code")
    if not code and request.endpoint == "public.catalogue":
        code = request.args.get("region")
    if isinstance(code, str) and 2 <= len(code) <= 8:
        return code.strip().upper()
    return None


def _region_locale(code: str) -> str | None:

    try:
        return db.session.scalar(db.select(Region.locale).where(Region.code == code))
    except SQLAlchemyError:  # an error page must render even when the database is down
        db.session.rollback()
        return None


def _invitee_locale() -> str | None:
    """On an invitation page, the language of the invited contact."""
    token = (request.view_args or {}).get("token")
    if not (request.endpoint or "").startswith("invitations.") or not isinstance(token, str):
        return None

    try:
        return db.session.scalar(
            db.select(PartnerContact.locale)
            .join(Invitation, Invitation.contact_id == PartnerContact.id)
            .where(Invitation.token == token[:64])
        )
    except SQLAlchemyError:
        db.session.rollback()
        return None


def select_locale() -> str:
    """Flask-Babel's locale selector for the current request (English outside one)."""
    supported = current_app.config["LANGUAGES"]
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        return default
    g.locale_negotiated = True
    requested = supported_language(request.args.get(LOCALE_ARGUMENT), supported)
    if requested is not None:
        return requested
    chosen = request.cookies.get(LOCALE_COOKIE)
    if chosen not in supported:
        # A page read by one known person (a poll invitee) speaks their language.
        chosen = g.get("preferred_locale") or chosen
    accept_match = request.accept_languages.best_match(supported)
    region_locale = None
    if chosen not in supported and accept_match is None:
        code = _region_code_of_request()
        region_locale = _region_locale(code) if code else _invitee_locale()
    return choose_locale(
        chosen=chosen,
        accept_match=accept_match,
        region_locale=region_locale,
        supported=supported,
        default=default,
    )


def current_path() -> str:
    """The current page's path and query, to come back to after switching language.

    Without ``lang``: the address's language would otherwise override the choice.
    """
    args = [(k, v) for k, v in request.args.items(multi=True) if k != LOCALE_ARGUMENT]
    return f"{request.path}?{urlencode(args)}" if args else request.path


@bp.route("/language/<lang>", methods=["GET", "POST"])
def set_language(lang: str) -> BaseResponse:
    """Remember the visitor's language in a cookie and go back to the page they were on."""
    if lang not in current_app.config["LANGUAGES"]:
        abort(404)
    target = request.form.get("next") if request.method == "POST" else request.args.get("next")
    response = redirect(safe_next(target) or "/", code=303)
    response.set_cookie(
        LOCALE_COOKIE,
        lang,
        max_age=LOCALE_COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
    )
    return response


def language_links(supported: Iterable[str]) -> list[dict[str, str]]:
    """Switcher entries for the current page: code, own name, target URL."""

    here = current_path()
    return [
        {
            "code": code,
            "name": LANGUAGE_NAMES.get(code, code),
            "url": url_for("i18n.set_language", lang=code, next=here),
        }
        for code in supported
    ]


class LocalizedText(str):
    """Event text in the visitor's language if given, with the language it is written in.

    ``lang_attr`` is `` lang="xx"`` when that language differs from the page's, so that
    screen readers pronounce an untranslated title correctly (WCAG 3.1.2).
    """

    lang: str
    page_lang: str

    def __new__(cls, text: str, lang: str, page_lang: str) -> LocalizedText:
        obj = super().__new__(cls, text)
        obj.lang = lang
        obj.page_lang = page_lang
        return obj

    @property
    def lang_attr(self) -> Markup:
        if self.lang == self.page_lang:
            return Markup("")
        return Markup(' lang="%s"') % self.lang

    @property
    def paragraphs(self) -> list[str]:
        """The text split at blank lines (descriptions are plain text)."""
        return [p.strip() for p in self.replace("\r\n", "\n").split("\n\n") if p.strip()]


def event_text(event, field: str, locale: str | None = None) -> LocalizedText:
    """``event``'s ``field`` in ``locale`` (default: the current one), else its original."""
    page_lang = str(locale or get_locale() or "en")
    return LocalizedText(
        event.localized(field, page_lang), event.text_language(field, page_lang), page_lang
    )


def register(app: Flask) -> None:
    """Bind the switcher route, its template helpers and ``Vary`` on negotiated pages."""
    app.register_blueprint(bp)

    @app.context_processor
    def language_switcher() -> dict[str, object]:
        if not has_request_context():
            return {}
        return {
            "language_links": lambda: language_links(current_app.config["LANGUAGES"]),
            "LANGUAGE_NAMES": LANGUAGE_NAMES,
        }

    app.jinja_env.globals["event_text"] = event_text

    @app.after_request
    def vary_on_language(response: Response) -> Response:
        # A shared cache must not hand a Hungarian page to a Polish visitor.
        if g.get("locale_negotiated"):
            response.vary.add("Accept-Language")
            response.vary.add("Cookie")
        return response
