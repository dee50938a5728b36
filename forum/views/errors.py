"""Error pages in the site layout, or JSON for clients that ask for it."""
from flask import Blueprint, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..extensions import db
from ..services.errors import DomainError

bp = Blueprint("errors", __name__)

TITLES = {
    400: lambda: _("Bad request"),
    401: lambda: _("Sign-in required"),
    403: lambda: _("Not allowed"),
    404: lambda: _("Page not found"),
    405: lambda: _("Method not allowed"),
    409: lambda: _("Conflict"),
    429: lambda: _("Too many requests"),
    500: lambda: _("Something went wrong"),
}
DEFAULT_MESSAGES = {
    400: lambda: _("The request could not be understood. Please check what you entered and try again."),
    401: lambda: _("This needs you to sign in (for the API: a personal token)."),
    403: lambda: _("You do not have permission to do that."),
    404: lambda: _("We could not find that page. It may have been deleted or moved."),
    405: lambda: _("That action is not available here."),
    409: lambda: _("That conflicts with the current state of the site."),
    429: lambda: _("You are doing that too often. Please wait a little and try again."),
    500: lambda: _("An unexpected error happened on our side. It has been logged; please try again later."),
}


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return request.is_json or (best == "application/json" and request.accept_mimetypes[best] > 0)


API_PREFIX = "/api/"


def error_response(status: int, message: str | None = None):
    if request.path.startswith(API_PREFIX):  # e.g. a rate limit on an API route
        from ..api.problems import problem
        return problem(status, message)
    message = message or DEFAULT_MESSAGES.get(status, DEFAULT_MESSAGES[500])()
    title = TITLES.get(status, TITLES[500])()
    if wants_json():
        return jsonify(error=title, message=message, status=status), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


@bp.app_errorhandler(DomainError)
def domain_error(error: DomainError):
    db.session.rollback()
    return error_response(error.status_code, str(error.message))


@bp.app_errorhandler(CSRFError)
def csrf_error(error: CSRFError):
    return error_response(400, _("Your form expired or came from another site. Reload the page and try again."))


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException):
    if request.path.startswith(API_PREFIX):  # no API route matched: the API's own error format
        from ..api.problems import from_exception
        return from_exception(error)
    if error.code and error.code < 400:  # routing redirects are exceptions too
        return error
    if error.code == 429:
        return error_response(429)
    return error_response(error.code or 500, None)


@bp.app_errorhandler(500)
def server_error(error):
    db.session.rollback()
    return error_response(500)
