"""Closing and reopening questions, locking threads, suggested edits and their review, rolling back revisions."""
from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..forms import AnswerForm, CloseForm, QuestionForm, ReasonForm, ReviewForm
from ..models import CloseReason, Question
from ..services.moderation import closing, locking, suggested_edits
from ..services.reputation import privileges
from ..services.community import threads
from ..services.errors import Conflict, DomainError, Forbidden, Invalid
from ._common import attach_error, limit, paginate, thresholds
from ..urls import post_path, question_path

bp = Blueprint("closing", __name__)


@bp.route("/questions/<int:question_id>/close", methods=["GET", "POST"])
@login_required
@limit("POST_RATE_LIMIT")
def close(question_id: int):
    """The close dialog as a page: staff close at once, privileged users cast a vote."""
    question = threads.get_question(question_id, current_user)
    _require_closer(question)
    form = _close_form()
    if not question.is_closed and form.validate_on_submit():
        try:
            original = closing.parse_question_ref(form.duplicate_of.data)
            outcome = closing.vote_to_close(current_user, question, form.reason.data, original, thresholds(),
                                            _votes_needed())
        except DomainError as error:
            if error.status_code != 400:
                raise
            attach_error(form, error)
        else:
            flash(_("The question is closed.") if outcome.closed_now else
                  _("Your vote to close is recorded (%(num)d of %(needed)d).", num=outcome.votes,
                    needed=outcome.needed), "success")
            return redirect(question_path(question.id, question.title))
    elif question.is_closed and form.is_submitted():
        raise Conflict(_("This question is already closed."))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("closing/close.html", question=question, form=form, reopen_form=ReasonForm(),
                           my_vote=closing.my_vote(current_user, question), votes=closing.pending_count(question),
                           needed=_votes_needed(), reasons=closing.REASON_LABELS, hints=closing.REASON_HINTS,
                           reason_label=closing.reason_label(question.close_reason)), status


@bp.post("/questions/<int:question_id>/reopen")
@login_required
@limit("POST_RATE_LIMIT")
def reopen(question_id: int):
    """Staff reopen at once; privileged users vote to reopen."""
    question = threads.get_question(question_id, current_user)
    form = ReasonForm()
    if not form.validate_on_submit():
        raise Invalid(_("The reason is limited to 500 characters."))
    outcome = closing.vote_to_reopen(current_user, question, thresholds(), _votes_needed(), form.reason.data or "")
    flash(_("The question is reopened.") if outcome.closed_now else
          _("Your vote to reopen is recorded (%(num)d of %(needed)d).", num=outcome.votes, needed=outcome.needed),
          "success")
    return redirect(question_path(question.id, question.title))


@bp.post("/questions/<int:question_id>/close/retract")
@login_required
def retract(question_id: int):
    """Withdraw your pending close (or reopen) vote."""
    question = threads.get_question(question_id, current_user)
    _valid_action_form()
    closing.retract_vote(current_user, question)
    flash(_("Your vote is withdrawn."), "info")
    return redirect(question_path(question.id, question.title))


@bp.post("/questions/<int:question_id>/lock")
@login_required
def lock(question_id: int):
    question = threads.get_question(question_id, current_user)
    locking.lock_thread(current_user, question, _valid_action_form().reason.data or "")
    flash(_("The thread is locked: no new votes, answers or comments."), "info")
    return redirect(question_path(question.id, question.title))


@bp.post("/questions/<int:question_id>/unlock")
@login_required
def unlock(question_id: int):
    question = threads.get_question(question_id, current_user)
    locking.unlock_thread(current_user, question, _valid_action_form().reason.data or "")
    flash(_("The thread is unlocked."), "info")
    return redirect(question_path(question.id, question.title))


@bp.route("/posts/<int:post_id>/suggest-edit", methods=["GET", "POST"])
@login_required
@limit("POST_RATE_LIMIT")
def suggest_edit(post_id: int):
    """Propose an edit to someone else's post; it waits for review."""
    post = threads.get_post(post_id, current_user)
    suggested_edits.require_can_suggest(current_user, post, thresholds())
    if post.is_question:
        form = QuestionForm(data={"title": post.title, "body": post.body_md,
                                  "tags": " ".join(tag.name for tag in post.tags)})
    else:
        form = AnswerForm(data={"body": post.body_md})
    if form.validate_on_submit():
        try:
            suggested_edits.suggest_edit(current_user, post, getattr(form, "title", None) and form.title.data,
                                         form.body.data, getattr(form, "tags", None) and form.tags.data,
                                         form.summary.data or "", thresholds())
        except DomainError as error:
            if error.status_code != 400:
                raise
            attach_error(form, error)
        else:
            flash(_("Thank you! Your edit will be visible once it is reviewed."), "success")
            return redirect(post_path(post))
    status = 400 if form.errors or form.form_errors else 200
    question = post if post.is_question else post.question
    return render_template("closing/suggest_edit.html", form=form, post=post, question=question), status


@bp.get("/review/suggested-edits")
@login_required
def queue():
    """Pending suggested edits, oldest first, each with its diff."""
    _require_reviewer()
    pagination = paginate(suggested_edits.queue_query(), current_app.config["SUGGESTED_EDITS_PER_PAGE"])
    return render_template("closing/suggested_edits.html", pagination=pagination,
                           items=suggested_edits.present(list(pagination.items)), form=ReviewForm())


@bp.post("/review/suggested-edits/<int:suggestion_id>/approve")
@login_required
def approve(suggestion_id: int):
    _require_reviewer()
    _valid_review_form()
    suggestion = suggested_edits.get_suggestion(suggestion_id)
    suggested_edits.approve(current_user, suggestion, thresholds())
    flash(_("The edit is approved and applied."), "success")
    return redirect(url_for(".queue"))


@bp.post("/review/suggested-edits/<int:suggestion_id>/reject")
@login_required
def reject(suggestion_id: int):
    _require_reviewer()
    form = _valid_review_form()
    suggestion = suggested_edits.get_suggestion(suggestion_id)
    suggested_edits.reject(current_user, suggestion, thresholds(), form.comment.data or "")
    flash(_("The edit is rejected."), "info")
    return redirect(url_for(".queue"))


@bp.post("/posts/<int:post_id>/revisions/<int:number>/rollback")
@login_required
def rollback(post_id: int, number: int):
    """Restore an older revision as a new one (the history keeps everything)."""
    post = threads.get_post(post_id, current_user)
    _valid_action_form()
    suggested_edits.rollback(current_user, post, number)
    flash(_("The post is rolled back to revision %(num)d.", num=number), "success")
    return redirect(url_for("posts.history", post_id=post.id))


def _close_form() -> CloseForm:
    form = CloseForm()
    form.reason.choices = [(reason, str(closing.REASON_LABELS[reason])) for reason in CloseReason.ALL]
    return form


def _require_closer(question: Question) -> None:
    if question.is_deleted:
        raise Forbidden(_("This question is deleted."))
    privileges.require(current_user, "close", thresholds())


def _require_reviewer() -> None:
    if not suggested_edits.can_review(current_user, thresholds()):
        raise Forbidden(_("Only staff and users with the edit privilege can review suggested edits."))


def _valid_action_form() -> ReasonForm:
    form = ReasonForm()
    if not form.validate_on_submit():
        raise Invalid(_("The reason is limited to 500 characters."))
    return form


def _valid_review_form() -> ReviewForm:
    form = ReviewForm()
    if not form.validate_on_submit():
        raise Invalid(_("The comment is limited to 300 characters."))
    return form


def _votes_needed() -> int:
    return current_app.config["CLOSE_VOTES_NEEDED"]
