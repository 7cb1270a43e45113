"""``/api/v1``: published public events as JSON (never join links)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from webapp.api import services
from webapp.urls import external_url

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _json_error(status: int, message: str, **extra: object) -> Response:
    response = jsonify(error=message, status=status, **extra)
    response.status_code = status
    return response


def _cached(response: Response) -> BaseResponse:
    seconds = int(current_app.config.get("API_CACHE_SECONDS", 60))
    response.headers["Cache-Control"] = f"public, max-age={seconds}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/events")
def events() -> BaseResponse:
    query = services.parse_list_query(request.args, services.region_codes())
    if query.errors:
        return _json_error(400, _("Some query parameters are not valid."), fields=query.errors)
    result = services.list_events(query)

    def page_url(page: int) -> str:
        args = {k: v for k, v in request.args.items() if k != "page"}
        return external_url("api.events", **args, page=page)

    links = {"self": page_url(result.page)}
    if result.page < result.pages:
        links["next"] = page_url(result.page + 1)
    if result.page > 1:
        links["prev"] = page_url(min(result.page - 1, result.pages))
    return _cached(
        jsonify(
            events=result.items,
            page=result.page,
            per_page=result.per_page,
            pages=result.pages,
            total=result.total,
            links=links,
        )
    )


@bp.get("/events/<slug>")
def event(slug: str) -> BaseResponse:
    data = services.public_event(slug[:200])
    if data is None:
        return _json_error(404, _("There is no public event with this address."))
    return _cached(jsonify(event=data))
