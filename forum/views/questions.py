"""Question list, tag pages, asking, the question page and editing a question."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import presenters
from ..page_cache import cached_page, current_generations, first_time, thread_page
from ..extensions import db
from ..unit_of_work import checkpoint
from ..forms import AnswerForm, QuestionEditForm, QuestionForm
from ..models import Tag
from ..services.community.language import AUTO
from ..services.community.posts import TITLE_MAX
from ..services.community import edit_conflicts, posts, threads
from ..services import site_settings
from ..services.community.edit_conflicts import EditConflict
from ..services.errors import DomainError
from ..services.faq import entries as faq_entries
from ..services.moderation.suspensions import require_not_suspended
from ._common import (attach_error, language_filter, limit, offer_merge, paginate, personal_data_found, submit_once,
                      thresholds)
from .feedback import VISITOR_COOKIE, current_outcome_for
from .seo import site_base

bp = Blueprint("questions", __name__, url_prefix="/questions")


@bp.get("")
@cached_page()
def index():
    """All questions, by tab."""
    tab = request.args.get("tab", "newest")
    if tab not in threads.TABS:
        tab = "newest"
    languages = language_filter()
    pagination = paginate(threads.questions_query(tab, viewer=current_user, language=languages.language),
                          current_app.config["QUESTIONS_PER_PAGE"], resizable=True)
    return render_template("questions/index.html", pagination=pagination, tab=tab, tabs=threads.TAB_LABELS,
                           titles=threads.TAB_TITLES, languages=languages)


@bp.get("/tagged/<tag_name>")
@cached_page()
def tagged(tag_name: str):
    """Questions with one tag."""
    tag = db.session.scalar(select(Tag).where(Tag.name == tag_name.lower())) or abort(404)
    tab = request.args.get("tab", "newest")
    if tab not in threads.TABS:
        tab = "newest"
    languages = language_filter()
    pagination = paginate(threads.questions_query(tab, tag=tag, viewer=current_user, language=languages.language),
                          current_app.config["QUESTIONS_PER_PAGE"], resizable=True)
    return render_template("questions/index.html", pagination=pagination, tab=tab, tabs=threads.TAB_LABELS,
                           titles=threads.TAB_TITLES, tag=tag, languages=languages)


@bp.route("/ask", methods=["GET", "POST"])
@login_required
@limit("POST_RATE_LIMIT")
def ask():
    """Ask a question."""
    require_not_suspended(current_user)  # 403 with the reason, before anything is typed
    form = QuestionForm()
    if request.method == "GET" and request.args.get("title"):  # "ask the community" from search or the widget
        form.title.data = " ".join(request.args["title"].split())[:TITLE_MAX]
    personal_data = None
    if form.validate_on_submit():
        try:
            question, new = submit_once(form.submission_token.data, lambda: posts.ask_question(
                current_user, form.title.data, form.body.data, form.tags.data, thresholds(),
                post_anyway=form.post_anyway.data, language=form.language.data))
        except DomainError as error:
            attach_error(form, error)
            personal_data = personal_data_found(error)
        else:
            flash(_("Your question is saved, but staff will review it before others can see it.") if question.is_hidden
                  else _("Your question is posted. You will see answers here.") if new
                  else _("This form was already sent, so your question was posted once; here it is."), "success")
            return redirect(url_for(".detail", question_id=question.id, slug=question.slug))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("questions/ask.html", form=form, personal_data=personal_data,
                           support_summary=site_settings.support_summary(str(get_locale() or "en")),
                           support_note=site_settings.get_support_hours().note(str(get_locale() or "en"))), status


def _viewer_key() -> str:
    return threads.viewer_key(current_user.get_id() and current_user.id, request.remote_addr,
                              request.user_agent.string)


def _count_cached_view(question_id: int, slug: str | None = None) -> None:
    """A thread served from the page cache still counts its reader (the database is asked once per reader and
    thread while the cache remembers having asked)."""
    key = _viewer_key()
    if first_time(f"view:{question_id}:{key}") and threads.record_view_of(question_id, key):
        checkpoint()


@bp.get("/<int:question_id>")
@bp.get("/<int:question_id>/<path:slug>")
@cached_page(thread_page, personal_cookies=(VISITOR_COOKIE,), on_hit=_count_cached_view)
def detail(question_id: int, slug: str | None = None):
    """One thread: the question, its answers and comments, and the answer form."""
    generations = current_generations(thread_page(question_id))  # before any read: see presenters.thread_posts
    question = threads.get_question(question_id, current_user)
    if slug != question.slug:
        return redirect(url_for(".detail", question_id=question.id, slug=question.slug), code=301)
    key = _viewer_key()
    if first_time(f"view:{question_id}:{key}") and threads.record_view(question, key):
        checkpoint()  # the view counter: committed before the page's reads (see unit_of_work)
    # Forms carry a CSRF token, which lives in the session: build them only for signed-in readers, so
    # anonymous page views set no cookie (and stay cacheable).
    signed_in = current_user.is_authenticated
    posts_view = presenters.thread_posts(question, current_user, thresholds(), generations, base=site_base())
    return render_template(
        "questions/detail.html", question=question, posts=posts_view,
        answer_form=AnswerForm() if signed_in else None,
        current_outcome=None if question.is_deleted else current_outcome_for("thread", question.id),
        faq_entry=faq_entries.entry_for_thread(question.id, staff=posts_view.viewer.is_staff),
        structured_data=posts_view.structured_data,
    )


@bp.route("/<int:question_id>/edit", methods=["GET", "POST"])
@login_required
@limit("POST_RATE_LIMIT")
def edit(question_id: int):
    """Edit a question; every saved change becomes a revision."""
    question = threads.get_question(question_id, current_user)
    require_not_suspended(current_user)
    posts.require_edit(current_user, question, thresholds())
    form = QuestionEditForm(data={"title": question.title, "body": question.body_md,
                                  "tags": " ".join(tag.name for tag in question.tags),
                                  "base_revision": edit_conflicts.latest_revision_number(question),
                                  "language": question.language})
    conflict = conflict_diff = personal_data = None
    if form.validate_on_submit():
        try:
            changed = posts.edit_question(current_user, question, form.title.data, form.body.data, form.tags.data,
                                          form.summary.data or "", thresholds(), base_revision=form.base_revision.data,
                                          post_anyway=form.post_anyway.data, language=form.language.data or AUTO)
        except EditConflict as error:
            conflict, conflict_diff = error, offer_merge(form, error)
        except DomainError as error:
            attach_error(form, error)
            personal_data = personal_data_found(error)
        else:
            flash(_("Your edit is saved.") if changed else _("Nothing changed."), "success" if changed else "info")
            return redirect(url_for(".detail", question_id=question.id, slug=question.slug))
    status = 409 if conflict else 400 if form.errors or form.form_errors else 200
    return render_template("questions/edit.html", form=form, question=question, conflict=conflict,
                           conflict_diff=conflict_diff, personal_data=personal_data), status
