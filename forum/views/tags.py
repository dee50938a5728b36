"""The tag directory."""
from flask import Blueprint, current_app, render_template, request

from ..page_cache import cached_page
from ..services.community import tags
from ._common import language_filter, paginate

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
