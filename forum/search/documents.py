"""Index documents built from the database: one per visible question, with its answers and comments.

Deleted posts and posts hidden by flags (`hidden_at`) are left out: search shows what every reader may see.

Rows are read with column selects (no ORM objects, no identity map), five statements per batch of threads,
so a full reindex streams through 100,000 threads without loading them as models.
"""
from __future__ import annotations

import hashlib
from datetime import timezone
from collections import defaultdict
from typing import Iterable, Iterator

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from ..markup import html_to_text
from .analysis import ANSWER, CHOSEN_ANSWER, COMMENT, QUESTION, TITLE, TITLE_MARK
from ..models import Comment, Post, PostType, Tag, User, question_tags

BATCH = 400


def _question_columns():
    return [Post.id, Post.title, Post.body_html, Post.author_id, User.username, Post.score, Post.answer_count,
            Post.accepted_answer_id, Post.created_at, Post.last_activity_at, Post.deleted_at, Post.hidden_at,
            Post.closed_at, Post.language]


def _visible():
    return Post.deleted_at.is_(None), Post.hidden_at.is_(None)


def build_documents(session, question_ids: Iterable[int]) -> dict[int, dict | None]:
    """{question id: document, or None when the question is gone or deleted (remove it from the index)}."""
    ids = sorted(set(question_ids))
    documents: dict[int, dict | None] = {qid: None for qid in ids}
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        documents.update({doc_id: doc for doc_id, doc in _batch(session, chunk)})
    return documents


def iter_all_documents(session, batch: int = BATCH, with_text: bool = True) -> Iterator[list[dict]]:
    """Every visible question's document, a batch at a time, in id order."""
    last = 0
    while True:
        chunk = session.scalars(
            select(Post.id).where(Post.post_type == PostType.QUESTION, *_visible(), Post.id > last)
            .order_by(Post.id).limit(batch)
        ).all()
        if not chunk:
            return
        last = chunk[-1]
        yield [doc for _, doc in _batch(session, chunk, with_text) if doc is not None]


def count_questions(session) -> int:
    return session.scalar(select(func.count(Post.id)).where(Post.post_type == PostType.QUESTION, *_visible()))


def _batch(session, ids: list[int], with_text: bool = True) -> Iterator[tuple[int, dict | None]]:
    questions = session.execute(
        select(*_question_columns()).join(User, User.id == Post.author_id)
        .where(Post.id.in_(ids), Post.post_type == PostType.QUESTION)
    ).all()
    answers = defaultdict(list)
    answer_rows = session.execute(
        select(Post.id, Post.question_id, Post.author_id, Post.body_html, Post.official_at)
        .where(Post.question_id.in_(ids), Post.post_type == PostType.ANSWER, *_visible())
        .order_by(Post.id)
    ).all()
    thread_of = {}
    for row in answer_rows:
        answers[row.question_id].append(row)
        thread_of[row.id] = row.question_id
    comments = defaultdict(list)
    parent = aliased(Post)
    for post_id, body_html in session.execute(
        select(Comment.post_id, Comment.body_html).join(parent, parent.id == Comment.post_id)
        .where(or_(parent.id.in_(ids), parent.question_id.in_(ids)), Comment.deleted_at.is_(None),
               Comment.held_at.is_(None), parent.deleted_at.is_(None), parent.hidden_at.is_(None))
        .order_by(Comment.id)
    ):
        comments[thread_of.get(post_id, post_id)].append(body_html)
    tags = defaultdict(list)
    for question_id, name in session.execute(
        select(question_tags.c.question_id, Tag.name).join(Tag, Tag.id == question_tags.c.tag_id)
        .where(question_tags.c.question_id.in_(ids)).order_by(Tag.name)
    ):
        tags[question_id].append(name)
    for row in questions:
        if row.deleted_at is not None or row.hidden_at is not None:
            yield row.id, None
            continue
        yield row.id, make_document(row, answers[row.id], comments[row.id], tags[row.id], with_text)


def make_document(question, answers: list, comments: list[str], tags: list[str], with_text: bool = True) -> dict:
    """The index document for one thread (text from the stored HTML, as readers see it).

    Without `with_text` only the fields and the fingerprint are filled in: enough for `search check`.
    """
    accepted = [a for a in answers if a.id == question.accepted_answer_id]
    others = [a for a in answers if a.id != question.accepted_answer_id]
    doc = {
        "id": str(question.id),
        "title": question.title or "",
        "tags": " ".join(tags),
        "author_id": str(question.author_id),
        "answerer_ids": " ".join(sorted({str(a.author_id) for a in answers})),
        "author": (question.username or "").lower(),
        "score": int(question.score or 0),
        "answer_count": int(question.answer_count or 0),
        "has_accepted": bool(accepted),
        "has_official": any(a.official_at is not None for a in answers),
        "closed": question.closed_at is not None,
        "lang": question.language or "en",
        "created": _epoch(question.created_at),
        "activity": _epoch(question.last_activity_at or question.created_at),
    }
    sources = [question.body_html] + [f"{a.id}:{a.body_html}" for a in accepted + others] + list(comments)
    doc["fingerprint"] = fingerprint(doc, sources)
    if with_text:
        body = html_to_text(question.body_html)
        doc["question"] = f"{question.title or ''} {TITLE_MARK} {body}"
        accepted_text = html_to_text(accepted[0].body_html) if accepted else ""
        official = [html_to_text(a.body_html) for a in others if a.official_at is not None]
        plain = [html_to_text(a.body_html) for a in others if a.official_at is None]
        remarks = [html_to_text(c) for c in comments]
        doc["answers"] = "\n".join([accepted_text] * bool(accepted) + official + plain + remarks)
        doc["accepted"] = accepted_text
        doc["text"] = "".join([f"{TITLE}{question.title or ''}\n{QUESTION}{body}\n",
                               *(f"{CHOSEN_ANSWER}{t}\n" for t in [accepted_text] * bool(accepted) + official),
                               *(f"{ANSWER}{t}\n" for t in plain), *(f"{COMMENT}{t}\n" for t in remarks)])
    return doc


def _epoch(when) -> int:
    return int(when.replace(tzinfo=timezone.utc).timestamp()) if when else 0


def fingerprint(fields: dict, sources: list[str]) -> str:
    """A digest of what a document was built from: `search check` compares it with the database."""
    digest = hashlib.blake2b(digest_size=12)
    for key in sorted(fields):
        digest.update(f"{key}={fields[key]!r}\x1f".encode())
    for source in sources:
        digest.update((source or "").encode())
        digest.update(b"\x1e")
    return digest.hexdigest()
