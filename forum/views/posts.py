"""Actions shared by questions and answers: delete, undelete, revision history, Markdown preview."""
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import db
from ..models import Post, Question
from ..services.community import posts, revisions, threads
from ._common import rules
from ..urls import post_path

bp = Blueprint("posts", __name__, url_prefix="/posts")


@bp.post("/<int:post_id>/delete")
@login_required
def delete(post_id: int):
    post = threads.get_post(post_id, current_user)
    posts.delete_post(current_user, post, rules())
    flash(_("The post is deleted. Only you and the moderators can still see it."), "info")
    return redirect(post_path(post))


@bp.post("/<int:post_id>/undelete")
@login_required
def undelete(post_id: int):
    post = db.session.get(Post, post_id) or abort(404)
    posts.undelete_post(current_user, post, rules())
    flash(_("The post is restored."), "success")
    return redirect(post_path(post))


@bp.get("/<int:post_id>/revisions")
def history(post_id: int):
    """Every version of a post with what changed."""
    post = threads.get_post(post_id, current_user)
    question = post if isinstance(post, Question) else post.question
    return render_template("posts/history.html", post=post, question=question, history=revisions.post_history(post))


@bp.post("/preview")
def preview():
    """Render Markdown exactly as a saved post would be (used by the live preview)."""
    body = request.form.get("body", "")
    return jsonify(html=posts.preview(body))
