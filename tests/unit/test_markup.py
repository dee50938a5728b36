"""Behaviour of post/comment rendering that readers and attackers would notice."""

import re
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from forum.markup import excerpt, html_to_text, pygments_css, render_comment, render_markdown, sanitize_html

REL = "nofollow ugc noopener"


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def elements(html):
    """(tag, attrs) for every element, attribute values entity-decoded as a browser would."""
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.elements


def links(html):
    return [attrs for tag, attrs in elements(html) if tag == "a"]


def scheme_of(url):
    return re.sub(r"[\x00-\x20\x7f-\xa0]+", "", url or "").lower().split(":", 1)[0]


def assert_no_handlers_or_styles(html):
    for tag, attrs in elements(html):
        assert tag not in {"script", "style", "iframe", "object", "embed", "svg"}, html
        for name in attrs:
            assert not name.startswith("on") and name != "style", html


# -- Posts: formatting --------------------------------------------------------

def test_fenced_code_with_language_is_syntax_highlighted():
    html = render_markdown("```python\ndef greet(name):\n    return name\n```")
    assert '<div class="highlight"><pre>' in html
    assert '<span class="k">def</span>' in html
    assert '<span class="nf">greet</span>' in html


def test_html_inside_code_block_is_shown_not_run():
    html = render_markdown("```html\n<script>alert(1)</script>\n```")
    assert_no_handlers_or_styles(html)
    assert "<script>alert(1)</script>" in html_to_text(html)


def test_table_renders_with_align_attributes_not_inline_styles():
    html = render_markdown("| Name | Score |\n|:-----|------:|\n| Aki | 10 |")
    tags = [tag for tag, _ in elements(html)]
    assert tags[:2] == ["table", "thead"] and "td" in tags
    assert ("td", {"align": "right"}) in elements(html)
    assert_no_handlers_or_styles(html)


def test_inline_code_shows_angle_brackets_literally():
    assert render_markdown("Use `a < b && c`") == "<p>Use <code>a &lt; b &amp;&amp; c</code></p>"


def test_lists_quotes_and_headings_render():
    html = render_markdown("# Title\n\n> quoted\n\n1. one\n2. two\n\n- x\n- y")
    assert [t for t, _ in elements(html)] == ["h1", "blockquote", "p", "ol", "li", "li", "ul", "li", "li"]


# -- Posts: links -------------------------------------------------------------

def test_bare_url_is_linked_with_nofollow_rel():
    html = render_markdown("See https://example.com/docs?page=2. Thanks")
    assert links(html) == [{"href": "https://example.com/docs?page=2", "rel": REL}]
    assert html.endswith("</a>. Thanks</p>")  # the full stop is not part of the URL


def test_markdown_and_angle_bracket_links_get_rel_too():
    html = render_markdown('[docs](https://example.com "Docs") and <https://example.org>')
    assert links(html) == [
        {"href": "https://example.com", "title": "Docs", "rel": REL},
        {"href": "https://example.org", "rel": REL},
    ]


def test_file_names_are_not_turned_into_links():
    # .py and .md are real TLDs; a programming forum must not link them.
    assert links(render_markdown("Edit setup.py and README.md")) == []


def test_url_inside_code_is_not_linked():
    assert links(render_markdown("`https://example.com`\n\n```\nhttps://example.com\n```")) == []


def test_url_followed_by_japanese_links_only_the_url():
    html = render_markdown("詳しくはhttps://example.com/guideを参照してください。")
    assert links(html) == [{"href": "https://example.com/guide", "rel": REL}]
    assert html_to_text(html) == "詳しくはhttps://example.com/guideを参照してください。"


# -- Posts: sanitising --------------------------------------------------------

def test_typed_script_tag_is_visible_inert_text():
    html = render_markdown("Why does <script>alert(1)</script> not run?")
    assert_no_handlers_or_styles(html)
    assert html_to_text(html) == "Why does <script>alert(1)</script> not run?"


@pytest.mark.parametrize("source", [
    "<img src=x onerror=alert(1)>",
    '<a href="https://example.com" onclick="alert(1)">x</a>',
    '<p style="position:fixed;top:0">overlay</p>',
    '<svg onload=alert(1)>',
    "<!-- <script>alert(1)</script> -->",
])
def test_raw_html_never_yields_handlers_styles_or_scripts(source):
    assert_no_handlers_or_styles(render_markdown(source))


@pytest.mark.parametrize("target", [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "jav&#x09;ascript:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;avascript:alert(1)",
    "javascript&#58;alert(1)",
    "javascript&colon;alert(1)",
    " javascript:alert(1)",
    "<javascript:alert(1)>",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
])
def test_dangerous_link_targets_are_removed_but_text_kept(target):
    html = render_markdown(f"[click me]({target})")
    assert all(scheme_of(a.get("href")) not in {"javascript", "vbscript", "data"} for a in links(html))
    assert "click me" in html_to_text(html)


def test_dangerous_reference_link_is_removed():
    html = render_markdown("[click][1]\n\n[1]: javascript:alert(1)")
    assert all(scheme_of(a.get("href")) != "javascript" for a in links(html))


def test_only_https_images_are_shown_others_become_alt_text():
    html = render_markdown("![ok](https://example.com/a.png) ![bad](data:image/png;base64,AAAA) "
                           "![js](javascript:alert(1)) ![local](/etc/passwd)")
    assert [attrs["src"] for tag, attrs in elements(html) if tag == "img"] == ["https://example.com/a.png"]
    assert html_to_text(html) == "bad js local"


def test_mailto_links_are_allowed():
    assert links(render_markdown("[mail](mailto:help@example.com)")) == [
        {"href": "mailto:help@example.com", "rel": REL}]


def test_class_injection_loses_unsafe_classes():
    html = render_markdown('<span class="btn btn-danger">x</span>\n\n'
                           "``` {.python .btn .btn-danger}\nx = 1\n```")
    classes = " ".join(attrs.get("class", "") for _, attrs in elements(html)).split()
    assert not {"btn", "btn-danger"} & set(classes)
    assert "x = 1" in html_to_text(html)


# -- Posts: robustness --------------------------------------------------------

@pytest.mark.parametrize("source", [
    "```python\nunclosed fence",
    "[[[unbalanced](( ]] ** _ `",
    ">" * 10000 + " deep",
    "> " * 10000 + "deep",
    "\n".join("    " * i + "- x" for i in range(120)),  # ~30,000 chars of nesting
    "1. " * 10000 + "deep",
    '``` {.python style="x"}\ncode\n```',  # crashes codehilite itself
    "\x00\x01\ufeff text",
])
def test_malformed_markdown_does_not_raise(source):
    assert isinstance(render_markdown(source), str)


def test_nesting_too_deep_for_markdown_still_shows_the_text():
    html = render_markdown("1. " * 10000 + "deepest")
    assert "deepest" in html_to_text(html)
    assert_no_handlers_or_styles(html)


@pytest.mark.parametrize("unit", ["[", "![", "[a][", "[a](", ")[a](", "(", "```\n", "<", "&", "**a"])
def test_long_hostile_input_renders_in_reasonable_time(unit):
    source = (unit * 30000)[:30000]  # the post body limit
    start = time.process_time()  # this process's CPU only: a busy machine (xdist, CI) must not fail it
    render_markdown(source)
    # A guard against catastrophic scanning (unbounded link scanning took over a minute), not a speed test:
    # the normal cost is well under a second.
    assert time.process_time() - start < 20


def test_japanese_text_survives_unchanged():
    text = "日本語のテキスト、全角スペース　と絵文字🎉も「そのまま」です。"
    assert render_markdown(text) == f"<p>{text}</p>"
    assert render_markdown(f"**{text}**") == f"<p><strong>{text}</strong></p>"


def test_empty_input_renders_nothing():
    assert render_markdown("") == render_markdown("  \n ") == ""


# -- Comments -----------------------------------------------------------------

def test_comment_inline_formatting_and_links():
    html = render_comment("**bold** *it* `x < y` [docs](https://example.com) https://example.org/a")
    assert html == (
        "<strong>bold</strong> <em>it</em> <code>x &lt; y</code> "
        f'<a href="https://example.com" rel="{REL}">docs</a> '
        f'<a href="https://example.org/a" rel="{REL}">https://example.org/a</a>'
    )


@pytest.mark.parametrize("source", [
    "# not a heading", "- not a list", "1. not a list", "> not a quote", "---",
    "```\nnot a block\n```", "    not code", "![no image](https://example.com/a.png)",
    "first line\n\nsecond paragraph", "<div>raw</div>",
])
def test_comment_block_syntax_produces_no_block_elements(source):
    html = render_comment(source)
    assert {tag for tag, _ in elements(html)} <= {"a", "em", "strong", "code"}
    assert "\n" not in html


def test_comment_keeps_block_markers_as_text_and_joins_lines():
    assert render_comment("# title\n- item") == "# title - item"


def test_comment_is_sanitised_like_posts():
    html = render_comment("<img src=x onerror=alert(1)> [x](JaVaScRiPt:alert(1)) <script>alert(1)</script>")
    assert_no_handlers_or_styles(html)
    assert links(html) == []
    assert "<script>alert(1)</script>" in html_to_text(html)


def test_comment_japanese_survives():
    assert render_comment("ありがとうございます！とても助かりました。") == "ありがとうございます！とても助かりました。"


# -- Plain text and excerpts --------------------------------------------------

def test_html_to_text_separates_blocks_and_unescapes_entities():
    html = render_markdown("# Title\n\nTom &amp; Jerry's **best** `a<b`\n\n- one\n- two")
    assert html_to_text(html) == "Title Tom & Jerry's best a<b one two"


def test_excerpt_leaves_short_text_alone():
    assert excerpt(render_markdown("Short question?")) == "Short question?"


def test_excerpt_cuts_english_at_a_word_boundary():
    html = render_markdown("The quick brown fox jumps over the lazy dog. " * 10)
    text = excerpt(html, 40)
    assert text == "The quick brown fox jumps over the lazy…"
    assert len(text) <= 40


def test_excerpt_cuts_japanese_without_spaces():
    html = render_markdown("あいうえお" * 100)
    text = excerpt(html, 30)
    assert text == ("あいうえお" * 6)[:29] + "…"


def test_excerpt_prefers_japanese_sentence_end():
    html = render_markdown("吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。" * 5)
    assert excerpt(html, 20) == "吾輩は猫である。名前はまだ無い。…"


# -- Stylesheet ---------------------------------------------------------------

def test_pygments_css_is_scoped_to_highlight():
    rules = [line for line in pygments_css().splitlines() if "{" in line]
    assert rules and all(line.startswith(".highlight") for line in rules)
    assert ".highlight .k {" in pygments_css()


def test_static_pygments_css_is_up_to_date():
    path = Path(__file__).resolve().parents[2] / "static" / "css" / "pygments.css"
    assert path.read_text(encoding="utf-8") == pygments_css()


UPLOADED = "/uploads/" + "0123456789abcdef" * 4 + ".png"


def test_images_from_our_uploads_or_https_only_each_with_an_alt():
    html = render_markdown(f"![screenshot]({UPLOADED}) ![remote](https://example.com/b.jpg) "
                           "![plain](http://example.com/c.png) ![other](/uploads/../admin.png) "
                           f"![js](javascript:alert(1)) ![svg]({UPLOADED[:-4]}.svg)")
    images = [attrs for tag, attrs in elements(html) if tag == "img"]
    assert [(i["src"], i["alt"]) for i in images] == [(UPLOADED, "screenshot"), ("https://example.com/b.jpg", "remote")]
    assert "plain" in html_to_text(html) and "javascript" not in html


def test_an_image_without_alt_gets_an_empty_one():
    html = sanitize_html(f'<img src="{UPLOADED}">')
    assert elements(html) == [("img", {"src": UPLOADED, "alt": ""})]


def test_uploaded_image_src_cannot_smuggle_a_script():
    html = render_markdown(f'<img src="{UPLOADED}" onerror="alert(1)">\n\n![x]({UPLOADED}"onerror="alert(1))')
    assert "onerror" not in " ".join(str(attrs) for _, attrs in elements(html))
