"""The invitee's page of a poll, reached by a personal secret link (no account)."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import refresh
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db, limiter
from webapp.models import POLL_ANSWERS, PollInvitee
from webapp.polls import services
from webapp.polls.forms import ANSWER_LABELS, AnswersForm, TimezoneForm
from webapp.timezones import selectable_timezones, utcnow

bp = Blueprint("polls", __name__)

PRIVATE_ENDPOINTS = {"polls.answer", "polls.timezone"}


def _limit() -> str:
    return current_app.config["REGISTRATION_RATELIMIT"]


@bp.after_request
def private_headers(response: Response) -> Response:
    # A secret link: never cached, never indexed, never leaked through Referer.
    if request.endpoint in PRIVATE_ENDPOINTS:
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _invitee_or_404(token: str) -> PollInvitee | tuple[str, int]:
    invitee = services.find_invitee(token)
    if invitee is None:
        return render_template("polls/not_found.html"), 404
    # The page speaks the invitee's language unless they chose another with the switcher.
    g.preferred_locale = invitee.locale
    refresh()
    return invitee


def _posted_answers(invitee: PollInvitee) -> tuple[dict[int, services.AnswerData], list[str]]:
    answers: dict[int, services.AnswerData] = {}
    problems: list[str] = []
    for slot in invitee.poll.slots:
        value = (request.form.get(f"slot-{slot.id}") or "").strip()
        comment = (request.form.get(f"comment-{slot.id}") or "").strip()
        if value and value not in POLL_ANSWERS:
            problems.append(_("Choose yes, if need be or no."))
            continue
        if comment and not value:
            # A comment is kept with an answer: say so rather than drop what was typed.
            problems.append(_("Choose yes, if need be or no for each time you comment on."))
        elif len(comment) > services.COMMENT_MAX_LENGTH:
            problems.append(
                _("A comment has at most %(max)d characters.", max=services.COMMENT_MAX_LENGTH)
            )
            continue
        answers[slot.id] = services.AnswerData(value or None, comment)
    return answers, problems


def _page(invitee: PollInvitee, form: AnswersForm, status: int = 200, posted=None):
    poll = invitee.poll
    now = utcnow()
    current = {a.slot_id: a for a in invitee.answers}
    rows = []
    for slot in poll.slots:
        answer = current.get(slot.id)
        chosen = answer.answer if answer else None
        comment = answer.comment if answer else ""
        if posted is not None and slot.id in posted:
            chosen, comment = posted[slot.id].answer, posted[slot.id].comment
        rows.append({"slot": slot, "answer": chosen, "comment": comment})
    zones = selectable_timezones()
    tz_form = TimezoneForm(formdata=None, timezone=invitee.timezone)
    tz_form.timezone.choices = [(z, z.replace("_", " ")) for z in zones]
    return (
        render_template(
            "polls/answer.html",
            invitee=invitee,
            poll=poll,
            rows=rows,
            form=form,
            tz_form=tz_form,
            is_open=poll.is_open(now),
            ANSWER_LABELS=ANSWER_LABELS,
            max_comment=services.COMMENT_MAX_LENGTH,
        ),
        status,
    )


@bp.route("/polls/<token>", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
def answer(token: str):
    invitee = _invitee_or_404(token)
    if not isinstance(invitee, PollInvitee):
        return invitee
    form = AnswersForm()
    if request.method == "GET":
        return _page(invitee, form)
    if not form.validate_on_submit():
        form.form_errors.append(
            _("The form had expired. Your answers were not saved; please send them again.")
        )
        return _page(invitee, form, 400)
    answers, problems = _posted_answers(invitee)
    if problems:
        form.form_errors.extend(dict.fromkeys(problems))
        return _page(invitee, form, 400, answers)
    try:
        services.save_answers(invitee, answers, utcnow())
        db.session.commit()
    except IntegrityError:
        # The same answers sent twice at once (a double click): the other one was stored.
        db.session.rollback()
        form.form_errors.append(
            _("Your answers were sent twice at the same moment; check them and save again.")
        )
        return _page(invitee, form, 409)
    except services.PollClosed as error:
        db.session.rollback()
        form.form_errors.append(str(error))
        return _page(invitee, form, 409)
    except services.PollError as error:
        db.session.rollback()
        form.form_errors.append(str(error))
        return _page(invitee, form, 400, answers)
    flash(
        _("Thank you: your answers are saved. You can change them until answers close."), "success"
    )
    return redirect(url_for("polls.answer", token=token), code=303)


@bp.post("/polls/<token>/timezone")
@limiter.limit(_limit)
def timezone(token: str):
    invitee = _invitee_or_404(token)
    if not isinstance(invitee, PollInvitee):
        return invitee
    form = TimezoneForm()
    if not form.validate_on_submit():
        flash(_("The form had expired; please choose the time zone again."), "error")
        return redirect(url_for("polls.answer", token=token), code=303)
    try:
        services.set_invitee_timezone(invitee, form.timezone.data or "")
    except services.PollError as error:
        db.session.rollback()
        form.timezone.errors = [str(error)]
        return _page(invitee, AnswersForm(formdata=None), 400)
    db.session.commit()
    flash(_("The times are now shown in %(zone)s.", zone=invitee.timezone), "success")
    return redirect(url_for("polls.answer", token=token), code=303)
