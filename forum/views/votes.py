"""Voting on posts and accepting answers: JSON for the page's script, redirects for plain forms."""
from flask import Blueprint, abort, jsonify, redirect, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..models import Answer
from ..services.community import threads
from ..services.reputation import votes
from ..services.errors import Invalid
from ._common import limit, rules, vote_policy
from ..urls import answer_path, post_path
from .errors import wants_json

bp = Blueprint("votes", __name__)


@bp.post("/posts/<int:post_id>/vote")
@login_required
@limit("VOTE_RATE_LIMIT")
def vote(post_id: int):
    """value=1 up, -1 down, 0 retract."""
    post = threads.get_post(post_id, current_user)
    try:
        value = int(request.form.get("value", ""))
    except ValueError:
        raise Invalid(_("A vote is 1 (up), -1 (down) or 0 (retract).")) from None
    result = votes.cast_vote(current_user, post, value, vote_policy())
    if wants_json():
        return jsonify(score=result.score, vote=result.vote)
    return redirect(post_path(post, question_anchor="question"))


@bp.post("/answers/<int:answer_id>/accept")
@login_required
def accept(answer_id: int):
    """The asker accepts this answer, or un-accepts it when it is already accepted."""
    answer = threads.get_post(answer_id, current_user)
    if not isinstance(answer, Answer):
        abort(404)
    accepted = votes.accept_answer(current_user, answer, rules())
    if wants_json():
        return jsonify(accepted=accepted, accepted_answer_id=answer.question.accepted_answer_id)
    return redirect(answer_path(answer))
