"""Partner contacts (``organiser.contacts.*``): the partner's organisers and administrators."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.contacts import services
from webapp.extensions import db
from webapp.i18n import LANGUAGE_NAMES as OWN_LANGUAGE_NAMES
from webapp.models import Partner, PartnerContact
from webapp.organiser.forms import (
    ContactForm,
    ContactImportForm,
    EmptyForm,
    language_choices,
)
from webapp.user_errors import show_form_error

bp = Blueprint("contacts", __name__)


def _partner_or_403(partner_id: int) -> Partner:
    partner = db.session.get(Partner, partner_id)
    if partner is None:
        abort(404)
    if not services.can_manage_contacts(current_user, partner):
        abort(403)
    return partner


def _contact_or_404(partner: Partner, contact_id: int) -> PartnerContact:
    contact = db.session.get(PartnerContact, contact_id)
    if contact is None or contact.partner_id != partner.id or not contact.is_active:
        abort(404)
    return contact


def _contact_form(**kwargs) -> ContactForm:
    form = ContactForm(**kwargs)
    form.locale.choices = language_choices(current_app.config["LANGUAGES"])
    return form


@bp.get("/contacts")
def partners():
    """The partners whose contacts the user manages (an organiser: their own)."""
    if not current_user.is_admin:
        if current_user.partner_id is None:
            abort(403)
        return redirect(url_for(".list", partner_id=current_user.partner_id))
    rows = db.session.execute(
        db.select(Partner, db.func.count(PartnerContact.id))
        .outerjoin(
            PartnerContact,
            (PartnerContact.partner_id == Partner.id) & PartnerContact.removed_at.is_(None),
        )
        .group_by(Partner.id)
        .order_by(Partner.name)
    ).all()
    return render_template("organiser/contact_partners.html", rows=rows)


def _list_page(partner: Partner, form: ContactForm, import_form: ContactImportForm, **extra):
    status = extra.pop("status", 200)
    return render_template(
        "organiser/contacts.html",
        partner=partner,
        contacts=services.active_contacts([partner.id]),
        form=form,
        import_form=import_form,
        remove_form=EmptyForm(),
        language_names=OWN_LANGUAGE_NAMES,
        **extra,
    ), status


@bp.get("/partners/<int:partner_id>/contacts", endpoint="list")
def contact_list(partner_id: int):
    partner = _partner_or_403(partner_id)
    form = _contact_form(data={"locale": partner.region.locale})
    return _list_page(partner, form, ContactImportForm(formdata=None))


@bp.post("/partners/<int:partner_id>/contacts")
def add(partner_id: int):
    partner = _partner_or_403(partner_id)
    form = _contact_form()
    if form.validate_on_submit():
        try:
            services.add_contact(partner, _data(form), actor=current_user)
            db.session.commit()
        except services.ContactError as error:
            db.session.rollback()
            show_form_error(form, error.field, error)
        else:
            flash(_("The contact was added."), "success")
            return redirect(url_for(".list", partner_id=partner.id), 303)
    return _list_page(partner, form, ContactImportForm(formdata=None), status=400)


def _data(form: ContactForm) -> services.ContactData:
    return services.ContactData(
        name=form.name.data or "",
        email=form.email.data or "",
        role=form.role.data or "",
        locale=form.locale.data or "",
    )


@bp.route("/partners/<int:partner_id>/contacts/<int:contact_id>", methods=["GET", "POST"])
def edit(partner_id: int, contact_id: int):
    partner = _partner_or_403(partner_id)
    contact = _contact_or_404(partner, contact_id)
    form = _contact_form(obj=contact)
    if form.validate_on_submit():
        try:
            services.update_contact(contact, _data(form), actor=current_user)
            db.session.commit()
        except services.ContactError as error:
            db.session.rollback()
            show_form_error(form, error.field, error)
        else:
            flash(_("The contact was saved."), "success")
            return redirect(url_for(".list", partner_id=partner.id), 303)
    status = 400 if form.is_submitted() else 200
    return render_template(
        "organiser/contact_form.html", partner=partner, contact=contact, form=form
    ), status


@bp.post("/partners/<int:partner_id>/contacts/<int:contact_id>/remove")
def remove(partner_id: int, contact_id: int):
    partner = _partner_or_403(partner_id)
    contact = _contact_or_404(partner, contact_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.remove_contact(contact, actor=current_user)
    db.session.commit()
    flash(
        _("The contact was removed: their data is erased and their links no longer work."),
        "success",
    )
    return redirect(url_for(".list", partner_id=partner.id), 303)


@bp.post("/partners/<int:partner_id>/contacts/import")
def import_csv(partner_id: int):
    partner = _partner_or_403(partner_id)
    import_form = ContactImportForm()
    report = None
    if import_form.validate_on_submit():
        raw = import_form.file.data.read(services.IMPORT_MAX_BYTES + 1)
        report = services.import_contacts(
            partner, raw, actor=current_user, default_locale=partner.region.locale
        )
        if not report.errors:
            db.session.commit()
            flash(
                _(
                    "Imported: %(added)d contacts added, %(updated)d updated.",
                    added=report.added,
                    updated=report.updated,
                ),
                "success",
            )
            return redirect(url_for(".list", partner_id=partner.id), 303)
        db.session.rollback()
    form = _contact_form(data={"locale": partner.region.locale}, formdata=None)
    return _list_page(
        partner, form, import_form, import_errors=report.errors if report else [], status=400
    )
