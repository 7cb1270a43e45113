"""Organiser workspace views: login, dashboard and event scheduling.

Registration management (``organiser.registrations.*``), user administration
(``organiser.users.*``), regions and partners (``organiser.places.*``) and the own account
(``organiser.account.*``) are nested blueprints; every route of all of them requires a
logged-in, active organiser (``require_login`` below) and checks its own permission.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from types import SimpleNamespace
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from sqlalchemy import or_
from sqlalchemy.orm import joinedload, selectinload

from webapp import sessions
from webapp.audit import audit_trail
from webapp.extensions import db, limiter
from webapp.formatting import question_label
from webapp.input_hygiene import has_control_characters
from webapp.invitations.services import answers_by_region, event_invitations
from webapp.messaging.views import bp as messages_bp
from webapp.models import EVENT_STATUSES, LOGISTICS_QUESTION_KINDS, Event, Partner, Region, User
from webapp.models.users import password_fingerprint
from webapp.organiser import services
from webapp.organiser.access import (
    can_edit_event,
    can_host_as,
    can_view_registrations,
    get_event_for_edit_or_403,
    get_event_or_404,
)
from webapp.organiser.account_views import bp as account_bp
from webapp.organiser.accounts import (
    AccountError,
    authenticate,
    set_password,
    user_for_set_password_token,
)
from webapp.organiser.auth_log import log_auth_event
from webapp.organiser.contact_views import bp as contacts_bp
from webapp.organiser.forms import (
    LANGUAGE_NAMES,
    CancelEventForm,
    EmptyForm,
    EventForm,
    LoginForm,
    SetPasswordForm,
    TwoFactorCodeForm,
    choices,
    language_choices,
)
from webapp.organiser.meeting_views import bp as meetings_bp
from webapp.organiser.place_views import bp as places_bp
from webapp.organiser.poll_views import bp as polls_bp
from webapp.organiser.registration_views import bp as registrations_bp
from webapp.organiser.two_factor import recovery_codes_left, verify_second_factor
from webapp.organiser.user_views import bp as users_bp
from webapp.programme.organiser_views import bp as programme_bp
from webapp.programme.storage import get_storage
from webapp.registrations.services import seats_left, status_counts
from webapp.series.services import apply_to_later_dates, series_members
from webapp.timezones import (
    InvalidLocalTime,
    is_valid_timezone,
    is_within_hours,
    local_to_utc,
    selectable_timezones,
    times_in_regions,
    utc_to_local,
    utcnow,
)

bp = Blueprint("organiser", __name__, url_prefix="/organiser")
bp.register_blueprint(registrations_bp)
bp.register_blueprint(users_bp)
bp.register_blueprint(places_bp)
bp.register_blueprint(account_bp)
bp.register_blueprint(polls_bp)
bp.register_blueprint(contacts_bp)
bp.register_blueprint(meetings_bp)
bp.register_blueprint(programme_bp)
bp.register_blueprint(messages_bp)

PUBLIC_ENDPOINTS = {"organiser.login", "organiser.login_code", "organiser.set_password"}
DEFAULT_TIMEZONE = "Europe/Brussels"


@bp.before_request
def require_login():
    """Every organiser page needs a logged-in, active account (else: the login page)."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    return None


@bp.after_request
def no_store(response):
    # Organiser pages show personal data: never keep them in shared caches or history.
    response.headers.setdefault("Cache-Control", "no-store")
    return response


EVENT_STATUS_LABELS = {
    "draft": _l("Draft"),
    "published": _l("Published"),
    "cancelled": _l("Cancelled"),
}
AUDIT_ACTION_LABELS = {
    "event.created": _l("Created the event"),
    "event.updated": _l("Changed the event"),
    "event.published": _l("Published the event"),
    "event.cancelled": _l("Cancelled the event"),
    "event.duplicated": _l("Created this event as a copy"),
    "event.copied": _l("Copied the event"),
    "registration.approved": _l("Approved a registration"),
    "registration.rejected": _l("Turned down a registration"),
    "registration.confirmed": _l("Gave a seat from the waiting list"),
    "registration.cancelled": _l("Cancelled a registration"),
    "registration.link_resent": _l("Resent a registration link"),
    "registration.added": _l("Added a registration"),
    "registration.expired": _l("Released a registration whose e-mail address was not confirmed"),
    "attendance.walk_in": _l("Added a walk-in and marked them present"),
    "attendance.imported": _l("Imported attendance from a meeting platform report"),
    "programme.item_added": _l("Added a programme item"),
    "programme.item_changed": _l("Changed a programme item"),
    "programme.item_removed": _l("Removed a programme item"),
    "material.added": _l("Added a material"),
    "material.removed": _l("Removed a material"),
    "materials.announced": _l("Announced the materials"),
    "message.sent": _l("Wrote to registrants"),
}


@bp.app_context_processor
def organiser_labels() -> dict[str, object]:
    return {"EVENT_STATUS_LABELS": EVENT_STATUS_LABELS, "AUDIT_ACTION_LABELS": AUDIT_ACTION_LABELS}


def all_regions() -> list[Region]:
    return list(db.session.scalars(db.select(Region).order_by(Region.code)))


# --- login ------------------------------------------------------------------------------


def _safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site (never another host, never a line break)."""
    if not target or len(target) > 2000 or "\\" in target or has_control_characters(target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


# A password accepted, the second factor still to come: kept in the signed cookie for
# this long, naming the user and their password (a new password voids it).
PENDING_LOGIN_SECONDS = 300
PENDING_LOGIN_KEY = "_pending_login"


def _login_account_key() -> str:
    """Rate-limit key of the account a login attempt is for (the typed address)."""
    address = (request.form.get("email") or "").strip().lower()[:254]
    return f"account:{address}"


def _pending_login_key() -> str:
    pending = session.get(PENDING_LOGIN_KEY)
    user_id = pending.get("u") if isinstance(pending, dict) else None
    return f"second-factor:{user_id}"


def _attempt_failed(response) -> bool:
    """Only refused attempts count against an account (a success redirects)."""
    return response.status_code != 302


def _log_lockout(scope: str):
    def on_breach(limit) -> None:
        fields: dict[str, object] = {"scope": scope, "limit": str(limit.limit)}
        if scope == "account":
            fields["email"] = _login_account_key().partition(":")[2]
        elif scope == "second_factor":
            fields["user_id"] = _pending_login_key().partition(":")[2]
        log_auth_event("auth.lockout", logging.WARNING, **fields)

    return on_breach


def _finish_login(user: User, *, method: str, next_url: str | None):
    sessions.begin(user)
    db.session.commit()
    log_auth_event("auth.login", user_id=user.id, method=method)
    return redirect(_safe_next(next_url) or url_for("organiser.dashboard"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_RATELIMIT"],
    methods=["POST"],
    on_breach=_log_lockout("address"),
)
@limiter.limit(
    lambda: current_app.config["LOGIN_ACCOUNT_RATELIMIT"],
    methods=["POST"],
    key_func=_login_account_key,
    scope="login-account",
    deduct_when=_attempt_failed,
    on_breach=_log_lockout("account"),
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("organiser.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None and user.has_two_factor:
            session.clear()
            session[PENDING_LOGIN_KEY] = {
                "u": user.id,
                "h": password_fingerprint(user.password_hash),
                "t": int(utcnow().timestamp()),
                "next": _safe_next(request.args.get("next")),
            }
            return redirect(url_for("organiser.login_code"))
        if user is not None:
            return _finish_login(user, method="password", next_url=request.args.get("next"))
        log_auth_event("auth.login_failed", logging.WARNING, email=(form.email.data or "")[:254])
        # The same answer whether the address is unknown or the password wrong.
        form.form_errors.append(_("The e-mail address or the password is not right."))
    return render_template("organiser/login.html", form=form)


def _pending_login_user() -> User | None:
    """The user whose password was accepted in this browser moments ago, if still valid."""
    pending = session.get(PENDING_LOGIN_KEY)
    if not isinstance(pending, dict) or not isinstance(pending.get("u"), int):
        return None
    started = pending.get("t")
    if not isinstance(started, int) or utcnow().timestamp() - started > PENDING_LOGIN_SECONDS:
        return None
    user = db.session.get(User, pending["u"])
    if user is None or not user.is_active or not user.has_two_factor:
        return None
    if password_fingerprint(user.password_hash) != pending.get("h"):
        return None
    return user


@bp.route("/login/code", methods=["GET", "POST"], endpoint="login_code")
@limiter.limit(
    lambda: current_app.config["LOGIN_RATELIMIT"],
    methods=["POST"],
    on_breach=_log_lockout("address"),
)
@limiter.limit(
    lambda: current_app.config["TWO_FACTOR_RATELIMIT"],
    methods=["POST"],
    key_func=_pending_login_key,
    scope="login-second-factor",
    deduct_when=_attempt_failed,
    on_breach=_log_lockout("second_factor"),
)
def login_code():
    """Second step of a login: a code from the authenticator app or a recovery code."""
    if current_user.is_authenticated:
        return redirect(url_for("organiser.dashboard"))
    user = _pending_login_user()
    if user is None:
        session.pop(PENDING_LOGIN_KEY, None)
        flash(_("Your login took too long or was interrupted. Please log in again."), "error")
        return redirect(url_for("organiser.login"))
    form = TwoFactorCodeForm()
    if form.validate_on_submit():
        method = verify_second_factor(user, form.code.data, now=utcnow())
        if method is not None:
            response = _finish_login(
                user, method=method, next_url=session[PENDING_LOGIN_KEY].get("next")
            )
            if method == "recovery":
                left = recovery_codes_left(user)
                flash(
                    ngettext(
                        "You used a recovery code; %(num)d is left. Each works only once.",
                        "You used a recovery code; %(num)d are left. Each works only once.",
                        left,
                    ),
                    "success" if left > 2 else "error",
                )
            return response
        db.session.rollback()
        log_auth_event("auth.second_factor_failed", logging.WARNING, user_id=user.id)
        form.code.errors = [
            *form.code.errors,
            _("That code is not right, or it has been used already. Try the newest code."),
        ]
    return render_template("organiser/login_code.html", form=form)


@bp.post("/logout")
def logout():
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    user_id = current_user.id if current_user.is_authenticated else None
    sessions.end()
    db.session.commit()
    if user_id is not None:
        log_auth_event("auth.logout", user_id=user_id)
    flash(_("You have been logged out."), "success")
    return redirect(url_for("organiser.login"))


@bp.route("/set-password/<token>", methods=["GET", "POST"], endpoint="set_password")
def set_password_view(token: str):
    user = user_for_set_password_token(token)
    if user is None:
        return render_template("organiser/set_password_invalid.html"), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            set_password(user, form.password.data)
        except AccountError as error:
            form.password.errors = [*form.password.errors, str(error)]
        else:
            db.session.commit()
            logout_user()
            session.clear()
            flash(_("Your password is set. You can log in now."), "success")
            return redirect(url_for("organiser.login"))
    return render_template("organiser/set_password.html", form=form, user=user)


# --- dashboard and lists ----------------------------------------------------------------


def _with_counts(events: list[Event]) -> list[dict]:
    counts = status_counts(e.id for e in events)
    return [
        {
            "event": e,
            "counts": counts[e.id],
            "seats_left": seats_left(e, counts[e.id]["confirmed"]),
            "can_edit": can_edit_event(current_user, e),
        }
        for e in events
    ]


def _event_list_options():
    return (
        joinedload(Event.host_partner).joinedload(Partner.region),
        selectinload(Event.regions),
    )


@bp.get("/")
def dashboard():
    now = utcnow()
    stmt = (
        db.select(Event)
        .where(Event.ends_at >= now)
        .options(*_event_list_options())
        .order_by(Event.starts_at, Event.id)
        .limit(100)
    )
    region = current_user.partner.region if current_user.partner else None
    if region is not None:
        stmt = stmt.where(
            or_(
                Event.regions.any(Region.id == region.id),
                Event.host_partner.has(Partner.region_id == region.id),
            )
        )
    rows = _with_counts(list(db.session.scalars(stmt)))
    return render_template(
        "organiser/dashboard.html", rows=rows, region=region, attention=_attention()
    )


def _attention():
    from webapp.reporting.attention import Attention, needs_attention

    if current_user.is_admin:
        return needs_attention(None)
    if current_user.region_id is None:
        return Attention()
    return needs_attention(current_user.region_id)


@bp.get("/events")
def events():
    regions = all_regions()
    codes = {r.code for r in regions}
    region = (request.args.get("region") or "").upper()
    status = request.args.get("status") or ""
    when = request.args.get("when") or "upcoming"
    q = " ".join((request.args.get("q") or "").split())[:100]
    problems = []
    stmt = db.select(Event).options(*_event_list_options())
    if region:
        if region in codes:
            stmt = stmt.where(Event.regions.any(Region.code == region))
        else:
            problems.append(_("There is no region “%(code)s”; showing all regions.", code=region))
            region = ""
    if status:
        if status in EVENT_STATUSES:
            stmt = stmt.where(Event.status == status)
        else:
            problems.append(_("Unknown status; showing every status."))
            status = ""
    now = utcnow()
    if when == "past":
        stmt = stmt.where(Event.ends_at < now).order_by(Event.starts_at.desc(), Event.id.desc())
    else:
        when = "upcoming"
        stmt = stmt.where(Event.ends_at >= now).order_by(Event.starts_at, Event.id)
    if q:
        pattern = "%" + q.lower().replace("\\", "").replace("%", "").replace("_", "") + "%"
        stmt = stmt.where(db.func.lower(Event.title).like(pattern))
    rows = _with_counts(list(db.session.scalars(stmt.limit(200))))
    return render_template(
        "organiser/events.html",
        rows=rows,
        regions=regions,
        filters={"region": region, "status": status, "when": when, "q": q},
        problems=problems,
    )


# --- the event form -----------------------------------------------------------------------


def _host_choices(event: Event | None) -> list[Partner]:
    partners = list(db.session.scalars(db.select(Partner).order_by(Partner.name)))
    allowed = [p for p in partners if can_host_as(current_user, p)]
    if event is not None and event.host_partner not in allowed:
        allowed.insert(0, event.host_partner)
    return allowed


def _prepare_form(form: EventForm, regions: list[Region], event: Event | None) -> None:
    zones = selectable_timezones()
    current = form.timezone.data
    if current and is_valid_timezone(current) and current not in zones:
        zones = [current, *zones]
    form.timezone.choices = choices((z, z.replace("_", " ")) for z in zones)
    form.regions.choices = choices((r.code, f"{r.name} ({r.code})") for r in regions)
    form.host_partner.choices = choices((p.short_name, p.name) for p in _host_choices(event))
    form.language.choices = language_choices(current_app.config["LANGUAGES"])
    for code in services.TRANSLATION_LANGUAGES:
        sub = form.translations[code].form
        language = LANGUAGE_NAMES[code]
        sub.title.label.text = _("Title in %(language)s", language=language)
        sub.summary.label.text = _("Summary in %(language)s", language=language)
        sub.description.label.text = _("Description in %(language)s", language=language)


def _stored_language(event: Event | None) -> str:
    """The event's language, or the one proposed for a new event by this organiser."""
    if event is not None:
        return event.language
    partner = current_user.partner
    return services.default_event_language(
        current_user.locale, partner.region.locale if partner else None
    )


def _initial_data(event: Event | None) -> dict:
    if event is None:
        partner = current_user.partner
        tz = partner.region.timezone if partner else DEFAULT_TIMEZONE
        return {
            "language": _stored_language(None),
            "timezone": tz,
            "regions": [partner.region.code] if partner else [],
            "host_partner": partner.short_name if partner else None,
            "status": "draft",
            "format": "online",
            "reminder_hours": 24,
            "kind": "webinar",
        }

    def local(value: datetime | None) -> datetime | None:
        return utc_to_local(value, event.timezone).replace(tzinfo=None) if value else None

    ends_local = local(event.ends_at)
    if event.all_day:
        ends_local = ends_local - timedelta(days=1)
    return {
        "kind": event.kind,
        "title": event.title,
        "summary": event.summary,
        "description": event.description,
        "timezone": event.timezone,
        "starts_local": local(event.starts_at),
        "ends_local": ends_local,
        "all_day": event.all_day,
        "format": event.format,
        "venue": event.venue,
        "address": event.address,
        "online_url": event.online_url,
        "capacity": event.capacity,
        "registration_opens_local": local(event.registration_opens_at),
        "registration_closes_local": local(event.registration_closes_at),
        "requires_approval": event.requires_approval,
        "requires_email_confirmation": event.requires_email_confirmation,
        "visibility": event.visibility,
        "status": event.status if event.status != "cancelled" else "published",
        "regions": event.region_codes,
        "host_partner": event.host_partner.short_name,
        "reminder_hours": event.reminder_hours,
        "notify_organisers": event.notify_organisers,
        "language": event.language,
        "translations": event.translations or {},
        "meeting_point": event.meeting_point,
        "travel_notes": event.travel_notes,
        "accommodation_notes": event.accommodation_notes,
        "questions": [
            {
                "id": str(q.id),
                "label": q.label,
                "kind": q.kind,
                "required": q.required,
                "options": "\n".join(q.options or []),
                "position": i + 1,
            }
            for i, q in enumerate(event.questions)
        ],
    }


class FormProblem(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def _to_utc(form: EventForm, field_name: str, wall: datetime, tz: str) -> datetime:
    try:
        return local_to_utc(wall, tz)
    except InvalidLocalTime as error:
        raise FormProblem(
            field_name,
            _(
                "%(time)s does not exist in %(zone)s: the clocks go forward that night. "
                "Choose another time.",
                time=wall.strftime("%Y-%m-%d %H:%M"),
                zone=tz,
            ),
        ) from error


def _form_times(form: EventForm) -> tuple[datetime, datetime]:
    """Start and end as aware UTC from the form's wall-clock times and zone."""
    tz = form.timezone.data
    start, end = form.starts_local.data, form.ends_local.data
    if form.all_day.data:
        start = datetime.combine(start.date(), time(0))
        end = datetime.combine(end.date(), time(0)) + timedelta(days=1)
        if end <= start:
            raise FormProblem("ends_local", _("The last day cannot be before the first day."))
    starts_at = _to_utc(form, "starts_local", start, tz)
    ends_at = _to_utc(form, "ends_local", end, tz)
    if ends_at <= starts_at:
        raise FormProblem("ends_local", _("The end must be after the start."))
    return starts_at, ends_at


def _question_data(form: EventForm) -> list[services.QuestionData]:
    entries = []
    for index, entry in enumerate(form.questions.entries):
        sub = entry.form
        label = (sub.label.data or "").strip()
        if sub.kind.data in LOGISTICS_QUESTION_KINDS and not sub.remove.data:
            # Registrants read the site's own wording; the organiser's language names it here.
            with force_locale(form.language.data or "en"):
                label = label or question_label(SimpleNamespace(kind=sub.kind.data, label=""))
        if sub.remove.data or not label:
            if not label and sub.id.data and not sub.remove.data:
                raise FormProblem("questions", _("A question needs its text; or tick “Remove”."))
            continue
        options = [line.strip() for line in (sub.options.data or "").splitlines() if line.strip()]
        if sub.kind.data not in ("single_choice", "multiple_choice"):
            options = []
        position = sub.position.data or index + 1
        entries.append(
            (
                position,
                index,
                services.QuestionData(
                    id=int(sub.id.data) if sub.id.data else None,
                    label=label,
                    kind=sub.kind.data,
                    required=bool(sub.required.data),
                    options=options,
                ),
            )
        )
    entries.sort(key=lambda item: (item[0], item[1]))
    return [data for _position, _index, data in entries]


def _unless_same_minute(new: datetime | None, stored: datetime | None) -> datetime | None:
    if new is not None and stored is not None and new == stored.replace(second=0, microsecond=0):
        return stored
    return new


def _event_data(form: EventForm, regions: list[Region], event: Event | None) -> services.EventData:
    starts_at, ends_at = _form_times(form)
    tz = form.timezone.data
    opens = form.registration_opens_local.data
    closes = form.registration_closes_local.data
    by_code = {r.code: r for r in regions}
    hosts = {p.short_name: p for p in _host_choices(event)}
    opens_at = _to_utc(form, "registration_opens_local", opens, tz) if opens else None
    closes_at = _to_utc(form, "registration_closes_local", closes, tz) if closes else None
    if event is not None:
        # The form shows minutes: an untouched time keeps its stored seconds.
        starts_at = _unless_same_minute(starts_at, event.starts_at)
        ends_at = _unless_same_minute(ends_at, event.ends_at)
        opens_at = _unless_same_minute(opens_at, event.registration_opens_at)
        closes_at = _unless_same_minute(closes_at, event.registration_closes_at)
    return services.EventData(
        kind=form.kind.data,
        title=form.title.data.strip(),
        summary=(form.summary.data or "").strip(),
        description=(form.description.data or "").strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        timezone=tz,
        all_day=bool(form.all_day.data),
        format=form.format.data,
        venue=(form.venue.data or "").strip(),
        address=(form.address.data or "").strip(),
        online_url=(form.online_url.data or "").strip(),
        capacity=form.capacity.data,
        registration_opens_at=opens_at,
        registration_closes_at=closes_at,
        requires_approval=bool(form.requires_approval.data),
        requires_email_confirmation=bool(form.requires_email_confirmation.data),
        visibility=form.visibility.data,
        status=form.status.data,
        reminder_hours=form.reminder_hours.data,
        notify_organisers=bool(form.notify_organisers.data),
        language=form.language.data,
        translations={
            language: {
                name: sub.data or ""
                for name, sub in form.translations[language].form._fields.items()
            }
            for language in services.TRANSLATION_LANGUAGES
        },
        meeting_point=(form.meeting_point.data or "").strip(),
        travel_notes=(form.travel_notes.data or "").strip(),
        accommodation_notes=(form.accommodation_notes.data or "").strip(),
        host_partner=hosts[form.host_partner.data],
        regions=[by_code[c] for c in form.regions.data],
        questions=_question_data(form),
    )


def _add_error(form: EventForm, field: str | None, message: str) -> None:
    target = getattr(form, field, None) if field else None
    if target is None:
        form.form_errors.append(message)
    else:
        target.errors = [*target.errors, message]


def _time_preview(form: EventForm, regions: list[Region], exclude_event_id: int | None):
    """The five regions' local times and the warnings, when the times can be read."""
    for name in ("timezone", "starts_local", "ends_local"):
        field = getattr(form, name)
        if field.errors or field.data is None:
            return None
    if not is_valid_timezone(form.timezone.data):
        return None
    try:
        starts_at, ends_at = _form_times(form)
    except FormProblem as problem:
        _add_error(form, problem.field, problem.message)
        return None
    served_codes = set(form.regions.data or [])
    served = [r for r in regions if r.code in served_codes]
    return {
        "starts_at": starts_at,
        "ends_at": ends_at,
        "rows": _region_rows(starts_at, ends_at, regions, served_codes, form.all_day.data),
        "warnings": services.scheduling_warnings(
            starts_at,
            ends_at,
            served,
            all_day=bool(form.all_day.data),
            exclude_event_id=exclude_event_id,
        ),
    }


def _region_rows(starts_at, ends_at, regions, served_codes, all_day=False) -> list[dict]:
    rows = []
    for start, end in zip(
        times_in_regions(starts_at, regions), times_in_regions(ends_at, regions), strict=True
    ):
        same_day = start.local.date() == end.local.date()
        rows.append(
            {
                "region": start,
                "start": start.local,
                "end": end.local,
                "served": start.code in served_codes,
                "outside_hours": not all_day
                and (
                    not is_within_hours(start.local, *services.WORKING_HOURS)
                    or (same_day and not is_within_hours(end.local, *services.WORKING_HOURS))
                ),
            }
        )
    return rows


def _validate_for_preview(form: EventForm) -> None:
    for name in ("timezone", "starts_local", "ends_local", "regions"):
        getattr(form, name).validate(form)


def _shadowed_notice(language: str) -> str:
    return _(
        "The %(language)s translation is kept because it differs from the texts above, "
        "but visitors never see it: the texts above are already in that language. Copy "
        "what you need into them, then empty that translation.",
        language=LANGUAGE_NAMES.get(language, language),
    )


def _original_language(form: EventForm, event: Event | None) -> str:
    """The language chosen in the form, else the stored one (for a rejected value)."""
    if form.language.data in services.EVENT_LANGUAGES:
        return form.language.data
    return _stored_language(event)


def _translation_fieldsets(form: EventForm, original: str) -> list[dict]:
    """One fieldset per language; the original's is hidden unless it holds a translation."""
    originals = {name: (form[name].data or "").strip() for name in services.TRANSLATED_FIELDS}
    fieldsets = []
    for code in services.TRANSLATION_LANGUAGES:
        sub = form.translations[code].form
        entry = services.normalise_translations({code: sub.data})
        shadowed = code == original and bool(
            services.settle_original_language(entry, code, originals)
        )
        fieldsets.append(
            {
                "code": code,
                "form": sub,
                "label": form.translations[code].label.text,
                "hidden": code == original and not entry,
                "notice": _shadowed_notice(code) if shadowed else None,
            }
        )
    return fieldsets


def _event_form_page(event: Event | None):
    regions = all_regions()
    if request.method == "POST":
        # A form posted without the language (an older page) keeps the event's language.
        form = EventForm(data={"language": _stored_language(event)})
    else:
        form = EventForm(data=_initial_data(event))
    _prepare_form(form, regions, event)
    if not form.host_partner.choices:
        abort(403)
    preview = None
    if request.method == "POST":
        if form.create_jitsi.data:
            form.online_url.data = services.jitsi_room_url()
            form.online_url.raw_data = [form.online_url.data]
            flash(_("A Jitsi Meet room was created. Save the event to keep it."), "success")
        elif form.add_question.data:
            if len(form.questions.entries) < form.questions.max_entries:
                form.questions.append_entry()
        elif form.check_times.data:
            _validate_for_preview(form)
            preview = _time_preview(form, regions, event.id if event else None)
        elif form.validate():
            try:
                data = _event_data(form, regions, event)
                if event is None:
                    if not can_host_as(current_user, data.host_partner):
                        abort(403)
                    saved = services.create_event(data, actor=current_user)
                    message = _("The event was created.")
                else:
                    notify = form.notify_registrants.data != "no"
                    note = (form.change_note.data or "").strip() if notify else ""
                    result = services.update_event(
                        event, data, actor=current_user, notify=notify, note=note
                    )
                    saved = event
                    message = _("The event was saved.")
                    if event.series_id is not None and form.series_scope.data == "following":
                        later = apply_to_later_dates(
                            event,
                            result.changed_fields,
                            actor=current_user,
                            notify=notify,
                            note=note,
                        )
                        if later:
                            message += " " + _(
                                "%(n)d later dates of the series were changed too.",
                                n=len(later),
                            )
                            result.notified += sum(r.notified for _e, r in later)
                    if result.notified:
                        message += " " + _(
                            "%(n)d registrants will be told about the change.", n=result.notified
                        )
                    if result.promoted:
                        message += " " + _(
                            "%(n)d people moved up from the waiting list.", n=result.promoted
                        )
                warnings = services.scheduling_warnings(
                    data.starts_at,
                    data.ends_at,
                    data.regions,
                    all_day=data.all_day,
                    exclude_event_id=saved.id,
                )
            except FormProblem as problem:
                db.session.rollback()
                _add_error(form, problem.field, problem.message)
            except services.SchedulingError as error:
                db.session.rollback()
                _add_error(form, error.field, str(error))
            else:
                db.session.commit()
                flash(message, "success")
                for warning in warnings:
                    flash(warning.message, "warning")
                if services.shadowed_translation(saved):
                    flash(_shadowed_notice(saved.language), "warning")
                return redirect(url_for("organiser.event_detail", event_id=saved.id))
        if preview is None and not (form.create_jitsi.data or form.add_question.data):
            preview = _time_preview(form, regions, event.id if event else None)
    elif event is not None:
        preview = _time_preview(form, regions, event.id)
    original = _original_language(form, event)
    return render_template(
        "organiser/event_form.html",
        form=form,
        event=event,
        preview=preview,
        original_language=original,
        translation_fieldsets=_translation_fieldsets(form, original),
    )


@bp.route("/events/new", methods=["GET", "POST"])
def event_new():
    return _event_form_page(None)


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
def event_edit(event_id: int):
    event = get_event_for_edit_or_403(event_id)
    return _event_form_page(event)


# --- one event ----------------------------------------------------------------------------


@bp.get("/events/<int:event_id>")
def event_detail(event_id: int):
    event = get_event_or_404(event_id)
    regions = all_regions()
    counts = status_counts([event.id])[event.id]
    answers = None
    if event.is_partners_only:
        answers = answers_by_region(event_invitations(event))
    return render_template(
        "organiser/event.html",
        event=event,
        counts=counts,
        answers=answers,
        series=series_members(event) if event.series_id is not None else [],
        seats_left=seats_left(event, counts["confirmed"]),
        rows=_region_rows(
            event.starts_at, event.ends_at, regions, set(event.region_codes), event.all_day
        ),
        can_edit=can_edit_event(current_user, event),
        can_see_registrations=can_view_registrations(current_user, event),
        audit=audit_trail(event) if can_edit_event(current_user, event) else [],
        action_form=EmptyForm(),
        language=LANGUAGE_NAMES.get(event.language, event.language),
        translated_into=[
            LANGUAGE_NAMES[code]
            for code in (event.translations or {})
            if code != event.language and code in LANGUAGE_NAMES
        ],
    )


def _action(event_id: int, action, success: str):
    event = get_event_for_edit_or_403(event_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        result = action(event)
    except services.SchedulingError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("organiser.event_detail", event_id=event_id))
    db.session.commit()
    flash(success, "success")
    return result


def published_message(event: Event) -> str:
    """What publishing made of the event, for its visibility."""
    if event.visibility == "unlisted":
        return _(
            "The event is published: anyone with its link can see it and register. It is "
            "not in the catalogue, the public feeds, the API or search."
        )
    if event.visibility == "partners":
        return _(
            "The meeting is published for the partners: it is in no public list or feed. "
            "Invite partner contacts to let them answer and register."
        )
    return _("The event is published: it is in the catalogue and the calendar feeds.")


@bp.post("/events/<int:event_id>/publish")
def event_publish(event_id: int):
    event = get_event_for_edit_or_403(event_id)
    result = _action(
        event_id,
        lambda e: services.publish_event(e, actor=current_user),
        published_message(event),
    )
    return result or redirect(url_for("organiser.event_detail", event_id=event_id))


@bp.route("/events/<int:event_id>/cancel", methods=["GET", "POST"])
def event_cancel(event_id: int):
    event = get_event_for_edit_or_403(event_id)
    form = CancelEventForm()
    if event.is_cancelled:
        flash(_("This event is already cancelled."), "error")
        return redirect(url_for("organiser.event_detail", event_id=event.id))
    if form.validate_on_submit():
        notify = form.notify.data != "no"
        notified = services.cancel_event(
            event, actor=current_user, reason=(form.reason.data or "").strip(), notify=notify
        )
        db.session.commit()
        if notify:
            flash(
                _("The event is cancelled. %(n)d registrants will be told.", n=notified), "success"
            )
        else:
            flash(_("The event is cancelled. No e-mail was sent."), "success")
        return redirect(url_for("organiser.event_detail", event_id=event.id))
    counts = status_counts([event.id])[event.id]
    return render_template("organiser/cancel.html", event=event, form=form, counts=counts)


@bp.post("/events/<int:event_id>/duplicate")
def event_duplicate(event_id: int):
    event = get_event_or_404(event_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    host = event.host_partner
    if not can_host_as(current_user, host):
        # Organisers may copy any event they can see, as a draft of their own partner.
        if current_user.partner is None:
            abort(403)
        host = current_user.partner
    copy = services.duplicate_event(event, actor=current_user, host_partner=host)
    db.session.commit()
    flash(_("This is a draft copy. Check the dates, then save or publish it."), "success")
    return redirect(url_for("organiser.event_edit", event_id=copy.id))


@bp.post("/events/<int:event_id>/delete")
def event_delete(event_id: int):
    event = get_event_for_edit_or_403(event_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    # The material rows go with the event; their files once the deletion is committed.
    stored_files = [m.storage_key for m in event.materials if m.storage_key]
    try:
        services.delete_event(event, actor=current_user)
    except services.SchedulingError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("organiser.event_detail", event_id=event_id))
    db.session.commit()
    storage = get_storage()
    for key in stored_files:
        storage.delete(key)
    flash(_("The draft was deleted."), "success")
    return redirect(url_for("organiser.dashboard"))
