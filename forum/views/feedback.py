"""'Did this solve your problem?' on FAQ entries and threads: one changeable answer per visitor per page."""
import re
import secrets
from urllib.parse import urlsplit

from flask import Blueprint, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms.validators import ValidationError

from ..extensions import csrf
from ..urls import faq_entry_path
from ..models import Question
from ..services.insights import feedback
from ..services.errors import Forbidden
from ._common import limit
from .errors import wants_json

bp = Blueprint("feedback", __name__)

VISITOR_COOKIE = "kotae_visitor"
VISITOR_COOKIE_AGE = 365 * 24 * 3600
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,48}")


def visitor_token() -> str | None:
    """The anonymous visitor's cookie token, if it has the shape we hand out."""
    token = request.cookies.get(VISITOR_COOKIE, "")
    return token if _TOKEN.fullmatch(token) else None


def visitor_key() -> str | None:
    """Who is giving feedback: the account when signed in, else the cookie; None for a first-time visitor."""
    if current_user.is_authenticated:
        return feedback.user_key(current_user.id)
    token = visitor_token()
    return feedback.anonymous_key(token) if token else None


def current_outcome_for(target_type: str, target_id: int) -> str | None:
    """The visitor's answer on a page: one query, and none for a visitor we do not know yet."""
    return feedback.current_outcome(target_type, target_id, visitor_key())


# CSRF: a Flask-WTF token lives in the session, and anonymous pages promise to set no cookie, so anonymous
# visitors get no token. For them the view is protected instead by checking that the browser says the POST
# comes from one of our own pages (Origin, or Referer when a browser omits Origin); a forged cross-site POST
# cannot fake either. Signed-in visitors already have a session, so they send and we check the usual token.
@bp.post("/feedback/<target_type>/<int:target_id>")
@csrf.exempt
@limit("FEEDBACK_RATE_LIMIT")
def give(target_type: str, target_id: int):
    """Record or change the visitor's outcome; JSON for the page's script, else back to the page."""
    _check_request_origin()
    new_token = None
    key = visitor_key()
    if key is None:
        new_token = secrets.token_urlsafe(24)
        key = feedback.anonymous_key(new_token)
    user = current_user if current_user.is_authenticated else None
    row = feedback.record_feedback(target_type, target_id, key, request.form.get("outcome", ""), user=user)
    outcome, counts = row.outcome, feedback.counts_for(target_type, [target_id])[target_id]
    back = _target_url(feedback.get_target(target_type, target_id))
    if wants_json():
        response = jsonify(outcome=outcome, counts=counts, message=_("Thank you for your feedback."))
    else:
        flash(_("Thank you for your feedback."), "success")
        response = redirect(back)
    if new_token:
        response.set_cookie(VISITOR_COOKIE, new_token, max_age=VISITOR_COOKIE_AGE, httponly=True, samesite="Lax",
                            secure=request.is_secure)
    return response


def _check_request_origin() -> None:
    if current_user.is_authenticated:
        token = request.form.get("csrf_token") or request.headers.get("X-CSRFToken")
        try:
            validate_csrf(token)
        except ValidationError as error:
            raise CSRFError(str(error)) from None
        return
    source = request.headers.get("Origin") or request.headers.get("Referer") or ""
    if source == "null" or urlsplit(source).netloc != request.host:
        raise Forbidden(_("Feedback can only be sent from this site's own pages. Reload the page and try again."))


def _target_url(target) -> str:
    """Built from the target found in the database, never from anything the request says."""
    if isinstance(target, Question):
        return url_for("questions.detail", question_id=target.id, slug=target.slug, _anchor="feedback")
    return faq_entry_path(target.id, target.title, anchor="feedback")
