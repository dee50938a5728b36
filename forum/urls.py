"""Where questions, answers, FAQ entries, tags and members live: the one place that builds their links.

Plain functions of ids and titles with no request state, so views, services, e-mails, chat alerts and the search
pages all build the same links; `absolute()` puts the site's base (`SITE_URL`, or the request's) in front. The
paths match the routes in views/questions.py, views/answers.py and views/faq.py.
"""
from __future__ import annotations

from urllib.parse import quote

from .models.post import slugify


def _slug(title: str) -> str:
    # Percent-encoded as url_for encodes it (Japanese titles make non-ASCII slugs; a Location header must be ASCII).
    return quote(slugify(title or ""), safe="-_")


def question_path(question_id: int, title: str = "", anchor: str | None = None) -> str:
    """A thread's page (`/questions/<id>/<slug>`), optionally at an anchor such as `answer-12`."""
    path = f"/questions/{int(question_id)}/{_slug(title)}"
    return f"{path}#{anchor}" if anchor else path


def answer_path(answer) -> str:
    """An answer in its thread."""
    return question_path(answer.question_id, answer.question.title, anchor=f"answer-{answer.id}")


def post_path(post, question_anchor: str | None = None) -> str:
    """A question's page (at `question_anchor`, if given) or an answer in its thread."""
    if getattr(post, "question_id", None) is None:
        return question_path(post.id, post.title, anchor=question_anchor)
    return answer_path(post)


def permalink(post) -> str:
    """A short link that stays right while the thread changes, for notifications (`/answers/<id>` redirects to
    the answer's place). The slug is left as typed, not percent-encoded: stored links must fit their column (a
    Japanese slug triples in length when encoded), and browsers encode it themselves."""
    if getattr(post, "question_id", None) is None:
        return f"/questions/{int(post.id)}/{slugify(post.title or '')}"
    return f"/answers/{int(post.id)}"


def thread_path(post, anchor: str) -> str:
    """The thread page of a question or answer, at an anchor (`comments-12`)."""
    if getattr(post, "question_id", None) is None:
        return question_path(post.id, post.title, anchor=anchor)
    return question_path(post.question_id, post.question.title, anchor=anchor)


def faq_entry_path(entry_id: int, title: str = "", anchor: str | None = None) -> str:
    """An FAQ entry's public page, with the slug of its title (the page redirects other slugs to it, which
    would lose the anchor)."""
    path = f"/faq/{int(entry_id)}" + (f"/{_slug(title)}" if title else "")
    return f"{path}#{anchor}" if anchor else path


def tag_path(name: str) -> str:
    """The list of questions with one tag (`/questions/tagged/<name>`)."""
    return f"/questions/tagged/{quote(name, safe='+')}"  # as url_for quotes it


def user_path(user_id: int) -> str:
    """A member's profile."""
    return f"/users/{int(user_id)}"


def absolute(base: str, path: str) -> str:
    """`path` on the site at `base` (e.g. SITE_URL, or a request's host URL)."""
    return base.rstrip("/") + path
