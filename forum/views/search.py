"""The search page behind the header's search box, and similar questions for the ask page."""
from functools import partial

from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from flask_login import current_user

from ..models import slugify
from ..page_cache import cached_page, do_not_store
from ..services.community import search
from ..services.community.language import JAPANESE, detect_language
from ._common import ALL_LANGUAGES, LanguageFilter, language_filter, page_number

bp = Blueprint("search", __name__)


@bp.get("/search")
@cached_page()
def results():
    """Questions matching a query with Stack Overflow's operators; odd input gets a hint, never an error."""
    text = request.args.get("q", "")
    languages = language_filter()
    if languages.explicit is None and detect_language(text, default="") == JAPANESE:
        languages = LanguageFilter(JAPANESE, None)  # typed in Japanese: Japanese threads, whatever the UI language
    found = partial(search.search_questions, text, sort=request.args.get("sort", "relevance"), page=page_number(),
                    per_page=current_app.config["QUESTIONS_PER_PAGE"], viewer=current_user)
    outcome = found(language=languages.language)
    widened = False
    if outcome.searched and not outcome.total and languages.explicit is None and languages.language is not None:
        outcome, widened = found(language=None), True  # nothing in the default language: show every language
        languages = LanguageFilter(ALL_LANGUAGES, None)
    index_whole = search.index_is_whole()
    if outcome.degraded or not index_whole:
        do_not_store()
    return render_template("search/results.html", q=text[: search.MAX_QUERY], outcome=outcome,
                           sorts=search.SORT_LABELS, index_whole=index_whole, languages=languages, widened=widened)


@bp.get("/search/similar")
def similar():
    """Official FAQ entries, then up to five existing questions, like the title being typed, as JSON (and
    ready-made HTML)."""
    title = request.args.get("title", "")[:300]
    found, faq = search.similar_questions(title), search.similar_faq_entries(title)
    for item in found:
        item["url"] = url_for("questions.detail", question_id=item["id"], slug=slugify(item["title"]))
    html = render_template("search/_similar.html", questions=found, faq=faq) if found or faq else ""
    return jsonify(faq=faq, questions=found, html=html)
