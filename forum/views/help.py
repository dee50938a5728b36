"""Help pages."""
from flask import Blueprint, render_template
from flask_login import current_user

from ..services import privileges as privilege_rules
from ._common import thresholds

bp = Blueprint("help", __name__, url_prefix="/help")


@bp.get("/privileges")
def privileges():
    """What reputation lets you do, and how far the signed-in user is from each privilege."""
    return render_template("help/privileges.html", rows=privilege_rules.progress(current_user, thresholds()))
