"""What every page tells search engines (canonical address, whether to index it), as template globals."""
from urllib.parse import urlencode

from flask import Blueprint, current_app, request
from flask_babel import get_locale

from .. import markup
from ..urls import absolute

bp = Blueprint("seo", __name__)

# Pages that are never worth indexing: search results, accounts, staff and moderation tools, forms.
NOINDEX_BLUEPRINTS = frozenset({"admin", "auth", "inbox", "moderation", "search"})
NOINDEX_ENDPOINTS = frozenset({
    "users.settings", "users.password", "users.session_list", "questions.ask", "questions.edit", "answers.edit",
    "posts.history", "closing.close", "closing.suggest_edit", "closing.queue", "faq.candidates_list",
    "faq.review_list", "faq.category_list", "faq.edit", "faq.revisions",
})
# Lists whose search or filter box narrows them: the filtered page is a search result.
SEARCH_ARGS = {"faq.index": "q", "users.index": "filter", "tags.index": "filter"}
OG_LOCALES = {"ja": "ja_JP", "en": "en_US"}


def site_base() -> str:
    """The public base URL: SITE_URL when configured (never trust a Host header for canonical links), else the
    request's own host."""
    return (current_app.config.get("SITE_URL") or request.host_url).rstrip("/")


@bp.app_template_global()
def canonical_url(path: str, **query) -> str:
    """`path` on the public site, with only the query arguments given a value (e.g. page=2, not page=1)."""
    kept = sorted((key, value) for key, value in query.items() if value not in (None, "", False))
    return absolute(site_base(), path) + (f"?{urlencode(kept)}" if kept else "")


@bp.app_template_global()
def robots_noindex() -> bool:
    """Whether this request's page is one search engines should leave out of their index."""
    endpoint = request.endpoint or ""
    if endpoint in NOINDEX_ENDPOINTS or request.blueprint in NOINDEX_BLUEPRINTS:
        return True
    return bool(request.args.get(SEARCH_ARGS.get(endpoint, ""), "").strip())


@bp.app_template_global()
def og_locale() -> str:
    return OG_LOCALES.get(str(get_locale() or "en"), "en_US")


@bp.app_template_filter("excerpt")
def excerpt_filter(html_text: str, length: int = 200) -> str:
    """Stored HTML as a short plain text, for descriptions."""
    return markup.excerpt(html_text, length)
