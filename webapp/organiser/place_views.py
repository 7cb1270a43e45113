"""Regions and partners (``organiser.places.*``): administrators only."""

from __future__ import annotations

from collections.abc import Callable

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from webapp.extensions import db
from webapp.models import Partner, Region
from webapp.organiser import places
from webapp.organiser.access import require_admin
from webapp.organiser.forms import EmptyForm, PartnerForm, RegionForm, choices, language_choices
from webapp.timezones import is_valid_timezone, selectable_timezones
from webapp.user_errors import show_form_error

bp = Blueprint("places", __name__)


@bp.before_request
def admins_only():
    if current_user.is_authenticated:
        require_admin()


def _get_or_404(model, object_id: int):
    row = db.session.get(model, object_id)
    if row is None:
        abort(404)
    return row


def _all_regions() -> list[Region]:
    return list(db.session.scalars(db.select(Region).order_by(Region.code)))


def _saved(form, save) -> object | None:
    """Run ``save`` and commit; on a refusal show it on the form and store nothing.

    The unique code or short name is checked first, but two administrators saving the
    same one at once meet the database's unique constraint instead: said the same way.
    """
    try:
        result = save()
        db.session.commit()
    except places.PlaceError as error:
        db.session.rollback()
        show_form_error(form, error.field, error)
        return None
    except IntegrityError:
        db.session.rollback()
        form.form_errors.append(_("Someone saved the same code or short name a moment ago."))
        return None
    return result if result is not None else True


@bp.get("/regions/", endpoint="list")
def place_list():
    regions = list(
        db.session.scalars(
            db.select(Region).options(selectinload(Region.partners)).order_by(Region.code)
        )
    )
    return render_template(
        "organiser/places.html",
        regions=regions,
        region_usage=places.region_usage(),
        partner_usage=places.partner_usage(),
        empty_usage=places.Usage(),
        action_form=EmptyForm(),
    )


def _prepare_region_form(form: RegionForm) -> None:
    zones = selectable_timezones()
    current = form.timezone.data
    if current and is_valid_timezone(current) and current not in zones:
        zones = [current, *zones]
    form.timezone.choices = choices((z, z.replace("_", " ")) for z in zones)
    form.locale.choices = language_choices(current_app.config["LANGUAGES"])


def _region_values(form: RegionForm) -> dict[str, object]:
    """What the region form says, as the region services take it."""
    return {
        "name": form.name.data,
        "country": form.country.data,
        "timezone": form.timezone.data,
        "locale": form.locale.data,
        "languages": current_app.config["LANGUAGES"],
        "actor": current_user,
    }


@bp.route("/regions/new", methods=["GET", "POST"])
def new_region():
    form = RegionForm()
    _prepare_region_form(form)
    if form.validate_on_submit():
        region = _saved(
            form,
            lambda: places.create_region(code=form.code.data, **_region_values(form)),
        )
        if region is not None:
            flash(_("The region %(code)s has been added.", code=region.code), "success")
            return redirect(url_for("organiser.places.list"))
    return render_template("organiser/region_form.html", form=form, region=None)


@bp.route("/regions/<int:region_id>/edit", methods=["GET", "POST"])
def edit_region(region_id: int):
    region = _get_or_404(Region, region_id)
    form = RegionForm(obj=region)
    _prepare_region_form(form)
    if form.validate_on_submit():
        saved = _saved(
            form,
            lambda: places.update_region(region, **_region_values(form)),
        )
        if saved is not None:
            flash(_("The region %(code)s has been saved.", code=region.code), "success")
            return redirect(url_for("organiser.places.list"))
    return render_template("organiser/region_form.html", form=form, region=region)


@bp.post("/regions/<int:region_id>/delete")
def delete_region(region_id: int):
    region = _get_or_404(Region, region_id)
    return _delete(
        lambda: places.delete_region(region, actor=current_user),
        _("The region %(code)s has been deleted.", code=region.code),
    )


def _partner_values(form: PartnerForm, region: Region | None) -> dict[str, object]:
    """What the partner form says, as the partner services take it."""
    return {
        "name": form.name.data,
        "short_name": form.short_name.data,
        "region": region,
        "email": form.email.data,
        "website": form.website.data,
        "actor": current_user,
    }


def _prepare_partner_form(form: PartnerForm, regions: list[Region]) -> None:
    form.region.choices = choices((r.code, f"{r.name} ({r.code})") for r in regions)


@bp.route("/partners/new", methods=["GET", "POST"])
def new_partner():
    regions = _all_regions()
    form = PartnerForm()
    _prepare_partner_form(form, regions)
    if form.validate_on_submit():
        region = next((r for r in regions if r.code == form.region.data), None)
        partner = _saved(
            form,
            lambda: places.create_partner(**_partner_values(form, region)),
        )
        if partner is not None:
            flash(_("%(short)s has been added.", short=partner.short_name), "success")
            return redirect(url_for("organiser.places.list"))
    return render_template("organiser/partner_form.html", form=form, partner=None)


@bp.route("/partners/<int:partner_id>/edit", methods=["GET", "POST"])
def edit_partner(partner_id: int):
    partner = _get_or_404(Partner, partner_id)
    regions = _all_regions()
    form = PartnerForm(obj=partner)
    if not form.is_submitted():
        form.region.data = partner.region.code
    _prepare_partner_form(form, regions)
    if form.validate_on_submit():
        region = next((r for r in regions if r.code == form.region.data), None)
        saved = _saved(
            form,
            lambda: places.update_partner(partner, **_partner_values(form, region)),
        )
        if saved is not None:
            flash(_("%(short)s has been saved.", short=partner.short_name), "success")
            return redirect(url_for("organiser.places.list"))
    return render_template("organiser/partner_form.html", form=form, partner=partner)


@bp.post("/partners/<int:partner_id>/delete")
def delete_partner(partner_id: int):
    partner = _get_or_404(Partner, partner_id)
    return _delete(
        lambda: places.delete_partner(partner, actor=current_user),
        _("%(short)s has been deleted.", short=partner.short_name),
    )


def _delete(delete: Callable[[], None], done_message: str):
    """Run a CSRF-checked delete; a refusal is flashed and nothing is stored."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        delete()
    except places.PlaceError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(done_message, "success")
    return redirect(url_for("organiser.places.list"))
