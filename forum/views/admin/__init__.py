"""/admin: the staff area (dashboard, audit log, voice of the customer, webhooks, site settings).

Every route in this blueprint is staff-only; the check runs before any view, so a new page cannot forget it.
"""
from flask import Blueprint, abort
from flask_login import current_user

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def require_staff():
    if not (current_user.is_authenticated and current_user.is_staff):
        abort(403)


from . import accounts, audit, dashboard, feedback, outcomes, settings, tokens, webhooks  # noqa: E402,F401  (routes register on bp)
