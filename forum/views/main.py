"""Home page, language switch and the health check."""
from flask import Blueprint, current_app, make_response, redirect, request, url_for

from ..i18n import LOCALE_COOKIE
from ..security import safe_next

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    """The home page is the question list."""
    return redirect(url_for("questions.index"))


@bp.get("/lang/<code>")
def set_language(code: str):
    """Remember a visitor's language in a cookie (signed-in users also have it in their settings)."""
    response = make_response(redirect(safe_next(request.args.get("next"), url_for("questions.index"))))
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(LOCALE_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


@bp.get("/healthz")
def health():
    """Plain liveness check (and the framework floor in bench/pages.py)."""
    return "ok", 200, {"Content-Type": "text/plain"}
