"""Home page, language switch and the health check."""
from flask import Blueprint, abort, current_app, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..i18n import LOCALE_COOKIE, choose_for_session, forget_session_choice
from ..security import safe_next
from ..services.people import accounts

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    """The home page is the question list."""
    return redirect(url_for("questions.index"))


@bp.get("/lang/<code>")
def set_language(code: str):
    """Remember a visitor's language in a cookie; a signed-in member's switch lasts until they sign out, and the
    next page offers to save it in their settings."""
    response = make_response(redirect(safe_next(request.args.get("next"), url_for("questions.index"))))
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(LOCALE_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
        if current_user.is_authenticated:
            choose_for_session(current_user, code)
    return response


@bp.post("/lang/<code>/save")
@login_required
def save_language(code: str):
    """Save the language picked in the footer as the member's setting."""
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    accounts.set_language(current_user, code)
    forget_session_choice()
    flash(_("Your language is saved."), "success")
    return redirect(safe_next(request.form.get("next"), url_for("questions.index")))


@bp.get("/healthz")
def health():
    """Plain liveness check (and the framework floor in bench/pages.py)."""
    return "ok", 200, {"Content-Type": "text/plain"}
