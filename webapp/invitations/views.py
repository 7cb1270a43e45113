"""The invitee's page (reached by the secret link in the invitation e-mail)."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _

from webapp.contacts.services import (
    export_contact_data,
    regenerate_contact_feed_token,
    remove_contact,
)
from webapp.extensions import db, limiter
from webapp.invitations import services
from webapp.invitations.forms import ANSWER_LABELS, AnswerForm
from webapp.public.views import all_regions
from webapp.registrations.forms import EraseForm
from webapp.registrations.queries import waitlist_position
from webapp.timezones import times_in_regions, utcnow

bp = Blueprint("invitations", __name__)


def _limit() -> str:
    return current_app.config["REGISTRATION_RATELIMIT"]


limit_posts = limiter.limit(_limit, methods=["POST"])


@bp.after_request
def private_headers(response: Response) -> Response:
    # The page carries a secret link and, once attending, the join link.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _invitation_or_invalid(token: str):
    invitation = services.find_invitation(token)
    if invitation is None:
        abort(Response(render_template("invitations/invalid.html"), status=404))
    return invitation


def _page(invitation, form: AnswerForm, erase_form: EraseForm, status: int = 200):
    event = invitation.event
    now = utcnow()
    registration = services.attending_registration(invitation)
    regions = all_regions()
    return render_template(
        "invitations/invitation.html",
        invitation=invitation,
        contact=invitation.contact,
        event=event,
        form=form,
        erase_form=erase_form,
        closed_reason=services.can_answer(invitation, now),
        registration=registration,
        position=waitlist_position(registration) if registration is not None else None,
        show_join_link=services.shows_join_link(invitation, now),
        answer_label=ANSWER_LABELS.get(invitation.answer or ""),
        series=services.series_invitations(invitation),
        start_times=times_in_regions(event.starts_at, regions),
        end_times=times_in_regions(event.ends_at, regions),
    ), status


@bp.get("/invitations/<token>")
def invitation(token: str):
    invitation = _invitation_or_invalid(token)
    form = AnswerForm(
        data={"answer": invitation.answer, "comment": invitation.comment}, formdata=None
    )
    return _page(invitation, form, EraseForm(formdata=None))


@bp.post("/invitations/<token>")
@limit_posts
def answer(token: str):
    invitation = _invitation_or_invalid(token)
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            outcome = services.answer_invitation(
                invitation,
                form.answer.data,
                form.comment.data or "",
                privacy_version=current_app.config["PRIVACY_NOTICE_VERSION"],
            )
        except services.InvitationError as error:
            db.session.rollback()
            target = getattr(form, error.field or "", None)
            if target is not None:
                target.errors = [*target.errors, str(error)]
            else:
                form.form_errors.append(str(error))
        else:
            db.session.commit()
            if outcome.registration_status == "confirmed":
                flash(_("Thank you: you attend, and a seat is yours."), "success")
            elif outcome.registration_status == "waitlisted":
                flash(_("Thank you. The meeting is full: you are on the waiting list."), "warning")
            else:
                flash(_("Thank you: your answer is saved."), "success")
            return redirect(url_for(".invitation", token=invitation.token), 303)
    return _page(invitation, form, EraseForm(formdata=None), 400)


@bp.post("/invitations/<token>/feed-token")
@limit_posts
def regenerate_feed(token: str):
    # CSRF-checked by the app, like every POST.
    invitation = _invitation_or_invalid(token)
    regenerate_contact_feed_token(invitation.contact)
    db.session.commit()
    flash(
        _(
            "Your calendar feed has a new address. Calendars subscribed to the old address "
            "no longer receive updates: subscribe again with the new one."
        ),
        "success",
    )
    return redirect(url_for(".invitation", token=invitation.token), 303)


@bp.get("/invitations/<token>/data.json")
def download(token: str):
    invitation = _invitation_or_invalid(token)
    data = export_contact_data(invitation.contact)
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="my-partner-contact-data.json"'},
    )


@bp.post("/invitations/<token>/erase")
@limit_posts
def erase(token: str):
    invitation = _invitation_or_invalid(token)
    form = EraseForm()
    if not form.validate_on_submit():
        answer_form = AnswerForm(
            data={"answer": invitation.answer, "comment": invitation.comment}, formdata=None
        )
        return _page(invitation, answer_form, form, 400)
    remove_contact(invitation.contact, actor=None)
    db.session.commit()
    return render_template("invitations/erased.html")
