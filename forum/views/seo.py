"""What search engines fetch: robots.txt and the sitemaps; and what every page tells them (canonical address,
whether to index it), as template globals. The links and structured data come from forum/services/seo/."""
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import get_locale

from .. import markup
from ..services.seo import robots, sitemaps
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
CACHE_SECONDS = 3600


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
    search_arg = SEARCH_ARGS.get(endpoint)
    return bool(search_arg and request.args.get(search_arg, "").strip())


@bp.app_template_global()
def og_locale() -> str:
    return OG_LOCALES.get(str(get_locale() or "en"), "en_US")


@bp.app_template_filter("excerpt")
def excerpt_filter(html_text: str, length: int = 200) -> str:
    """Stored HTML as a short plain text, for descriptions."""
    return markup.excerpt(html_text, length)


@bp.get("/robots.txt")
def robots_file():
    """Where crawlers may go, and where the sitemap is."""
    post_only = [rule.rule for rule in current_app.url_map.iter_rules() if "GET" not in rule.methods]
    body = robots.robots_txt(post_only, absolute(site_base(), url_for(".sitemap_index")))
    return _cached(Response(body, mimetype="text/plain"))


@bp.get("/sitemap.xml")
def sitemap_index():
    """The sitemap index: every question sitemap, the FAQ's and the question lists'."""
    count = sitemaps.question_page_count(_page_size())
    paths = [url_for(".questions_sitemap", number=n) for n in range(1, count + 1)]
    paths += [url_for(".faq_sitemap"), url_for(".lists_sitemap")]
    return _xml("seo/sitemap_index.xml", sitemaps=[absolute(site_base(), path) for path in paths])


@bp.get("/sitemaps/questions-<int:number>.xml")
def questions_sitemap(number: int):
    """One page of visible questions (one query on the primary key)."""
    urls = sitemaps.question_page(number, _page_size()) if number >= 1 else []
    if not urls and not 1 <= number <= sitemaps.question_page_count(_page_size()):
        abort(404)
    return _xml("seo/sitemap.xml", urls=urls)


@bp.get("/sitemaps/faq.xml")
def faq_sitemap():
    """/faq and every published entry."""
    return _xml("seo/sitemap.xml", urls=sitemaps.faq_urls())


@bp.get("/sitemaps/tags.xml")
def lists_sitemap():
    """All questions and the most used tags' question lists."""
    return _xml("seo/sitemap.xml", urls=sitemaps.list_urls(_page_size()))


def _page_size() -> int:
    return max(1, min(int(current_app.config["SITEMAP_PAGE_SIZE"]), sitemaps.MAX_URLS))


def _xml(template: str, **context) -> Response:
    body = render_template(template, base=site_base(), **context)
    return _cached(Response(body, mimetype="application/xml"))


def _cached(response: Response) -> Response:
    response.cache_control.public = True
    response.cache_control.max_age = CACHE_SECONDS
    return response
