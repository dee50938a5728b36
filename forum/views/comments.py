"""Adding and deleting comments."""
from flask import Blueprint, abort, flash, redirect, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import db
from ..forms import CommentForm
from ..models import Comment
from ..services.community import comments, threads
from ..services.errors import Invalid
from ..services.moderation.holds import PersonalDataFound
from ._common import limit, submit_once, thresholds
from ..urls import thread_path

bp = Blueprint("comments", __name__)


@bp.post("/posts/<int:post_id>/comments")
@login_required
@limit("COMMENT_RATE_LIMIT")
def create(post_id: int):
    """Comment on a question or answer (the textarea checks the length in the browser first)."""
    post = threads.get_post(post_id, current_user)
    form = CommentForm()
    if not form.validate_on_submit():
        raise Invalid(" ".join(str(e) for errors in form.errors.values() for e in errors), field="body")
    try:
        comment, _first = submit_once(form.submission_token.data, lambda: comments.add_comment(
            current_user, post, form.body.data, thresholds(), post_anyway=form.post_anyway.data))
    except PersonalDataFound as error:  # show what was found; the author edits the comment or posts it anyway
        db.session.rollback()
        return render_template("comments/personal_data.html", form=form, post=post, error=error,
                               personal_data=error.described(), back=thread_path(post, anchor=f"comments-{post.id}")), 400
    if getattr(comment, "is_held", False):
        flash(_("Your comment is saved, but staff will review it before others can see it."), "info")
    return redirect(thread_path(post, anchor=f"comments-{post.id}"))


@bp.post("/comments/<int:comment_id>/delete")
@login_required
def delete(comment_id: int):
    comment = db.session.get(Comment, comment_id) or abort(404)
    post = threads.get_post(comment.post_id, current_user)
    comments.delete_comment(current_user, comment)
    flash(_("The comment is deleted."), "info")
    return redirect(thread_path(post, anchor=f"comments-{post.id}"))
