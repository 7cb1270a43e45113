"""Registration form, confirmation and the registrant's own page (reached by secret link)."""

from __future__ import annotations

import json
from datetime import date, timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from webapp.extensions import db, limiter
from webapp.formatting import answer_items
from webapp.models import Event, Registration
from webapp.programme.access import visible_materials
from webapp.public.views import all_regions, get_public_event_or_404
from webapp.registrations import services
from webapp.registrations.forms import (
    OTHER_REGION,
    ButtonForm,
    EraseForm,
    RegistrantDetailsForm,
    RegistrationForm,
    registration_form,
)
from webapp.registrations.privacy import privacy_notice
from webapp.timezones import utcnow

bp = Blueprint("registrations", __name__)
bp.add_app_template_global(services.registration_closed_reason, "registration_closed_reason")

# Pages reached by a secret link: never cached, never indexed, and the link never leaks
# to another site through the Referer header (the join link is on one of them).
PRIVATE_ENDPOINTS = {
    "registrations.confirmation",
    "registrations.manage",
    "registrations.cancel",
    "registrations.edit",
    "registrations.download",
    "registrations.erase",
    "registrations.confirm_email",
}


def _registration_limit() -> str:
    return current_app.config["REGISTRATION_RATELIMIT"]


limit_posts = limiter.limit(_registration_limit, methods=["POST"])


@bp.after_request
def private_headers(response: Response) -> Response:
    if g.get("unlisted_event"):
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
    if request.endpoint in PRIVATE_ENDPOINTS:
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _seats_left(event: Event) -> int | None:
    return services.seats_left(event, services.confirmed_counts([event.id]).get(event.id, 0))


def _registration_or_404(token: str) -> Registration:
    registration = services.find_by_token(token)
    if registration is None:
        abort(404)
    return registration


def _event_to_register_for_or_404(slug: str) -> Event:
    """The public event with ``slug``, with its questions and host loaded (one query).

    The confirmation e-mail is written when it is sent, so its programme is not read here.
    """
    event = (
        db.session.scalars(
            db.select(Event)
            .where(Event.slug == slug)
            .options(joinedload(Event.host_partner), joinedload(Event.questions))
        )
        .unique()
        .one_or_none()
    )
    if event is None or not event.is_reachable_by_link:
        abort(404)
    g.unlisted_event = not event.is_public
    return event


@bp.route("/events/<slug:slug>/register", methods=["GET", "POST"])
@limit_posts
def register(slug: str):
    event = _event_to_register_for_or_404(slug)
    posted = request.method == "POST"
    reason = services.registration_closed_reason(event, utcnow())
    if reason:
        return _closed(event, reason, posted)

    questions = list(event.questions)
    regions = all_regions()
    form = registration_form(questions, regions)
    if form.validate_on_submit() and form.check_travel_dates(questions):
        if form.honeypot_filled:
            abort(400)
        try:
            _register(event, form, questions, regions)
        except services.RegistrationClosed as exc:
            db.session.rollback()
            return _closed(event, exc.message, posted)
        except services.RegistrationError as exc:
            db.session.rollback()
            field = getattr(form, exc.field or "", None)
            if field is not None:
                field.errors = [*field.errors, exc.message]
            else:
                form.form_errors.append(exc.message)
        else:
            # The same answer whether the address was new or already registered: the
            # personal link only ever travels by e-mail, to the address's owner. (The
            # slug of the address, not the committed event: that would be read again.)
            return redirect(url_for(".check_inbox", slug=slug), 303)
    return render_template(
        "registrations/register.html",
        event=event,
        form=form,
        questions=questions,
        seats_left=_seats_left(event),
    ), (400 if posted else 200)


def _register(event: Event, form: RegistrationForm, questions, regions) -> None:
    """Store the registration (or send the existing link again) and commit."""
    by_code = {r.code: r for r in regions}
    values = dict(
        name=form.name.data,
        email=form.email.data,
        organisation=form.organisation.data or "",
        stakeholder_type=form.stakeholder_type.data,
        region=None if form.region.data == OTHER_REGION else by_code[form.region.data],
        locale=str(get_locale() or "en"),
        answers=form.answers(questions),
        consent_at=utcnow(),
        privacy_version=current_app.config["PRIVACY_NOTICE_VERSION"],
        email_confirmation_hold=timedelta(
            minutes=current_app.config["EMAIL_CONFIRMATION_HOLD_MINUTES"]
        ),
    )
    try:
        services.register(event, **values)
        db.session.commit()
    except IntegrityError:
        # The same address registered in a parallel request that slipped past the lock
        # (only possible without one, e.g. another tool writing): answer as a repeat.
        db.session.rollback()
        services.register(db.session.get_one(Event, event.id), **values)
        db.session.commit()


def _closed(event: Event, reason: str, posted: bool):
    return render_template("registrations/closed.html", event=event, reason=reason), (
        400 if posted else 200
    )


@bp.get("/events/<slug:slug>/register/check-your-inbox")
def check_inbox(slug: str):
    event = get_public_event_or_404(slug)
    g.unlisted_event = not event.is_public
    return render_template("registrations/check_inbox.html", event=event)


@bp.get("/registrations/<token>/confirmation")
def confirmation(token: str):
    registration = _registration_or_404(token)
    return render_template(
        "registrations/confirmation.html",
        registration=registration,
        event=registration.event,
        position=services.waitlist_position(registration),
    )


@bp.get("/registrations/<token>")
def manage(token: str):
    return _manage_page(_registration_or_404(token), EraseForm())


def _manage_page(registration: Registration, erase_form: EraseForm, status: int = 200):
    event = registration.event
    now = utcnow()
    return render_template(
        "registrations/manage.html",
        registration=registration,
        event=event,
        position=services.waitlist_position(registration),
        event_over=event.is_over(now),
        show_join_link=bool(
            registration.is_confirmed
            and not registration.awaiting_email_confirmation
            and event.join_url
            and event.is_online
            and not event.is_cancelled
            and not event.is_over(now)
        ),
        event_ics_url=(
            url_for("feeds.event_ics", slug=event.slug)
            if "feeds.event_ics" in current_app.view_functions and event.is_reachable_by_link
            else None
        ),
        cancel_form=ButtonForm(),
        erase_form=erase_form,
        answers=answer_items(list(event.questions), registration.answers),
        can_edit=services.can_edit_details(registration, now),
        materials=visible_materials(list(event.materials), registration=registration),
        material_url=lambda m: url_for(
            "programme.registrant_material", token=registration.token, material_id=m.id
        ),
    ), status


@bp.route("/registrations/<token>/cancel", methods=["GET", "POST"])
@limit_posts
def cancel(token: str):
    """Ask "really cancel?" (GET), then cancel (POST)."""
    registration = _registration_or_404(token)
    form = ButtonForm()
    if request.method == "GET":
        if not registration.is_active or registration.event.is_over(utcnow()):
            return redirect(url_for(".manage", token=token), 303)
        return render_template(
            "registrations/cancel.html",
            registration=registration,
            event=registration.event,
            form=form,
        )
    if not form.validate_on_submit():
        abort(400)
    if not registration.is_active:
        flash(_("This registration was already cancelled; nothing changed."), "warning")
    elif registration.event.is_over(utcnow()):
        flash(_("The event has already taken place; nothing changed."), "warning")
    else:
        services.cancel_registration(registration)
        db.session.commit()
        flash(_("Your registration is cancelled. We have sent you a confirmation."), "success")
    return redirect(url_for(".manage", token=token), 303)


@bp.route("/registrations/<token>/edit", methods=["GET", "POST"])
@limit_posts
def edit(token: str):
    """The registrant corrects their name, organisation, region and answers."""
    registration = _registration_or_404(token)
    if not services.can_edit_details(registration):
        flash(
            _(
                "Your details can no longer be changed: the event has started or your "
                "registration is not active."
            ),
            "warning",
        )
        return redirect(url_for(".manage", token=token), 303)
    event = registration.event
    questions = list(event.questions)
    regions = all_regions()
    form = registration_form(questions, regions, base=RegistrantDetailsForm)
    if request.method == "GET":
        _fill_details_form(form, registration, questions)
    elif form.validate_on_submit() and form.check_travel_dates(questions):
        by_code = {r.code: r for r in regions}
        try:
            changed = services.update_registration_details(
                registration,
                name=form.name.data,
                organisation=form.organisation.data or "",
                stakeholder_type=form.stakeholder_type.data,
                region=None if form.region.data == OTHER_REGION else by_code[form.region.data],
                answers=form.answers(questions),
                question_ids=[q.id for q in questions],
            )
        except services.RegistrationError as exc:
            db.session.rollback()
            field = getattr(form, exc.field or "", None)
            if field is not None:
                field.errors = [*field.errors, exc.message]
            else:
                form.form_errors.append(exc.message)
        else:
            db.session.commit()
            if changed:
                flash(_("Your details are saved."), "success")
            else:
                flash(_("Nothing was changed."), "warning")
            return redirect(url_for(".manage", token=token), 303)
    return render_template(
        "registrations/edit.html",
        registration=registration,
        event=event,
        form=form,
        questions=questions,
    ), (400 if request.method == "POST" else 200)


def _fill_details_form(form, registration: Registration, questions) -> None:
    form.name.data = registration.name
    form.organisation.data = registration.organisation
    form.stakeholder_type.data = registration.stakeholder_type
    form.region.data = registration.region.code if registration.region else OTHER_REGION
    answers = registration.answers or {}
    for question in questions:
        value = answers.get(str(question.id))
        if value is None:
            continue
        field = getattr(form, question.field_name)
        if question.kind in ("date", "arrival_date", "departure_date"):
            try:
                value = date.fromisoformat(str(value))
            except ValueError:
                continue
        elif question.kind == "yes_no" and isinstance(value, bool):
            value = "yes" if value else "no"
        field.data = value


@bp.get("/privacy")
def privacy():
    notice = privacy_notice(str(get_locale() or "en"))
    return render_template("registrations/privacy.html", notice=notice)


@bp.post("/registrations/<token>/confirm-email")
@limit_posts
def confirm_email(token: str):
    registration = _registration_or_404(token)
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.confirm_email_address(registration)
    except services.ConfirmationExpired as exc:
        db.session.commit()  # the expired hold is released
        flash(exc.message, "warning")
    except services.InvalidTransition as exc:
        db.session.rollback()
        flash(exc.message, "warning")
    else:
        db.session.commit()
        flash(
            _("Thank you: your e-mail address is confirmed. We have sent you the details."),
            "success",
        )
    return redirect(url_for(".manage", token=token), 303)


@bp.get("/registrations/<token>/data.json")
def download(token: str):
    registration = _registration_or_404(token)
    data = services.export_registration_data(registration)
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={
            "Content-Disposition": (
                f'attachment; filename="registration-{registration.event.slug}.json"'
            )
        },
    )


@bp.post("/registrations/<token>/erase")
@limit_posts
def erase(token: str):
    registration = _registration_or_404(token)
    if registration.erased_at is not None:
        flash(_("Your personal data has already been erased."), "warning")
        return redirect(url_for(".manage", token=token), 303)
    form = EraseForm()
    if not form.validate_on_submit():
        return _manage_page(registration, form, 400)
    services.erase_registration(registration)
    db.session.commit()
    flash(_("Your personal data has been erased."), "success")
    return redirect(url_for(".manage", token=token), 303)
