"""The tag directory, and the tag suggestions of the ask form."""
from flask import Blueprint, current_app, jsonify, render_template, request
from flask_babel import ngettext
from flask_login import current_user

from ..page_cache import cached_page
from ..services.community import tags
from ._common import language_filter, paginate, thresholds

bp = Blueprint("tags", __name__, url_prefix="/tags")


@bp.get("")
@cached_page()
def index():
    """Every tag in use with its question count, filterable."""
    filter_text = request.args.get("filter", "")[:35]
    sort = request.args.get("sort", "popular")
    languages = language_filter()
    pagination = paginate(tags.tags_query(filter_text, sort, languages.language), current_app.config["TAGS_PER_PAGE"])
    return render_template("tags/index.html", pagination=pagination, filter_text=filter_text, sort=sort,
                           languages=languages)


@bp.get("/suggest")
def suggest():
    """Existing tags starting with `q`, with their question counts, as JSON; for a member who may not create
    tags, also why the tag typed cannot be new (`refusal`, null when it exists or they may)."""
    typed = request.args.get("q", "")[:100]
    found = tags.suggest_tags(typed)
    refusal = tags.new_tag_refusal(current_user, typed, thresholds()) if current_user.is_authenticated else None
    return jsonify(tags=[{"name": tag.name, "count": tag.question_count,
                          "label": ngettext("%(num)d question", "%(num)d questions", tag.question_count)}
                         for tag in found], refusal=refusal)
