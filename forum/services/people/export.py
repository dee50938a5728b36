""""Download my data" (APPI disclosure requests): everything the site keeps about one member, as plain data.

Only what is the member's own: their profile, what they wrote (posts, every revision they authored, comments,
suggested edits, flags), what they did (votes, feedback), what the site told them (notifications), where they
are signed in (without the session secrets), the identity-provider accounts linked to theirs and their
reputation history. Nothing that belongs to someone else leaves with it: no voter's identity behind a reputation
change, no other member's address or private data.
"""
from datetime import datetime

from sqlalchemy import select

from ...extensions import db
from ...models import (
    Comment, ExternalIdentity, Feedback, Flag, Notification, Post, PostRevision, ReputationEvent, SuggestedEdit,
    Suspension, User, UserBadge, UserSession, Vote, utcnow,
)
from ...urls import permalink

FORMAT = "kotae-personal-data/1"


def _when(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None


def export_user_data(user: User) -> dict:
    """A JSON-ready dict of everything about `user`."""
    return {
        "format": FORMAT,
        "exported_at": _when(utcnow()),
        "profile": _profile(user),
        "posts": [_post(post) for post in _rows(Post, Post.author_id == user.id, Post.id)],
        "revisions": [_revision(r) for r in _rows(PostRevision, PostRevision.author_id == user.id, PostRevision.id)],
        "comments": [_comment(c) for c in _rows(Comment, Comment.author_id == user.id, Comment.id)],
        "suggested_edits": [_suggestion(s) for s in _rows(SuggestedEdit, SuggestedEdit.author_id == user.id,
                                                          SuggestedEdit.id)],
        "votes": [{"post_id": v.post_id, "value": v.value, "created_at": _when(v.created_at)}
                  for v in _rows(Vote, Vote.user_id == user.id, Vote.id)],
        "flags": [{"post_id": f.post_id, "reason": f.reason, "text": f.text, "status": f.status,
                   "created_at": _when(f.created_at)} for f in _rows(Flag, Flag.user_id == user.id, Flag.id)],
        "feedback": [{"target_type": f.target_type, "target_id": f.target_id, "outcome": f.outcome,
                      "created_at": _when(f.created_at), "updated_at": _when(f.updated_at)}
                     for f in _rows(Feedback, Feedback.user_id == user.id, Feedback.id)],
        "bookmarks": [],  # the site has no bookmarks or follows yet; the keys stay so readers can rely on them
        "follows": [],
        "notifications": [_notification(n) for n in _rows(Notification, Notification.user_id == user.id,
                                                           Notification.id)],
        "sessions": [{"created_at": _when(s.created_at), "last_seen_at": _when(s.last_seen_at),
                      "user_agent": s.user_agent, "address": s.address}
                     for s in _rows(UserSession, UserSession.user_id == user.id, UserSession.id)],
        "linked_sign_in": [{"issuer": i.issuer, "subject": i.subject, "email": i.email,
                            "created_at": _when(i.created_at), "last_used_at": _when(i.last_used_at)}
                           for i in _rows(ExternalIdentity, ExternalIdentity.user_id == user.id, ExternalIdentity.id)],
        "reputation_events": [{"amount": e.amount, "reason": e.reason, "post_id": e.post_id,
                               "created_at": _when(e.created_at), "reversed_at": _when(e.reversed_at)}
                              for e in _rows(ReputationEvent, ReputationEvent.user_id == user.id, ReputationEvent.id)],
        "badges": [{"badge": b.badge, "post_id": b.post_id, "awarded_at": _when(b.awarded_at)}
                   for b in _rows(UserBadge, UserBadge.user_id == user.id, UserBadge.id)],
        "suspensions": [{"reason": s.reason, "starts_at": _when(s.starts_at), "ends_at": _when(s.ends_at),
                         "lifted_at": _when(s.lifted_at)}
                        for s in _rows(Suspension, Suspension.user_id == user.id, Suspension.id)],
    }


def _rows(model, condition, order) -> list:
    return list(db.session.scalars(select(model).where(condition).order_by(order)))


def _profile(user: User) -> dict:
    return {
        "id": user.id, "username": user.username, "email": user.email,
        "email_verified_at": _when(user.email_verified_at), "role": user.role, "about": user.about_md,
        "language": user.locale, "email_notifications": user.email_notifications,
        "reputation": user.reputation, "created_at": _when(user.created_at), "last_seen_at": _when(user.last_seen_at),
        "imported_from": user.origin_site, "imported_profile_url": user.origin_url,
        "suspended_until": _when(user.suspended_until), "suspension_reason": user.suspension_reason,
    }


def _post(post: Post) -> dict:
    return {
        "id": post.id, "type": post.post_type, "question_id": post.question_id, "title": post.title,
        "body": post.body_md, "url": permalink(post), "score": post.score, "created_at": _when(post.created_at),
        "edited_at": _when(post.edited_at), "deleted_at": _when(post.deleted_at),
    }


def _revision(revision: PostRevision) -> dict:
    return {
        "post_id": revision.post_id, "number": revision.number, "title": revision.title, "body": revision.body_md,
        "tags": revision.tags, "summary": revision.summary, "created_at": _when(revision.created_at),
    }


def _comment(comment: Comment) -> dict:
    return {"id": comment.id, "post_id": comment.post_id, "body": comment.body, "created_at": _when(comment.created_at),
            "deleted_at": _when(comment.deleted_at)}


def _suggestion(suggestion: SuggestedEdit) -> dict:
    return {"post_id": suggestion.post_id, "title": suggestion.title, "body": suggestion.body_md,
            "tags": suggestion.tags, "summary": suggestion.summary, "status": suggestion.status,
            "created_at": _when(suggestion.created_at)}


def _notification(notification: Notification) -> dict:
    return {"kind": notification.kind, "text": notification.text, "url": notification.url,
            "created_at": _when(notification.created_at), "read_at": _when(notification.read_at)}
