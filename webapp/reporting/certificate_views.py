"""Certificates of attendance (public): the registrant's download and the verification page.

- ``/registrations/<token>/certificate.pdf``: the registrant's certificate, issued on
  the first download (secret link, like the rest of the registrant's page);
- ``/certificates/<code>``: anyone holding a certificate's code sees whether it is
  valid and what it certifies; ``/certificates?code=`` takes a typed code.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for

from webapp.extensions import db
from webapp.registrations.queries import find_by_token
from webapp.reporting import certificates

bp = Blueprint("certificates", __name__)


@bp.after_request
def private_headers(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


bp.add_app_template_global(certificates.is_eligible, "certificate_available")


@bp.get("/registrations/<token>/certificate.pdf")
def download(token: str):
    registration = find_by_token(token)
    if registration is None or not certificates.is_eligible(registration):
        abort(404)
    certificate = certificates.issue(registration)
    db.session.commit()
    return Response(
        certificates.certificate_pdf(certificate),
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="certificate-{certificate.code}.pdf"'
        },
    )


@bp.get("/certificates")
def lookup():
    raw = request.args.get("code")
    if raw is None:
        return render_template("certificates/lookup.html", code="", error=False)
    code = certificates.normalise_code(raw)
    if certificates.find(code) is None:
        return render_template("certificates/lookup.html", code=raw[:40], error=True), 404
    return redirect(url_for(".verify", code=code))


@bp.get("/certificates/<code>")
def verify(code: str):
    certificate = certificates.find(code)
    if certificate is None:
        return render_template("certificates/lookup.html", code=code[:40], error=True), 404
    registration = certificate.registration
    valid = certificates.is_eligible(registration)
    return render_template(
        "certificates/verify.html",
        certificate=certificate,
        registration=registration,
        event=registration.event,
        attended=certificates.attended(registration) if valid else None,
        valid=valid,
    ), (200 if valid else 410)
