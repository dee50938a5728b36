"""What the question page shows for each post, worked out once in Python.

A thread page prints dozens of links, permission checks and times per post; doing that work here with plain
string building keeps the template to simple lookups (a Jinja call costs several times a Python one), which is
what lets a 30-answer page render in a few milliseconds.
"""
import re
from dataclasses import dataclass, field, replace
from typing import Callable

from flask import render_template, url_for
from flask_babel import get_locale, get_timezone
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from . import page_cache, permissions
from .extensions import db
from .models import Answer, Comment, Post, Question, User
from .services.moderation import closing, suggested_edits
from .services.reputation import privileges
from .services.community import submissions
from .services.community import threads
from .services.community.threads import Thread
from .services.seo import structured_data
from .templating import Stamp, StampMaker, current_path

_ID = 987654321  # a placeholder id: build a URL once per endpoint, then substitute each post's id


class _UrlPattern:
    def __init__(self, endpoint: str, **values):
        key = next(name for name, value in values.items() if value is None)
        values[key] = _ID
        self.pattern = url_for(endpoint, **values)

    def __call__(self, item_id: int) -> str:
        return self.pattern.replace(str(_ID), str(item_id), 1)


@dataclass
class Viewer:
    id: int | None
    is_staff: bool
    can_edit_others: bool
    can_comment_everywhere: bool
    csrf_token: str
    may_close: bool = False
    # A fresh one-time token for each posting form on the page (comments); a slot in a kept fragment.
    submission_token: Callable[[], str] = submissions.new_token


@dataclass
class CommentView:
    comment: Comment
    delete_url: str | None
    created: Stamp


@dataclass
class PostView:
    post: Post
    anchor: str
    my_vote: int
    is_accepted: bool
    own: bool
    edit_url: str | None
    history_url: str | None
    delete_url: str | None
    undelete_url: str | None
    vote_url: str | None
    accept_url: str | None
    comment_url: str | None
    comment_needs_reputation: bool
    created: Stamp
    edited: Stamp | None
    comments: list[CommentView] = field(default_factory=list)
    flag_url: str | None = None
    redact_url: str | None = None  # staff: remove a passage from the post and its revisions
    # Closing, locking and suggested edits (forum/services/moderation/closing.py): thread controls and the
    # question's banner.
    locked: bool = False
    close_url: str | None = None  # the close (or reopen) page, on the question only
    close_label: str = ""  # "close" or "reopen"
    lock_url: str | None = None
    unlock_url: str | None = None
    suggest_edit_url: str | None = None
    official_url: str | None = None  # staff: mark or unmark this answer as official (FAQ)


def viewer_for(user, thresholds: dict) -> Viewer:
    if not getattr(user, "is_authenticated", False):
        return Viewer(None, False, False, False, "")
    return Viewer(
        id=user.id, is_staff=user.is_staff,
        can_edit_others=user.is_staff or user.reputation >= thresholds["edit"],
        can_comment_everywhere=user.is_staff or user.reputation >= thresholds["comment"],
        csrf_token=generate_csrf(),
        may_close=privileges.has_privilege(user, "close", thresholds),
    )


# What is the reader's own in a kept fragment: filled in on every request.
CSRF_SLOT = "kotae-slot-csrf-9d41"
SUBMISSION_SLOT = "kotae-slot-submission-9d41"
_SUBMISSION_SLOTS = re.compile(re.escape(SUBMISSION_SLOT))


@dataclass
class ThreadBanners:
    """What the closed and duplicate banners above the posts say."""
    closed_as: str = ""  # the translated close reason
    closed_by: User | None = None
    duplicate_of: Question | None = None


@dataclass
class ThreadPosts:
    viewer: Viewer
    banners: ThreadBanners
    html: Markup  # every post with its votes, links and comments, and the answers' heading
    structured_data: dict | None  # the thread's schema.org QAPage


def thread_posts(question: Question, user, thresholds: dict, generations: tuple[str, ...] = (),
                 base: str = "") -> ThreadPosts:
    """The posts of a thread page as HTML, and its QAPage data (`base`: the site's absolute address).

    With the thread's page-cache `generations` (read before the question was), both are kept and shared by every
    reader who would get the same bytes: same language and time zone, same rights and votes, no post or comment
    of their own in the thread (those make a key of their own). A kept copy costs one small query (the reader's
    votes and posts in the thread) and a cache read instead of loading and rendering thirty answers; the
    reader's CSRF and one-time tokens are filled into its slots on every request."""
    user = user._get_current_object() if hasattr(user, "_get_current_object") else user
    viewer = viewer_for(user, thresholds)
    login_url = url_for("auth.login", next=current_path())
    share_url = url_for("questions.detail", question_id=question.id, slug=question.slug)

    def render() -> dict:
        thread = threads.load_thread(question, user)
        slotted = replace(viewer, csrf_token=CSRF_SLOT, submission_token=lambda: SUBMISSION_SLOT)
        views = _present_all(thread, user, slotted, thresholds, _url_patterns())
        html = render_template("questions/_posts.html", thread=thread, question=question, posts=views,
                               viewer=slotted, login_url=login_url, share_url=share_url)
        return {"html": html, "structured_data": structured_data.qa_page(question, thread.answers, base)}

    if generations:
        outline = threads.thread_outline(question, user)
        parts = ("thread-posts", 2, question.id, str(get_locale() or ""), str(get_timezone()), base,
                 viewer.id is not None, viewer.id if outline.involved else None, viewer.is_staff,
                 viewer.can_edit_others, viewer.can_comment_everywhere, viewer.may_close,
                 tuple(sorted(outline.my_votes.items())), tuple(sorted(thresholds.items())), login_url, share_url)
        kept = page_cache.fragment(parts, generations, render)
    else:
        kept = render()
    html = kept["html"].replace(CSRF_SLOT, viewer.csrf_token)
    html = _SUBMISSION_SLOTS.sub(lambda _match: viewer.submission_token(), html)
    return ThreadPosts(viewer=viewer, banners=_banners(question), html=Markup(html),
                       structured_data=kept["structured_data"])


def _banners(question: Question) -> ThreadBanners:
    if not question.is_closed:
        return ThreadBanners()
    duplicate_of = closing.duplicate_original(question)
    return ThreadBanners(closed_as=closing.reason_label(question.close_reason), duplicate_of=duplicate_of,
                         closed_by=None if duplicate_of else db.session.get(User, question.closed_by_id))


def _url_patterns() -> dict[str, _UrlPattern]:
    return {
        "edit_question": _UrlPattern("questions.edit", question_id=None),
        "edit_answer": _UrlPattern("answers.edit", answer_id=None),
        "history": _UrlPattern("posts.history", post_id=None),
        "delete": _UrlPattern("posts.delete", post_id=None),
        "undelete": _UrlPattern("posts.undelete", post_id=None),
        "vote": _UrlPattern("votes.vote", post_id=None),
        "accept": _UrlPattern("votes.accept", answer_id=None),
        "comment": _UrlPattern("comments.create", post_id=None),
        "delete_comment": _UrlPattern("comments.delete", comment_id=None),
        "flag": _UrlPattern("moderation.flag", post_id=None),
        "redact": _UrlPattern("moderation.redact", post_id=None),
        "official": _UrlPattern("faq.official_toggle", answer_id=None),
    }


def _present_all(thread: Thread, user, viewer: Viewer, thresholds: dict, urls: dict) -> list[PostView]:
    """The question first, then the answers in the thread's order."""
    question = thread.question
    stamp = StampMaker()
    views = [_present(post, question, thread, user, viewer, thresholds, urls, stamp)
             for post in [question, *thread.answers]]
    _closing_controls(views, question, user, viewer, thresholds)
    return views


def _closing_controls(views: list[PostView], question: Question, user, viewer: Viewer, thresholds: dict) -> None:
    """Close/reopen, lock/unlock and suggest-edit links; a locked thread offers no votes, accepts or comments."""
    suggest = _UrlPattern("closing.suggest_edit", post_id=None)
    for pv in views:
        if question.is_locked:
            pv.locked, pv.vote_url, pv.accept_url, pv.comment_url = True, None, None, None
            pv.comment_needs_reputation = False
        pv.suggest_edit_url = suggest(pv.post.id) if suggested_edits.can_suggest(user, pv.post, thresholds) else None
    head = views[0]
    may_vote = viewer.id is not None and not question.is_locked and viewer.may_close
    if (viewer.is_staff or may_vote) and not question.is_deleted:
        head.close_url = url_for("closing.close", question_id=question.id)
        head.close_label = "reopen" if question.is_closed else "close"
    if viewer.is_staff:
        endpoint = "closing.unlock" if question.is_locked else "closing.lock"
        setattr(head, "unlock_url" if question.is_locked else "lock_url", url_for(endpoint, question_id=question.id))


def _present(post: Post, question: Question, thread: Thread, user, viewer: Viewer, thresholds: dict,
             urls: dict, stamp: StampMaker) -> PostView:
    signed_in = viewer.id is not None
    own = signed_in and post.author_id == viewer.id
    is_answer = isinstance(post, Answer)
    can_comment = signed_in and not post.is_deleted
    own_thread = own or (signed_in and question.author_id == viewer.id)
    can_delete = permissions.can_delete(user, post)
    return PostView(
        post=post,
        anchor=f"answer-{post.id}" if is_answer else "question",
        my_vote=thread.my_votes.get(post.id, 0),
        is_accepted=is_answer and question.accepted_answer_id == post.id,
        own=own,
        edit_url=(urls["edit_answer" if is_answer else "edit_question"](post.id)
                  if permissions.can_edit(user, post, thresholds) else None),
        history_url=urls["history"](post.id) if post.edited_at else None,
        delete_url=urls["delete"](post.id) if can_delete else None,
        undelete_url=urls["undelete"](post.id) if not can_delete and permissions.can_undelete(user, post) else None,
        vote_url=urls["vote"](post.id) if signed_in and not post.is_deleted else None,
        accept_url=(urls["accept"](post.id)
                    if is_answer and signed_in and question.author_id == viewer.id and not post.is_deleted else None),
        comment_url=urls["comment"](post.id) if can_comment and (own_thread or viewer.can_comment_everywhere) else None,
        comment_needs_reputation=can_comment and not own_thread and not viewer.can_comment_everywhere,
        created=stamp(post.created_at),
        edited=stamp(post.edited_at),
        flag_url=urls["flag"](post.id) if signed_in and not own and not post.is_deleted else None,
        redact_url=urls["redact"](post.id) if viewer.is_staff else None,
        official_url=urls["official"](post.id) if viewer.is_staff and is_answer and not post.is_deleted else None,
        comments=[
            CommentView(comment, urls["delete_comment"](comment.id)
                        if signed_in and (comment.author_id == viewer.id or viewer.is_staff) else None,
                        stamp(comment.created_at))
            for comment in thread.comments_for(post)
        ],
    )
