"""Who may do what: pure predicates shared by services, views and templates."""
from .models import Comment, Post, User


def _is_signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def is_staff(user) -> bool:
    return _is_signed_in(user) and user.is_staff


def can_edit(user, post: Post, thresholds: dict | None = None) -> bool:
    """Authors and staff; with `thresholds`, also users who earned the edit privilege."""
    if not _is_signed_in(user) or post.is_deleted:
        return False
    if user.is_staff:
        return True
    if is_thread_locked(post):  # staff may still edit a locked thread; nobody else
        return False
    if post.author_id == user.id:
        return True
    return thresholds is not None and user.reputation >= thresholds["edit"]


def can_delete(user, post: Post) -> bool:
    return _is_signed_in(user) and (post.author_id == user.id or user.is_staff) and not post.is_deleted


def can_undelete(user, post: Post) -> bool:
    """Not the posts removed with a deleted account: their text is gone."""
    if not (_is_signed_in(user) and post.is_deleted and (post.author_id == user.id or user.is_staff)):
        return False
    return post.author.deleted_at is None


def can_see(user, post: Post) -> bool:
    """Soft-deleted posts, and posts hidden by flags, stay visible to their author and to staff only."""
    if not post.is_deleted and post.hidden_at is None:
        return True
    return _is_signed_in(user) and (post.author_id == user.id or user.is_staff)


def can_answer(user, question: Post) -> bool:
    return _is_signed_in(user) and not question.is_deleted and not question.is_closed and not question.is_locked


def can_comment(user, post: Post) -> bool:
    return _is_signed_in(user) and not post.is_deleted and not is_thread_locked(post)


def can_rollback(user, post: Post) -> bool:
    """The author and staff may restore an older revision (as a new one)."""
    return can_edit(user, post) and (post.author_id == user.id or user.is_staff)


def is_thread_locked(post: Post) -> bool:
    return (post if post.is_question else post.question).is_locked


def can_delete_comment(user, comment: Comment) -> bool:
    return _is_signed_in(user) and not comment.is_deleted and (comment.author_id == user.id or user.is_staff)


def can_view_history(user, post: Post) -> bool:
    return can_see(user, post)


def is_self(user, other: User) -> bool:
    return _is_signed_in(user) and user.id == other.id
