"""The JSON API, `/api/v1`: the same services and permission checks as the pages, for scripts, chatbots and the
help widget.

- `auth.py`: personal tokens (`Authorization: Bearer`), scopes, anonymous reads; never the session cookie.
- `problems.py`: every error as `application/problem+json` (RFC 9457), in the request's language.
- `schemas.py`: pydantic models that validate requests and describe responses; spectree turns the decorated
  views into the OpenAPI 3.1 document at `/api/v1/openapi.json`, and `/api/v1/docs` renders it as a page.
- `questions.py`, `discovery.py` (search, similar, suggestions), `catalogue.py` (FAQ, tags, users, feedback).

Views here are as thin as the pages' views: parse, call one service, present. The unit of work commits.
"""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, request
from flask_babel import gettext as _
from spectree import SecurityScheme, SpecTree
from spectree.models import SecureType, SecuritySchemeData
from werkzeug.exceptions import HTTPException

from ..extensions import csrf, db, limiter
from ..services.errors import DomainError
from . import auth, cors, problems

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _validation_failed(_request, _response, error, _instance, _adapter) -> None:
    """spectree calls this before the view; a request that does not fit its model becomes a 400 problem."""
    if error is None:
        return
    details = [{"field": ".".join(str(part) for part in item.get("loc", ())), "message": item.get("msg", "")}
               for item in error.errors()]
    raise problems.ApiProblem(400, _("Some fields are missing or invalid; see errors."), "invalid", details)


spec = SpecTree(
    "flask",
    title="Kotae API",
    version="v1",
    description="Questions, answers, search, the official FAQ and answer suggestions of a Kotae support "
                "community. Read without a token; write with a personal token (Settings → API tokens).",
    path="api/v1/spec",  # spectree's own UI pages load scripts from a CDN: not registered (see docs.py)
    before=_validation_failed,
    validation_error_status=400,
    security_schemes=[SecurityScheme(name="bearer", data=SecuritySchemeData(
        type=SecureType.HTTP, scheme="bearer", description="A personal API token (kotae_…)."))],
    annotations=True,
    mode="strict",  # only the API's decorated views, not the site's pages
    naming_strategy=lambda model: model.__name__,  # readable schema names (ours are unique)
    nested_naming_strategy=lambda _parent, child: child,
)



def endpoint(**options):
    """Validate the request against its models and send the response as its model serialises it (ISO 8601
    dates, no stray fields), documented in the OpenAPI document."""
    return spec.validate(force_resp_serialize=True, **options)


from . import catalogue, discovery, docs, questions  # noqa: E402,F401  (routes register on bp)


@bp.before_request
def _authenticate():
    cors.refuse_foreign_preflight()
    if request.mimetype == "application/json" and request.get_data() and request.get_json(silent=True) is None:
        raise problems.ApiProblem(400, _("The request body is not valid JSON."), "json")
    auth.load_caller()


@bp.after_request
def _cross_origin(response):
    return cors.add_headers(response)


@bp.errorhandler(Exception)
def _problem(error):
    """Every error of an API request as a problem document; the request's writes are rolled back."""
    db.session.rollback()
    if not isinstance(error, (problems.ApiProblem, DomainError, HTTPException)):  # a bug: log it, answer 500
        current_app.logger.exception("API error on %s %s", request.method, request.path)
    return problems.from_exception(error)


# Once per process (the limiter and the blueprint are shared by every app): read the limit from the app at hand.
limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=auth.rate_limit_key)(bp)


def init_app(app: Flask) -> None:
    csrf.exempt(bp)  # tokens, not cookies: nothing for a forged cross-site request to ride on
    app.register_blueprint(bp)
