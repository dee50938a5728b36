"""What an attacker or a careless client tries: missing CSRF tokens, injected HTML, huge inputs, other
people's posts, framing, cookies on anonymous pages, JSON errors and brute-forcing the login form."""
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Comment, Post, Question
from tests.factories import make_answer, make_comment, make_question, make_user
from tests.helpers import SAMPLE_ANSWER as ANSWER
from tests.helpers import SAMPLE_BODY as BODY
from tests.helpers import SAMPLE_TITLE as TITLE
from tests.helpers import ask, csrf_token, login, post_form, text
from tests.helpers import question_url as url

CSRF_MESSAGE = "Your form expired or came from another site."



# --- CSRF ---------------------------------------------------------------------------------------------------

def assert_csrf_error_page(response):
    assert response.status_code == 400
    page = text(response)
    assert CSRF_MESSAGE in page
    assert 'class="error-page"' in page and "Kotae" in page  # the site's own layout, not a bare Werkzeug page


def test_ask_without_csrf_token_is_refused(client, factories):
    login(client, make_user())
    assert_csrf_error_page(client.post("/questions/ask", data={"title": TITLE, "body": BODY, "tags": "sync"}))
    assert db.session.scalar(select(Question.id)) is None


def test_answer_without_csrf_token_is_refused(client, factories):
    question = make_question()
    login(client, make_user())
    assert_csrf_error_page(client.post(f"/questions/{question.id}/answer", data={"body": ANSWER}))
    assert db.session.scalar(select(Post.id).where(Post.question_id == question.id)) is None


def test_comment_without_csrf_token_is_refused(client, factories):
    question = make_question()
    login(client, make_user())
    response = client.post(f"/posts/{question.id}/comments", data={"body": "Which version of the app is it?"})
    assert_csrf_error_page(response)
    assert db.session.scalar(select(Comment.id)) is None


def test_delete_without_csrf_token_is_refused(client, factories):
    author = make_user()
    question = make_question(author=author)
    login(client, author)
    assert_csrf_error_page(client.post(f"/posts/{question.id}/delete"))
    db.session.expire_all()
    assert not db.session.get(Question, question.id).is_deleted


def test_forged_or_foreign_csrf_token_is_refused(client, factories):
    """A token from another visitor's session does not work in mine."""
    author = make_user()
    question = make_question(author=author)
    stranger = client.application.test_client()
    foreign_token = csrf_token(stranger)
    login(client, author)
    for token in ("forged", foreign_token):
        assert_csrf_error_page(client.post(f"/posts/{question.id}/delete", data={"csrf_token": token}))


# --- injected HTML stays inert ------------------------------------------------------------------------------

class ActiveContent(HTMLParser):
    """Collects what a browser would execute: script elements, on* handlers and javascript: URLs."""

    URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "srcdoc", "xlink:href"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        # Same-origin files, and JSON-LD: a script of a data type is never run (and its JSON escapes "<").
        if tag == "script" and not (attrs.get("src") or "").startswith("/static/") \
                and attrs.get("type") != "application/ld+json":
            self.found.append(f"<script {attrs}>")
        if tag in {"iframe", "object", "embed", "svg", "math", "base"}:
            self.found.append(f"<{tag}>")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.found.append(f"{tag} {name}={value!r}")
            if name in self.URL_ATTRIBUTES and value:
                scheme = re.sub(r"[\x00-\x20]+", "", value).lower()
                if scheme.startswith(("javascript:", "vbscript:", "data:")):
                    self.found.append(f"{tag} {name}={value!r}")

    handle_startendtag = handle_starttag


def active_content(page: str) -> list[str]:
    parser = ActiveContent()
    parser.feed(page)
    parser.close()
    return parser.found


def assert_inert(response):
    assert response.status_code == 200, response.status_code
    page = text(response)
    assert active_content(page) == []
    assert "<script>alert" not in page.lower()


XSS_TITLE = '<script>alert("t")</script> <img src=x onerror=alert(1)> title'
XSS_BODY = "\n\n".join([
    "Some text to reach the minimum length of a body.",
    "<script>alert('body')</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">raw link</a>',
    "[md link](javascript:alert(1)) [upper](JaVaScRiPt:alert(1)) [tab](java\tscript:alert(1))",
    "[entity](&#106;avascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=)",
    "![image](javascript:alert(1)) ![data image](data:image/svg+xml;base64,PHN2Zz4=)",
    '[title](https://example.com "x\\" onmouseover=\\"alert(1)")',
    "<svg onload=alert(1)></svg> <iframe src=https://evil.example></iframe>",
    "<javascript:alert(1)> <style>body{display:none}</style>",
    "```html\n<script>alert('code')</script>\n```",
])


def test_html_in_question_title_and_body_is_rendered_inert(client, factories):
    login(client, make_user())
    response = ask(client, title=XSS_TITLE, body=XSS_BODY, tags="sync")
    assert response.status_code == 302, text(response)[:300]
    page = client.get(response.headers["Location"])
    assert_inert(page)
    assert "&lt;script&gt;alert" in text(page)  # visible as text, not lost
    assert_inert(client.get("/questions"))
    assert_inert(client.get("/search?q=alert"))


def test_html_in_answer_is_rendered_inert(client, factories):
    question = make_question()
    login(client, make_user())
    assert post_form(client, f"/questions/{question.id}/answer", {"body": XSS_BODY}).status_code == 302
    assert_inert(client.get(url(question)))


def test_html_in_comment_is_rendered_inert(client, factories):
    question = make_question()
    login(client, make_user())
    for body in ("<script>alert('c')</script> <img src=x onerror=alert(1)>",
                 "[click me](javascript:alert(1)) and <a href='javascript:alert(1)'>this</a>"):
        assert post_form(client, f"/posts/{question.id}/comments", {"body": body}).status_code == 302
    assert_inert(client.get(url(question)))


def test_html_in_profile_is_rendered_inert(client, factories):
    member = make_user()
    login(client, member)
    response = post_form(client, "/users/settings", {"about": XSS_BODY, "locale": ""}, page="/users/settings")
    assert response.status_code == 302
    assert_inert(client.get(f"/users/{member.id}"))
    assert_inert(client.get("/users/settings"))


def test_html_in_edits_is_inert_in_the_revision_history(client, factories):
    author = make_user()
    question = make_question(author=author, title=TITLE, body=BODY)
    login(client, author)
    response = post_form(client, f"/questions/{question.id}/edit",
                         {"title": XSS_TITLE, "body": XSS_BODY, "tags": "sync", "summary": "<script>x</script>"})
    assert response.status_code == 302
    assert_inert(client.get(f"/posts/{question.id}/revisions"))


def test_reflected_input_is_escaped(client, factories):
    payload = '"><script>alert(1)</script>'
    for path in ("/search", "/tags", "/users"):
        key = "q" if path == "/search" else "filter"
        assert_inert(client.get(path, query_string={key: payload}))
    login_page = post_form(client, "/login", {"login": payload, "password": "x"})
    assert login_page.status_code == 400
    assert active_content(text(login_page)) == []


def test_markdown_preview_is_sanitised(client, db):
    response = post_form(client, "/posts/preview", {"body": XSS_BODY})
    assert response.status_code == 200
    assert active_content(response.get_json()["html"]) == []


# --- hostile input does not crash the site ------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    "[" * 20000,
    "](" * 10000,
    "*" * 20000,
    "_" * 10000 + "x",
    "<" * 10000,
    "![](" * 5000,
    "```python\nunclosed fence " * 500,
    "\n".join("  " * depth + "- item" for depth in range(300)),
    ">" * 2000 + " deeply quoted",
    "| a | b |\n|---|\n" + "| x |\n" * 500,
    "\x00\x01\x02 control characters and a null byte in a body",
    "[a]: <javascript:alert(1)>\n\n[a]" + " padding" * 10,
], ids=["brackets", "link-openers", "stars", "underscores", "angles", "images", "unclosed-fences",
        "nested-list", "nested-quotes", "broken-table", "control-chars", "reference-link"])
def test_malformed_markdown_does_not_500(client, factories, body):
    question = make_question()
    login(client, make_user())
    response = post_form(client, f"/questions/{question.id}/answer", {"body": body})
    assert response.status_code in (302, 400), response.status_code
    page = client.get(url(question))
    assert page.status_code == 200
    assert active_content(text(page)) == []


@pytest.mark.parametrize("field, size", [("title", 10_000), ("body", 100_000), ("tags", 10_000)])
def test_over_long_question_fields_are_400_not_500(client, factories, field, size):
    login(client, make_user())
    data = {"title": TITLE, "body": BODY, "tags": "sync", field: "x" * size}
    response = post_form(client, "/questions/ask", data)
    assert response.status_code == 400
    assert 'class="error"' in text(response)
    assert db.session.scalar(select(Question.id)) is None


def test_over_long_answer_and_comment_are_400_not_500(client, factories):
    question = make_question()
    login(client, make_user())
    assert post_form(client, f"/questions/{question.id}/answer", {"body": "x" * 100_000}).status_code == 400
    assert post_form(client, f"/posts/{question.id}/comments", {"body": "x" * 5_000}).status_code == 400
    assert db.session.scalar(select(Comment.id)) is None


def test_over_long_login_and_search_inputs_do_not_500(client, db):
    assert post_form(client, "/login", {"login": "x" * 10_000, "password": "y" * 10_000}).status_code == 400
    assert client.get("/search", query_string={"q": "x " * 5_000}).status_code == 200
    assert client.get("/tags", query_string={"filter": "%" * 5_000}).status_code == 200


# --- other people's posts -----------------------------------------------------------------------------------

def test_acting_on_another_users_posts_is_403(client, factories):
    author = make_user()
    question = make_question(author=author)
    answer = make_answer(question, author=author)
    comment = make_comment(question, author=author)
    login(client, make_user())
    attempts = {
        f"/questions/{question.id}/edit": {"title": TITLE + " hijacked", "body": BODY, "tags": "sync"},
        f"/answers/{answer.id}/edit": {"body": ANSWER + " hijacked"},
        f"/posts/{answer.id}/delete": {},
        f"/posts/{question.id}/delete": {},
        f"/comments/{comment.id}/delete": {},
    }
    for path, data in attempts.items():
        assert post_form(client, path, data).status_code == 403, path
    db.session.expire_all()
    assert not db.session.get(Post, answer.id).is_deleted
    assert db.session.get(Comment, comment.id).deleted_at is None
    assert "hijacked" not in db.session.get(Post, question.id).title


def test_undeleting_another_users_post_is_403(client, factories):
    author = make_user()
    question = make_question()
    answer = make_answer(question, author=author)
    author_client = client.application.test_client()
    login(author_client, author)
    assert post_form(author_client, f"/posts/{answer.id}/delete").status_code == 302
    login(client, make_user())
    assert post_form(client, f"/posts/{answer.id}/undelete").status_code == 403


# --- headers and cookies ------------------------------------------------------------------------------------

def csp_directives(response) -> dict[str, list[str]]:
    policy = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in filter(None, (p.strip() for p in policy.split(";"))):
        name, *values = part.split()
        directives[name.lower()] = values
    return directives


def test_security_headers_are_set_on_pages_and_errors(client, factories):
    question = make_question()
    for path in ("/questions", url(question), "/login", "/questions/424242"):
        response = client.get(path)
        assert response.headers.get("X-Content-Type-Options") == "nosniff", path
        assert response.headers.get("X-Frame-Options") in ("DENY", "SAMEORIGIN"), path
        directives = csp_directives(response)
        scripts = directives.get("script-src", directives.get("default-src"))
        assert scripts, path
        assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, path
        assert "*" not in scripts and "data:" not in scripts, path
        assert directives.get("object-src") == ["'none'"], path
        assert directives.get("frame-ancestors") in (["'none'"], ["'self'"]), path


def test_pages_need_no_inline_scripts_or_styles_blocked_by_the_csp(client, factories):
    """The CSP allows only same-origin files, so inline code would silently not run."""
    question = make_question(body="A table:\n\n| a | b |\n|:-:|--:|\n| 1 | 2 |\n\n```python\nprint('hi')\n```")
    make_answer(question)
    login(client, make_user())
    for path in ("/questions", url(question), "/questions/ask", "/users/settings"):
        page = text(client.get(path))
        assert not re.search(r'<script(?![^>]*\b(?:src=|type="application/ld\+json"))[^>]*>', page), path
        assert "<style" not in page and " style=" not in page, path


def session_cookies(response) -> list[str]:
    return [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]


def test_anonymous_question_list_sets_no_session_cookie(client, factories):
    make_question()
    for path in ("/questions", "/questions?tab=votes", "/tags", "/users", "/search?q=sync"):
        assert session_cookies(client.get(path)) == [], path


def test_anonymous_question_page_sets_no_session_cookie(client, factories):
    question = make_question()
    make_answer(question)
    response = client.get(url(question))
    assert response.status_code == 200
    assert session_cookies(response) == []


def test_session_cookie_is_httponly_and_samesite(client, factories):
    user = make_user()
    response = login(client, user)
    cookie = session_cookies(response)[0]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


# --- JSON errors --------------------------------------------------------------------------------------------

JSON = {"Accept": "application/json"}


def test_errors_come_back_as_json_when_asked(client, db):
    for method, path, status in [
        ("get", "/questions/424242", 404),
        ("get", "/no/such/page", 404),
        ("get", "/logout", 405),
        ("post", "/questions/ask", 400),  # no CSRF token
    ]:
        response = getattr(client, method)(path, headers=JSON)
        assert response.status_code == status, path
        assert response.mimetype == "application/json", path
        payload = response.get_json()
        assert payload["status"] == status, path
        assert payload["error"] and payload["message"], path


def test_forbidden_comes_back_as_json_when_asked(client, factories):
    question = make_question()
    login(client, make_user())
    response = client.get(f"/questions/{question.id}/edit", headers=JSON)
    assert response.status_code == 403
    assert response.get_json()["status"] == 403


def test_browsers_get_html_error_pages(client, db):
    response = client.get("/questions/424242", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Page not found" in text(response)


# --- rate limiting ------------------------------------------------------------------------------------------
