"""The search page behind the header's search box."""
from flask import Blueprint, current_app, render_template, request

from ..services import search
from ._common import paginate

bp = Blueprint("search", __name__)


@bp.get("/search")
def results():
    """Questions matching every word of the query; `[tag]` narrows to a tag."""
    text = request.args.get("q", "")
    pagination = None
    if text.strip():
        pagination = paginate(search.search_query(text), current_app.config["QUESTIONS_PER_PAGE"])
    return render_template("search/results.html", q=text[: search.MAX_QUERY], pagination=pagination)
