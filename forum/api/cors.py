"""Cross-origin reads for the help widget: only the sites an admin listed get CORS headers.

A page on any other site can still send a request (browsers always could), but its script cannot read the answer,
and a preflighted request (JSON bodies) is refused before it is sent. The API takes no cookies, so an allowed
origin gains nothing a visitor's browser holds.
"""
from __future__ import annotations

from flask import Response, request

from ..services import site_settings
from .problems import ApiProblem

ALLOWED_HEADERS = "Authorization, Content-Type, Accept-Language, X-Kotae-Visitor"
MAX_AGE = "600"


def allowed_origin() -> str | None:
    """The request's Origin when an admin allowed it (compared exactly, lower-case, without a trailing slash)."""
    origin = (request.headers.get("Origin") or "").strip().rstrip("/").lower()
    if origin and origin in site_settings.get_widget_settings().origins:
        return origin
    return None


def refuse_foreign_preflight() -> None:
    """Before an API request: a preflight from a site nobody allowed is a 403 (the browser then sends nothing)."""
    if request.method == "OPTIONS" and request.headers.get("Origin") and allowed_origin() is None:
        from flask_babel import gettext as _
        raise ApiProblem(403, _("This site may not use the help widget; an administrator can allow it."), "origin")


def add_headers(response: Response) -> Response:
    response.vary.add("Origin")
    origin = allowed_origin()
    if origin is None:
        return response
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Expose-Headers"] = "Location, Retry-After"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST"
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = MAX_AGE
    return response
