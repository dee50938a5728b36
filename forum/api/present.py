"""Models to the API's JSON shapes (plain dicts the pydantic response models check); links are absolute."""
from __future__ import annotations

from flask import current_app, request

from ..urls import absolute, answer_path, faq_entry_path, question_path


def link(path: str) -> str:
    """An absolute URL on SITE_URL when it is set (what the site calls itself), else on the request's host."""
    return absolute(current_app.config.get("SITE_URL") or request.host_url, path)


def user_ref(user) -> dict:
    return {"id": user.id, "username": user.username, "reputation": user.reputation,
            "url": link(f"/users/{user.id}")}


def question_summary(question) -> dict:
    return {
        "id": question.id, "title": question.title, "url": link(question_path(question.id, question.title)),
        "excerpt": question.excerpt or "", "tags": [tag.name for tag in question.tags], "score": question.score,
        "answer_count": question.answer_count, "view_count": question.view_count,
        "accepted": question.accepted_answer_id is not None, "closed": question.closed_at is not None,
        "language": question.language, "created_at": question.created_at, "last_activity_at": question.last_activity_at,
        "author": user_ref(question.author),
    }


def comment(item) -> dict:
    return {"id": item.id, "body_html": item.body_html, "created_at": item.created_at,
            "author": user_ref(item.author), "held_for_review": item.held_at is not None}


def thread(loaded) -> dict:
    """A `threads.Thread` (question, visible answers, comments) as one document."""
    question = loaded.question
    return {
        "question": {
            "id": question.id, "title": question.title, "url": link(question_path(question.id, question.title)),
            "body_md": question.body_md, "body_html": question.body_html,
            "tags": [tag.name for tag in question.tags], "score": question.score,
            "answer_count": question.answer_count, "view_count": question.view_count,
            "accepted_answer_id": question.accepted_answer_id, "closed": question.closed_at is not None,
            "created_at": question.created_at, "last_activity_at": question.last_activity_at,
            "edited_at": question.edited_at, "author": user_ref(question.author),
            "comments": [comment(c) for c in loaded.comments_for(question)],
            "held_for_review": question.is_hidden,
        },
        "answers": [answer(a, question, loaded.comments_for(a)) for a in loaded.answers],
    }


def answer(item, question, comments=()) -> dict:
    return {
        "id": item.id, "url": link(answer_path(item)), "body_md": item.body_md, "body_html": item.body_html,
        "score": item.score, "accepted": question.accepted_answer_id == item.id,
        "official": item.official_at is not None, "created_at": item.created_at, "edited_at": item.edited_at,
        "author": user_ref(item.author), "comments": [comment(c) for c in comments],
        "held_for_review": item.is_hidden,
    }


def faq_entry(entry) -> dict:
    return {
        "id": entry.id, "title": entry.title, "url": link(faq_entry_path(entry.id, entry.title)),
        "question_html": entry.question_html, "answer_html": entry.answer_html, "category_id": entry.category_id,
        "helpful_count": entry.helpful_count, "not_helpful_count": entry.not_helpful_count,
        "thread_id": entry.question_id,
    }
