"""The official FAQ: public pages (/faq, /faq/<id>) and the staff tools (official answers, candidates,
promotion, editing, publishing, ordering, categories and reviews). Domain rules live in forum/services/faq/."""
from functools import wraps

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import search
from ..extensions import db
from ..forms.staff import CategoryForm, EntryForm
from ..models import Answer
from ..page_cache import cached_page, do_not_store
from ..services.community import threads
from ..services.errors import DomainError, Forbidden
from ..services.faq import candidates, categories, entries, official, promotion, review
from ..services.faq.common import get_entry
from ..services.seo import structured_data
from ._common import attach_error, language_filter, page_number
from ..urls import answer_path, faq_entry_path
from .errors import wants_json
from .feedback import VISITOR_COOKIE, current_outcome_for
from .seo import site_base

bp = Blueprint("faq", __name__)


def staff_only(view):
    """Sign in first; then members get a 403 that says why."""
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_staff:
            raise Forbidden(_("Only staff can manage the FAQ and official answers."))
        return view(*args, **kwargs)
    return wrapped


@bp.app_template_global()
def faq_review_count() -> int:
    """The number next to "FAQ review" in the staff navigation (one COUNT, only rendered for staff)."""
    return review.count_needing_review() if current_user.is_authenticated and current_user.is_staff else 0


# --- Public pages ---


@bp.get("/faq")
@cached_page()
def index():
    """Published entries by category, or the entries matching ?q=."""
    q = (request.args.get("q") or "").strip()[:200]
    languages = language_filter()
    if q:
        results = entries.entries_in_order(search.faq_entries(q, limit=50, language=languages.language))
        index_whole = search.health().faq.complete
        if not index_whole:
            do_not_store()
        return render_template("faq/index.html", q=q, results=results, sections=[], unpublished=[],
                               index_whole=index_whole, languages=languages)
    staff = current_user.is_authenticated and current_user.is_staff
    sections = entries.published_sections(language=languages.language)
    return render_template("faq/index.html", q="", results=None, sections=sections, languages=languages,
                           unpublished=entries.unpublished_entries() if staff else [],
                           structured_data=structured_data.faq_page(
                               (entry for section in sections for entry in section.entries), site_base()))


@bp.get("/faq/<int:entry_id>")
@bp.get("/faq/<int:entry_id>/<path:slug>")
@cached_page(personal_cookies=(VISITOR_COOKIE,))
def entry(entry_id: int, slug: str | None = None):
    """One entry, its credits and a link to the full discussion."""
    found = entries.load_entry_page(entry_id)
    if found is None or not (found.is_published or (current_user.is_authenticated and current_user.is_staff)):
        abort(404)
    if slug != found.slug:
        return redirect(faq_entry_path(found.id, found.title), code=301)
    return render_template("faq/entry.html", entry=found, current_outcome=current_outcome_for("faq", found.id),
                           structured_data=structured_data.faq_page([found], site_base()))


# --- Official answers and promotion ---


@bp.post("/answers/<int:answer_id>/official")
@staff_only
def official_toggle(answer_id: int):
    """Mark an answer official, or remove the mark."""
    answer = threads.get_post(answer_id, current_user)
    if not isinstance(answer, Answer):
        abort(404)
    is_official = official.toggle_official(current_user, answer)
    if wants_json():
        return jsonify(official=is_official)
    flash(_("The answer is marked official.") if is_official else _("The official mark is removed."), "success")
    return redirect(answer_path(answer))


@bp.get("/faq/candidates")
@staff_only
def candidates_list():
    """Threads that could become FAQ entries, best-ranked first."""
    rules = candidates.CandidateRules.from_config(current_app.config)
    per_page = current_app.config.get("FAQ_CANDIDATES_PER_PAGE", 30)
    page = page_number()
    rows, total = candidates.candidates_page(rules, page, per_page)
    return render_template("faq/candidates.html", rows=rows, total=total, page=page, per_page=per_page,
                           rules=rules, weights=candidates.WEIGHTS)


@bp.post("/questions/<int:question_id>/promote")
@staff_only
def promote(question_id: int):
    """Make a draft entry from the thread and open it for editing."""
    question = threads.get_question(question_id, current_user)
    try:
        made = promotion.promote(current_user, question)
    except promotion.AlreadyInFaq as error:
        db.session.rollback()
        return render_template("faq/exists.html", entry=error.entry, question=question), 409
    flash(_("A draft FAQ entry is ready. Edit it, then publish it."), "success")
    return redirect(url_for(".edit", entry_id=made.id))


# --- Editing and publishing (staff) ---


@bp.route("/faq/<int:entry_id>/edit", methods=["GET", "POST"])
@staff_only
def edit(entry_id: int):
    """Edit the title, question summary, answer and category; each save is a revision."""
    found = get_entry(entry_id, current_user)
    form = EntryForm(data={"title": found.title, "question": found.question_md, "answer": found.answer_md,
                           "category": found.category_id or 0})
    form.category.choices = [(0, _("No category"))] + [(c.id, c.name) for c in categories.all_categories()]
    if form.validate_on_submit():
        try:
            changed = entries.edit_entry(current_user, found, form.title.data, form.question.data or "",
                                         form.answer.data, form.category.data or None, form.summary.data or "")
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_("The entry is saved.") if changed else _("Nothing changed."), "success" if changed else "info")
            return redirect(faq_entry_path(found.id, found.title))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("faq/edit.html", form=form, entry=found), status


@bp.post("/faq/<int:entry_id>/<any(publish, unpublish, retire):action>")
@staff_only
def change_status(entry_id: int, action: str):
    """Publish, unpublish or retire an entry (retiring never touches the thread)."""
    found = get_entry(entry_id, current_user)
    if action == "publish":
        entries.publish(current_user, found, current_app.config.get("FAQ_PROMOTION_BONUS", 25),
                        faq_entry_path(found.id))  # stored in a notification: short, and right after a retitle
        message = _("The entry is published.")
    elif action == "unpublish":
        entries.unpublish(current_user, found)
        message = _("The entry is unpublished; only staff can see it.")
    else:
        entries.retire(current_user, found, request.form.get("reason", "")[:300])
        message = _("The entry is retired. Its thread is unchanged.")
    flash(message, "success")
    return redirect(faq_entry_path(found.id, found.title))


@bp.post("/faq/<int:entry_id>/move")
@staff_only
def move(entry_id: int):
    """Move an entry up or down within its category."""
    found = get_entry(entry_id, current_user)
    entries.move(current_user, found, request.form.get("direction", ""))
    return redirect(url_for(".index", _anchor=f"entry-{found.id}"))


@bp.get("/faq/<int:entry_id>/revisions")
@staff_only
def revisions(entry_id: int):
    """Every saved version of an entry with what changed."""
    found = get_entry(entry_id, current_user)
    return render_template("faq/revisions.html", entry=found, history=entries.entry_history(found))


# --- Categories (staff) ---


@bp.route("/faq/categories", methods=["GET", "POST"])
@staff_only
def category_list():
    """List the categories and add one."""
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            categories.create_category(current_user, form.name.data, form.description.data or "",
                                       name_ja=form.name_ja.data or "")
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_("The category is added."), "success")
            return redirect(url_for(".category_list"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("faq/categories.html", form=form, categories=categories.all_categories()), status


@bp.post("/faq/categories/<int:category_id>/<any(rename, move, delete):action>")
@staff_only
def category_action(category_id: int, action: str):
    """Rename, move up/down or delete a category (its entries stay, uncategorised)."""
    category = categories.get_category(category_id)
    if action == "rename":
        form = CategoryForm()
        if not form.validate_on_submit():
            flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
            return redirect(url_for(".category_list"))
        categories.rename_category(current_user, category, form.name.data, form.description.data or "",
                                   name_ja=form.name_ja.data or "")
    elif action == "move":
        categories.move_category(current_user, category, request.form.get("direction", ""))
    else:
        categories.delete_category(current_user, category)
    return redirect(url_for(".category_list"))


# --- Staying true to the thread (staff) ---


@bp.get("/faq/review")
@staff_only
def review_list():
    """Entries whose thread changed since promotion, with what changed."""
    return render_template("faq/review.html", items=review.entries_to_review())


@bp.post("/faq/<int:entry_id>/resync")
@staff_only
def resync(entry_id: int):
    """Copy the thread's current question and answer into the entry."""
    found = get_entry(entry_id, current_user)
    review.resync(current_user, found)
    flash(_("The entry now matches its thread."), "success")
    return redirect(url_for(".review_list"))


@bp.post("/faq/reviews/<int:review_id>/dismiss")
@staff_only
def dismiss(review_id: int):
    """The change does not matter for the entry."""
    review.dismiss(current_user, review.get_review(review_id))
    flash(_("The review is dismissed."), "info")
    return redirect(url_for(".review_list"))
