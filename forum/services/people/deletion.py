"""Deleting an account (APPI deletion requests): the member's own, or any account by an administrator.

The `users` row stays as a placeholder named "deleted user <id>" and is scrubbed of everything personal
(name, address, password, profile, language, imported profile link, suspension), so the posts it leaves, the
reputation ledger and the audit log keep pointing at one id while nothing points at the person. Sessions,
notifications, badges, pending and sent e-mail to the address, form tokens, view records and suspensions go.

Posts either stay under the anonymous name (what Stack Overflow does, and what a member's own deletion does)
or are removed: deleted as a moderator deletes them (counts, reputation and search follow) and their text and
revisions erased. Votes the member cast are taken back with the reputation they gave, as Stack Overflow does,
so `reputation recompute --check` finds the ledger equal to a replay of the votes that remain.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, delete, func, literal, select, update

from ... import search
from ...extensions import db
from ...models import (
    Comment, ExternalIdentity, Feedback, FormSubmission, Notification, OutgoingEmail, Post, PostRevision, PostView,
    Question, Role, SuggestedEdit, Suspension, User, UserBadge, utcnow,
)
from ..audit_log import log_action
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..reputation import votes
from ..reputation.ledger import ReputationRules
from ..community import posts as post_service
from . import identity, sessions
from .accounts import password_matches

ANONYMISE, REMOVE = "anonymise", "remove"
POST_OPTIONS = (ANONYMISE, REMOVE)
UNUSABLE_PASSWORD = "!deleted"  # no hash method matches it, so no password ever does
REMOVED_TEXT = ""


def delete_own_account(user: User, password: str, rules: ReputationRules, typed_username: str = "") -> None:
    """A member closes their account; their posts stay under an anonymous name (as on Stack Overflow).

    The password confirms it; a member who only signs in through the company's identity provider has none, and
    types their username instead (signed in, with the form's CSRF token, as for any other change)."""
    if not identity.has_password(user):
        if typed_username.strip() != user.username:
            raise Invalid(_l("Type your username exactly as shown to confirm."), field="username")
    elif not password_matches(user, password):
        raise Invalid(_l("Your password is not correct."), field="password")
    erase_account(user, user, ANONYMISE, rules)


def delete_account_as_admin(actor: User, user: User, posts: str, rules: ReputationRules) -> None:
    """An administrator deletes an account, choosing whether its posts stay (anonymised) or go."""
    if not actor.is_admin:
        raise Forbidden(_l("Only administrators can delete accounts."))
    erase_account(actor, user, posts, rules)


def erase_account(actor: User, user: User, posts: str, rules: ReputationRules) -> None:
    """Delete `user` for `actor` (permission already checked), keeping the posts anonymised or removing them."""
    if posts not in POST_OPTIONS:
        raise Invalid(_l("Choose whether the posts stay under an anonymous name or are removed."), field="posts")
    if user.deleted_at is not None:
        raise NotFound(_l("This account was already deleted."))
    _refuse_last_admin(user)
    asked = set(db.session.scalars(select(Question.id).where(Question.author_id == user.id)))
    if posts == REMOVE:
        _remove_posts(actor, user, rules)
    retracted = votes.retract_votes_of(user, rules)
    old_address = user.email
    _scrub(user)
    _forget(user, old_address)
    search.threads_changed(asked)  # the question author's name is in each thread's document
    log_action(actor, "user.delete", user, posts=posts, votes_retracted=retracted,
               by_self=actor.id == user.id)
    db.session.flush()


def _refuse_last_admin(user: User) -> None:
    """Someone must be able to run the site: the last administrator cannot be deleted."""
    if user.role != Role.ADMIN:
        return
    admins = db.session.scalars(
        select(User.id).where(User.role == Role.ADMIN, User.deleted_at.is_(None)).with_for_update()).all()
    if len(admins) <= 1:
        raise Conflict(_l("This is the last administrator account. Make someone else an administrator first."))


def _remove_posts(actor: User, user: User, rules: ReputationRules) -> None:
    """Delete the member's posts and comments as a moderator would, then erase their text and history."""
    now = utcnow()
    own = db.session.scalars(select(Post).where(Post.author_id == user.id).order_by(Post.id)).all()
    for post in own:
        if post.deleted_at is None:
            _delete_post(actor, post, now, rules)
        post.title = post.title and "-"
        post.body_md = post.body_html = post.excerpt = REMOVED_TEXT
    post_ids = [post.id for post in own]
    if post_ids:
        db.session.execute(delete(PostRevision).where(PostRevision.post_id.in_(post_ids)))
    db.session.execute(delete(SuggestedEdit).where(SuggestedEdit.author_id == user.id))
    comments = db.session.scalars(select(Comment).where(Comment.author_id == user.id)).all()
    for comment in comments:
        if comment.deleted_at is None:
            comment.deleted_at = now
            db.session.execute(update(Post).where(Post.id == comment.post_id)
                               .values(comment_count=Post.comment_count - 1))
        comment.body = comment.body_html = REMOVED_TEXT
    db.session.flush()


def _delete_post(actor: User, post: Post, now, rules: ReputationRules) -> None:
    # The same steps as a moderator's deletion (services/community/posts.delete_post), without telling the
    # author, whose account is going.
    post.deleted_at, post.deleted_by_id = now, actor.id
    post_service.count_deletion(post, -1)
    db.session.flush()
    votes.post_deleted(post, rules)


def _scrub(user: User) -> None:
    name = f"deleted user {user.id}"  # spaces: no one can register it (usernames are letters, digits, . - _)
    user.username = user.username_key = name
    user.email = f"deleted-{user.id}@deleted.invalid"
    user.password_hash = UNUSABLE_PASSWORD
    user.role = Role.MEMBER
    user.about_md = user.about_html = ""
    user.locale = user.last_seen_at = user.origin_site = user.origin_url = None
    user.suspended_until = user.suspension_reason = None
    user.email_notifications = "off"
    user.email_verified_at = None
    user.deleted_at = utcnow()
    db.session.flush()


def _forget(user: User, old_address: str) -> None:
    """Rows that only describe the person: gone. Feedback stays in the outcome rates, no longer theirs."""
    sessions.end_all_sessions(user)
    for model in (Notification, UserBadge, Suspension, FormSubmission, ExternalIdentity):
        db.session.execute(delete(model).where(model.user_id == user.id))
    db.session.execute(delete(OutgoingEmail).where(func.lower(OutgoingEmail.to_address) == old_address.lower()))
    db.session.execute(delete(PostView).where(PostView.viewer_key == f"u:{user.id}"))
    db.session.execute(
        update(Feedback).where(Feedback.user_id == user.id)
        .values(user_id=None, visitor_key=literal("deleted:", String) + cast(Feedback.id, String))
        .execution_options(synchronize_session=False))
