"""Posting and editing answers."""
from flask import Blueprint, abort, flash, redirect, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import presenters
from ..forms import AnswerEditForm, AnswerForm
from ..models import Answer
from ..services.community import edit_conflicts, posts, threads
from ..services.community.edit_conflicts import EditConflict
from ..services.errors import DomainError
from ..services.moderation.suspensions import require_not_suspended
from ._common import attach_error, limit, offer_merge, personal_data_found, submit_once, thresholds
from ..urls import answer_path

bp = Blueprint("answers", __name__)


@bp.post("/questions/<int:question_id>/answer")
@login_required
@limit("POST_RATE_LIMIT")
def create(question_id: int):
    """Answer a question; on a form error the question page is shown again with what was typed."""
    question = threads.get_question(question_id, current_user)
    form = AnswerForm()
    personal_data = None
    if form.validate_on_submit():
        try:
            answer, new = submit_once(form.submission_token.data, lambda: posts.post_answer(
                current_user, question, form.body.data, post_anyway=form.post_anyway.data))
        except DomainError as error:
            if error.status_code != 400:  # refused (closed, locked, suspended): the error page says why
                raise
            attach_error(form, error)
            personal_data = personal_data_found(error)
        else:
            flash(_("Your answer is saved, but staff will review it before others can see it.") if answer.is_hidden
                  else _("Thank you for answering!") if new
                  else _("This form was already sent, so your answer was posted once; here it is."), "success")
            return redirect(answer_path(answer))
    return render_template("questions/detail.html", question=question, answer_form=form,
                           posts=presenters.thread_posts(question, current_user, thresholds()),
                           personal_data=personal_data), 400


@bp.get("/answers/<int:answer_id>")
def show(answer_id: int):
    """A permanent link to an answer: its place in the thread."""
    answer = threads.get_post(answer_id, current_user)
    if not isinstance(answer, Answer):
        abort(404)
    return redirect(answer_path(answer))


@bp.route("/answers/<int:answer_id>/edit", methods=["GET", "POST"])
@login_required
@limit("POST_RATE_LIMIT")
def edit(answer_id: int):
    answer = threads.get_post(answer_id, current_user)
    if not isinstance(answer, Answer):
        abort(404)
    require_not_suspended(current_user)
    posts.require_edit(current_user, answer, thresholds())
    form = AnswerEditForm(data={"body": answer.body_md,
                                "base_revision": edit_conflicts.latest_revision_number(answer)})
    conflict = conflict_diff = personal_data = None
    if form.validate_on_submit():
        try:
            changed = posts.edit_answer(current_user, answer, form.body.data, form.summary.data or "",
                                        thresholds(), base_revision=form.base_revision.data,
                                        post_anyway=form.post_anyway.data)
        except EditConflict as error:
            conflict, conflict_diff = error, offer_merge(form, error)
        except DomainError as error:
            attach_error(form, error)
            personal_data = personal_data_found(error)
        else:
            flash(_("Your edit is saved.") if changed else _("Nothing changed."), "success" if changed else "info")
            return redirect(answer_path(answer))
    status = 409 if conflict else 400 if form.errors or form.form_errors else 200
    return render_template("answers/edit.html", form=form, answer=answer, question=answer.question,
                           conflict=conflict, conflict_diff=conflict_diff, personal_data=personal_data), status
