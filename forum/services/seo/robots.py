"""robots.txt: crawlers may read the public pages (threads, lists, tags, profiles, the FAQ, help), and are kept
off search results, sign-in, settings, the inbox, staff and moderation pages, forms, and every POST-only endpoint.

Patterns use the wildcards Google and Bing honour: `*` for any characters and `$` for the end of the path. The
POST-only endpoints come from the app's URL rules, so a new one is covered without editing this list; each ends
in `$`, so `/questions/*/lock$` never shadows a thread whose slug merely starts with "lock".
"""
import re
from collections.abc import Iterable

DISALLOWED = (
    "/search",  # result pages (and /search/similar): endless, thin, and costly to serve
    "/login", "/register", "/logout",
    "/users/settings", "/users/password", "/users/sessions",
    "/inbox", "/unsubscribe/",
    "/admin/",
    "/review",  # moderation queues: flags and suggested edits
    "/faq/candidates", "/faq/review", "/faq/categories", "/faq/*/edit$", "/faq/*/revisions$",
    "/questions/ask", "/questions/*/edit$", "/questions/*/close$", "/questions/*/close/",
    "/answers/*/",  # edit, accept, official; `/answers/<id>` itself redirects into its thread
    "/posts/",  # revisions, flagging, suggested edits, votes, comments, deletion, preview
    "/feedback/",
    "/lang/",  # the language switch: a redirect that sets a cookie
)
_CONVERTER = re.compile(r"<(?:(\w+)(?:\(([^)]*)\))?:)?\w+>")


def robots_txt(post_only_rules: Iterable[str], sitemap_url: str) -> str:
    """The file's text, given the URL rules that take no GET (Flask syntax) and the sitemap index's address."""
    extra = sorted({pattern for rule in post_only_rules for pattern in rule_patterns(rule)
                    if not any(matches(known, pattern.rstrip("$").replace("*", "1")) for known in DISALLOWED)})
    lines = ["User-agent: *", "Allow: /", *(f"Disallow: {path}" for path in (*DISALLOWED, *extra)),
             "", f"Sitemap: {sitemap_url}"]
    return "\n".join(lines) + "\n"


def rule_patterns(rule: str) -> list[str]:
    """A URL rule as robots.txt patterns: each variable becomes `*`, an `any(a, b)` one pattern per choice."""
    patterns = [""]
    position = 0
    for match in _CONVERTER.finditer(rule):
        literal = rule[position:match.start()]
        if match.group(1) == "any":
            choices = [choice.strip().strip("'\"") for choice in match.group(2).split(",")]
        else:
            choices = ["*"]
        patterns = [pattern + literal + choice for pattern in patterns for choice in choices]
        position = match.end()
    return [pattern + rule[position:] + "$" for pattern in patterns]


def matches(pattern: str, path: str) -> bool:
    """Whether a robots.txt pattern covers `path`, as Google reads it (a prefix, with `*` and `$`)."""
    anchored = pattern.endswith("$")
    regex = ".*".join(re.escape(part) for part in pattern.rstrip("$").split("*"))
    return re.match(regex + ("$" if anchored else ""), path) is not None
