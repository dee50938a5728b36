"""The badge directory, each badge's holders, and the "you earned a badge" message."""
from flask import Blueprint, abort, current_app, flash, render_template
from flask_babel import gettext as _
from flask_login import current_user

from ..services.reputation import badges
from ._common import paginate

bp = Blueprint("badges", __name__, url_prefix="/badges")
HOLDERS_PER_PAGE = 50


@bp.get("")
def index():
    """Every badge by category, with its tier, criterion and how many people hold it."""
    return render_template("badges/index.html", groups=badges.by_category(), labels=badges.CATEGORY_LABELS,
                           counts=badges.holder_counts(), thresholds=current_app.config["BADGES"])


@bp.get("/<key>")
def detail(key: str):
    """Who holds one badge, newest first, with the post that earned a per-post badge."""
    badge = badges.get_badge(key) or abort(404)
    pagination = paginate(badges.holders_query(badge), HOLDERS_PER_PAGE)
    if badge.per_post:
        badges.load_questions_of(pagination.items)
    return render_template("badges/detail.html", badge=badge, pagination=pagination,
                           holders=badges.holder_counts().get(badge.key, 0),
                           criterion=badge.describe(current_app.config["BADGES"]))


@bp.after_app_request
def announce_new_badges(response):
    """Flash the badges the signed-in user earned in this request; error responses rolled their work back."""
    earned = badges.take_new_badges()
    if earned and response.status_code < 400 and current_user.is_authenticated:
        for user_id, badge in earned:
            if user_id == current_user.id:
                flash(_("You earned the “%(name)s” badge!", name=badge.name), "success")
    return response
