"""Markdown rendering and HTML sanitising for posts and comments.

A pure module (no Flask) so services, the CLI and tests can all use it.

Pipeline for user text:

1. Python-Markdown, with raw HTML *escaped* rather than passed through, so a
   user who types ``<script>`` sees that text instead of losing it.
2. One bleach pass that enforces a tag/attribute/protocol allow-list and, in
   the same parse, linkifies bare URLs and puts ``rel="nofollow ugc noopener"``
   on every link.  The allow-list is the security boundary: step 1 only has to
   be useful, not safe.
"""

from __future__ import annotations

import html
import logging
import re
import threading
from functools import partial
from html.parser import HTMLParser
from urllib.parse import urlsplit

import bleach
import markdown
from bleach.html5lib_shim import Filter
from bleach.linkifier import LinkifyFilter
from markdown.extensions import Extension
from markdown.inlinepatterns import LinkInlineProcessor
from pygments.formatters import HtmlFormatter
from pygments.token import STANDARD_TYPES

__all__ = ["render_markdown", "render_comment", "html_to_text", "excerpt", "pygments_css"]

log = logging.getLogger(__name__)

LINK_REL = "nofollow ugc noopener"
PROTOCOLS = frozenset({"http", "https", "mailto"})
IMAGE_PROTOCOLS = frozenset({"https"})
# Images members upload are served by the site itself (forum/views/uploads.py) under content-addressed names;
# (also under a path prefix, for a site served below one); any other relative or plain-http src is refused (no mixed content, no pointing at other paths of the site).
UPLOAD_SRC = re.compile(r"(?:/[A-Za-z0-9_.-]+)*/uploads/[0-9a-f]{64}\.(?:png|jpg|gif|webp)\Z")

POST_TAGS = frozenset({
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "code",
    "span", "div", "em", "strong", "b", "i", "del", "s", "sup", "sub", "kbd",
    "ul", "ol", "li", "dl", "dt", "dd", "a", "img",
    "table", "thead", "tbody", "tr", "th", "td",
})
COMMENT_TAGS = frozenset({"a", "em", "strong", "code"})

_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
}
_ALIGN_VALUES = frozenset({"left", "right", "center"})
_CLASS_TAGS = frozenset({"span", "div", "code", "pre"})
# Exactly the classes Pygments emits (a short-regex would also let "btn" in).
_SAFE_CLASSES = frozenset(STANDARD_TYPES.values()) - {""} | {"highlight", "hll"}
_LANGUAGE_CLASS = re.compile(r"language-[a-z0-9][a-z0-9_+#.-]{0,31}\Z", re.ASCII)

# Bare URLs need a scheme or "www.": otherwise "setup.py" and "README.md"
# (.py and .md are real TLDs) would turn into links on a programming forum.
# Unlike bleach's default: no \b (Japanese text may touch the URL), no leading
# "\(*" (quadratic on "(((("), and the path stops at CJK characters so
# "https://example.com/aを参照" links only the URL; percent-encoded paths work.
_URL_RE = re.compile(
    r"""(?<![A-Za-z0-9_.@/-])(?:https?://|www\.)
    [a-z0-9-]+(?:\.[a-z0-9-]+)*(?::[0-9]{1,5})?
    (?:[/?#][^\s<>"`{}|\\^\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]*)?
    """,
    re.IGNORECASE | re.VERBOSE,
)

# Bounds for Python-Markdown's link scanners, which are otherwise quadratic:
# 20,000 "[" characters take about a minute to render without them.
_MAX_LINK_TEXT = 1000
_MAX_BRACKET_DEPTH = 32
_MAX_LINK_TARGET = 2048
_BRACKET = re.compile(r"[\[\]]")


# --------------------------------------------------------------------------
# Sanitiser
# --------------------------------------------------------------------------

def _scheme(url: str) -> str:
    """Scheme as a browser would see it: controls, spaces, entities ignored."""
    cleaned = re.sub(r"[\x00-\x20\x7f-\xa0`]+", "", html.unescape(url))
    try:
        return urlsplit(cleaned).scheme.lower()
    except ValueError:
        return "invalid"


def _allow_attribute(tag: str, name: str, value: str) -> bool:
    """Attribute allow-list; bleach still applies its protocol check after this."""
    if name == "class":
        tokens = value.split()
        return tag in _CLASS_TAGS and bool(tokens) and all(
            t in _SAFE_CLASSES or _LANGUAGE_CLASS.match(t) for t in tokens)
    if name == "align":
        return value.lower() in _ALIGN_VALUES and name in _ATTRIBUTES.get(tag, ())
    if tag == "img" and name == "src":
        # https images, or our own uploads; no plain http, data: or other relative images
        return _scheme(value) in IMAGE_PROTOCOLS or bool(UPLOAD_SRC.match(value))
    return name in _ATTRIBUTES.get(tag, ())


def _link_callback(attrs: dict, new: bool = False) -> dict | None:
    """Mark every link as user content; unwrap anchors the sanitiser emptied."""
    if not attrs.get((None, "href")):
        return None  # e.g. [x](javascript:...) lost its href: keep just the text
    attrs[(None, "rel")] = LINK_REL
    return attrs


class _ImagesNeedSrc(Filter):
    """Show the alt text of an image whose src was refused, not a broken icon; every image keeps an alt."""

    def __iter__(self):
        for token in super().__iter__():
            if token["type"] == "EmptyTag" and token["name"] == "img":
                if not token["data"].get((None, "src")):
                    alt = token["data"].get((None, "alt"))
                    if alt:
                        yield {"type": "Characters", "data": alt}
                    continue
                token["data"].setdefault((None, "alt"), "")
            yield token


def _make_cleaner(tags: frozenset, strip: bool) -> bleach.Cleaner:
    # Filters run after the sanitiser, in the same html5lib pass.
    linkify = partial(LinkifyFilter, callbacks=[_link_callback], skip_tags={"pre", "code"},
                      url_re=_URL_RE, parse_email=False)
    return bleach.Cleaner(tags=tags, attributes=_allow_attribute, protocols=PROTOCOLS,
                          strip=strip, strip_comments=True, filters=[_ImagesNeedSrc, linkify])


# bleach Cleaners keep parser state, so each thread gets its own pair.
_local = threading.local()


def _cleaner(kind: str) -> bleach.Cleaner:
    cleaner = getattr(_local, kind, None)
    if cleaner is None:
        # Posts escape stray tags (visible, inert); comments strip the <p>
        # wrapper and any block markup down to inline HTML.
        cleaner = _make_cleaner(POST_TAGS, False) if kind == "post" else _make_cleaner(COMMENT_TAGS, True)
        setattr(_local, kind, cleaner)
    return cleaner


# --------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------

def _bounded_get_text(data: str, index: int) -> tuple[str, int, bool]:
    """Link text scanner like Python-Markdown's, but with length/depth limits."""
    depth = 1
    for m in _BRACKET.finditer(data, index, index + _MAX_LINK_TEXT):
        depth += 1 if m.group() == "[" else -1
        if depth == 0:
            return data[index:m.start()], m.end(), True
        if depth > _MAX_BRACKET_DEPTH:
            break
    return "", index, False


def _windowed_get_link(get_link):
    """Run the original link-target scanner on a bounded window of the text."""
    def get_link_in_window(data: str, index: int):
        window = data[index:index + _MAX_LINK_TARGET]
        if ")" not in window:
            return "", None, index, False  # cheap reject for "[a](" floods
        href, title, end, handled = get_link(window, 0)
        return href, title, index + end, handled
    return get_link_in_window


class _SafeMarkdown(Extension):
    """Escape user-typed HTML and keep link parsing linear-ish."""

    def extendMarkdown(self, md):
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        for proc in md.inlinePatterns:
            if isinstance(proc, LinkInlineProcessor):
                proc.getText = _bounded_get_text
                proc.getLink = _windowed_get_link(proc.getLink)


class _InlineOnly(Extension):
    """Comments: only paragraph text survives, so '# x' or '- x' stay literal."""

    BLOCKS = ("indent", "code", "hashheader", "setextheader", "hr", "olist", "ulist",
              "quote", "reference", "table")
    INLINE = ("image_link", "image_reference", "short_image_ref")

    def extendMarkdown(self, md):
        for name in self.BLOCKS:
            md.parser.blockprocessors.deregister(name, strict=False)
        for name in self.INLINE:
            md.inlinePatterns.deregister(name, strict=False)


def _post_markdown() -> markdown.Markdown:
    # A fresh instance per call: Markdown objects are not thread safe and
    # building one costs ~0.2 ms, small next to the conversion itself.
    return markdown.Markdown(
        extensions=["fenced_code", "codehilite", "tables", "sane_lists", _SafeMarkdown()],
        extension_configs={
            "codehilite": {"css_class": "highlight", "guess_lang": False, "use_pygments": True},
            "tables": {"use_align_attribute": True},
        },
    )


def _comment_markdown() -> markdown.Markdown:
    return markdown.Markdown(extensions=[_SafeMarkdown(), _InlineOnly()])


def _convert(md: markdown.Markdown, text: str, fallback: str) -> str:
    """Markdown output, or the escaped fallback if Markdown gives up.

    Pathological nesting (e.g. 1,000 nested list items) makes Python-Markdown
    hit the recursion limit; a post must still save and display.
    """
    try:
        return md.convert(text)
    except Exception:  # noqa: BLE001 -- user input must never cause a 500
        log.warning("markdown conversion failed; showing plain text", exc_info=True)
        return fallback


def render_markdown(text: str) -> str:
    """Render a post body (full Markdown) to sanitised HTML."""
    if not text or not text.strip():
        return ""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    fallback = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return _cleaner("post").clean(_convert(_post_markdown(), text, fallback))


def sanitize_html(html_text: str) -> str:
    """Clean HTML written elsewhere (e.g. an imported post body) with the same allow-list as posts."""
    if not html_text or not html_text.strip():
        return ""
    return _cleaner("post").clean(html_text)


def render_comment(text: str) -> str:
    """Render a comment: inline Markdown only, on one line, no wrapping <p>."""
    line = re.sub(r"\s*\n\s*", " ", (text or "").replace("\r", "")).strip()
    if not line:
        return ""
    return _cleaner("comment").clean(_convert(_comment_markdown(), line, html.escape(line))).strip()


# --------------------------------------------------------------------------
# Plain text
# --------------------------------------------------------------------------

_BLOCK_TAGS = frozenset({
    "p", "br", "hr", "div", "pre", "blockquote", "li", "ul", "ol", "dl", "dt", "dd",
    "table", "thead", "tbody", "tr", "th", "td", "h1", "h2", "h3", "h4", "h5", "h6", "img",
})
# ASCII whitespace and &nbsp; only: an ideographic space (U+3000) is content.
_SPACES = re.compile(r"[ \t\n\r\f\v\xa0]+")
# Where an excerpt may end: after whitespace or Japanese/CJK punctuation.
_BREAK = re.compile(r"[ \t\n\u3000、。，．！？」』）]")
_TRAILING = " ,;:、，"


class _TextExtractor(HTMLParser):
    """Collects text; block boundaries become spaces so words don't fuse."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        self.handle_starttag(tag, ())

    def handle_data(self, data):
        self.parts.append(data)


def html_to_text(html_text: str) -> str:
    """Plain text of rendered HTML, for excerpts and the search index."""
    parser = _TextExtractor()
    parser.feed(html_text or "")
    parser.close()
    return _SPACES.sub(" ", "".join(parser.parts)).strip(" ")


def excerpt(html_text: str, length: int = 200) -> str:
    """At most ``length`` characters of text, ending in "…" when cut.

    Prefers a space or Japanese punctuation in the last quarter; text without
    either (typical Japanese) is cut at a character boundary.
    """
    text = html_to_text(html_text)
    if len(text) <= max(length, 0):
        return text
    cut = text[:max(length - 1, 0)]  # leave room for the ellipsis
    if not text[len(cut)].isspace():
        breaks = [m.end() for m in _BREAK.finditer(cut, len(cut) * 3 // 4)]
        if breaks:
            cut = cut[:breaks[-1]]
    return cut.rstrip(_TRAILING) + "…"


def pygments_css() -> str:
    """Light-theme CSS for code blocks, scoped to ``.highlight``.

    Only background and token rules: Pygments' line-number rules are global
    (``pre { ... }``) and we don't render line numbers.
    """
    formatter = HtmlFormatter(style="default")
    rules = formatter.get_background_style_defs(".highlight") + formatter.get_token_style_defs(".highlight")
    header = ("/* Generated by forum.markup.pygments_css() -- do not edit by hand. Regenerate with:\n"
              "   python -c \"from forum.markup import pygments_css; print(pygments_css(), end='')\""
              " > static/css/pygments.css */")
    return "\n".join([header, *rules]) + "\n"
