"""Flags, the staff review queue and user suspensions."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from .. import permissions
from ..extensions import db
from ..models import FlagReason, FlagStatus, Question, User
from ..services.moderation import flags, redaction, suspensions
from ..services.community import threads
from ..services.errors import Invalid
from ._common import limit, page_number, rules, thresholds
from ..urls import absolute, post_path

bp = Blueprint("moderation", __name__)


@bp.app_template_global()
def pending_review_count() -> int:
    """The number next to "Review" in the staff navigation (one COUNT, only rendered for staff)."""
    return flags.pending_count() if permissions.is_staff(current_user) else 0


@bp.route("/posts/<int:post_id>/flag", methods=["GET", "POST"])
@login_required
@limit("FLAG_RATE_LIMIT")
def flag(post_id: int):
    """Flag a post for moderators: a plain form with one radio button per reason."""
    post = threads.get_post(post_id, current_user)
    flags.require_can_flag(current_user, thresholds())  # say so before the form is filled in
    values, error = request.form, None
    if request.method == "POST":
        try:
            flags.flag_post(current_user, post, values.get("reason", ""), _flag_policy(),
                            duplicate_of=values.get("duplicate_of", ""), text=values.get("text", ""),
                            url=absolute(request.url_root, post_path(post)))
        except Invalid as invalid:
            db.session.rollback()
            error = invalid
        else:
            flash(_("Thanks: a moderator will review your flag."), "success")
            return redirect(post_path(post))
    return render_template("moderation/flag.html", post=post, question=_question_of(post), values=values,
                           error=error, reasons=FlagReason.ALL, labels=flags.REASON_LABELS, help=flags.REASON_HELP,
                           already=request.method == "GET" and flags.has_flagged(current_user, post),
                           text_max=flags.TEXT_MAX), 400 if error else 200


@bp.get("/review")
@login_required
def review():
    """Posts with pending flags, oldest first, with one-click decisions."""
    flags.require_staff(current_user)
    page = page_number()
    items, has_next = flags.review_queue(page, current_app.config["REVIEW_PER_PAGE"])
    return render_template("moderation/review.html", items=items, page=page, has_next=has_next,
                           labels=flags.REASON_LABELS, total=flags.pending_count())


@bp.post("/review/<int:post_id>/<any(dismiss, helpful):decision>")
@login_required
def resolve(post_id: int, decision: str):
    """Dismiss the flags (nothing wrong) or mark them helpful (handled); either way the post is shown again."""
    flags.require_staff(current_user)
    post = _flagged_post(post_id)
    status = FlagStatus.DISMISSED if decision == "dismiss" else FlagStatus.HELPFUL
    flags.resolve(current_user, post, status, request.form.get("reason", ""))
    flash(_("Flags dismissed.") if decision == "dismiss" else _("Flags marked helpful."), "success")
    return redirect(url_for(".review"))


@bp.post("/review/<int:post_id>/delete")
@login_required
def delete(post_id: int):
    """Delete a flagged post; its flags were helpful."""
    flags.require_staff(current_user)
    flags.delete_flagged(current_user, _flagged_post(post_id), request.form.get("reason", ""), rules())
    flash(_("The post is deleted."), "success")
    return redirect(url_for(".review"))


@bp.route("/posts/<int:post_id>/redact", methods=["GET", "POST"])
@login_required
def redact(post_id: int):
    """Staff remove a passage from a post and from every revision of it."""
    flags.require_staff(current_user)
    post = _flagged_post(post_id)
    values, error = request.form, None
    if request.method == "POST":
        try:
            count = redaction.redact_post(current_user, post, values.get("passage", ""), values.get("reason", ""))
        except Invalid as invalid:
            db.session.rollback()
            error = invalid
        else:
            flash(ngettext("Redacted %(num)d occurrence from the post and its revisions.",
                           "Redacted %(num)d occurrences from the post and its revisions.", count), "success")
            return redirect(post_path(post))
    return render_template("moderation/redact.html", post=post, question=_question_of(post), values=values,
                           error=error, passage_max=redaction.PASSAGE_MAX), 400 if error else 200


@bp.post("/users/<int:user_id>/suspend")
@login_required
def suspend(user_id: int):
    """Suspend a user for some days, with a reason they will see."""
    flags.require_staff(current_user)
    user = db.session.get(User, user_id) or abort(404)
    try:
        days = int(request.form.get("days", ""))
    except ValueError:
        raise Invalid(_("The duration must be a whole number of days."), field="days") from None
    suspension = suspensions.suspend(current_user, user, days, request.form.get("reason", ""))
    flash(_("%(name)s is suspended until %(date)s.", name=user.username,
            date=suspensions.format_until(suspension.ends_at)), "success")
    return redirect(_back(url_for("users.profile", user_id=user.id)))


@bp.post("/users/<int:user_id>/unsuspend")
@login_required
def unsuspend(user_id: int):
    """Lift a user's suspension now."""
    flags.require_staff(current_user)
    user = db.session.get(User, user_id) or abort(404)
    lifted = suspensions.lift(current_user, user, request.form.get("reason", ""))
    flash(_("The suspension is lifted.") if lifted else _("This user is not suspended."), "success" if lifted else "info")
    return redirect(url_for("users.profile", user_id=user.id))


def _flag_policy() -> flags.FlagPolicy:
    return flags.FlagPolicy(thresholds=thresholds(), hide_threshold=current_app.config["FLAG_HIDE_THRESHOLD"])


def _flagged_post(post_id: int):
    return threads.get_post(post_id, current_user)  # staff see hidden and deleted posts too


def _question_of(post):
    return post if isinstance(post, Question) else post.question


def _back(default: str) -> str:
    """Return to the review queue when the form came from it; only that one known page, never a given URL."""
    return url_for(".review") if request.form.get("from") == "review" else default
