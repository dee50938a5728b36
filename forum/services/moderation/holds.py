"""Holding posts that contain personal data: warn the author first, and hide what they post anyway until staff
review it (in the flag review queue, as a pending "personal data" flag raised in the author's name)."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from ...extensions import db
from ...models import Comment, Flag, FlagReason, FlagStatus, Post, User, utcnow
from ..audit_log import log_action
from ..errors import DomainError
from .personal_data import CARD, EMAIL, MY_NUMBER, PHONE, POSTAL, Finding, find_personal_data

KIND_LABELS = {
    PHONE: _l("Phone number"),
    EMAIL: _l("E-mail address"),
    POSTAL: _l("Postal code and address"),
    CARD: _l("Credit card number"),
    MY_NUMBER: _l("My Number (individual number)"),
}


class PersonalDataFound(DomainError):
    """The text contains personal data and the author has not chosen to post it anyway."""

    status_code = 400

    def __init__(self, findings: list[Finding]):
        super().__init__(_l("Your post seems to contain personal data. Remove it, or post anyway: staff will "
                            "review the post before it is shown."), field=None)
        self.findings = findings

    def described(self) -> list[dict]:
        """What was found, masked, for the warning box and the API problem."""
        return [{"kind": f.kind, "label": str(KIND_LABELS[f.kind]), "masked": f.masked} for f in self.findings]


def screen(*texts: str, post_anyway: bool | None) -> list[Finding]:
    """The personal data in `texts`; raise `PersonalDataFound` unless the author chose to post anyway.

    `post_anyway=None` means "not screened" (imports, seeding, staff tools): nothing is looked for."""
    if post_anyway is None:
        return []
    findings = [finding for text in texts for finding in find_personal_data(text or "")]
    if findings and not post_anyway:
        raise PersonalDataFound(findings)
    return findings


def hold(author: User, post: Post, findings: list[Finding], comment_id: int | None = None) -> None:
    """Put a post with personal data in front of staff: hide it (a comment with the data is held by
    comments.add_comment instead, the post stays visible) and raise a pending flag. The flag records the kinds
    found, never the values."""
    if not findings:
        return
    if comment_id is None and post.hidden_at is None:
        post.hidden_at = utcnow()
    kinds = sorted({finding.kind for finding in findings})
    text = ", ".join(kinds) + (f" (comment {comment_id})" if comment_id else "")
    db.session.flush()
    flag = db.session.scalar(select(Flag).where(Flag.post_id == post.id, Flag.user_id == author.id))
    if flag is None:
        db.session.add(Flag(post_id=post.id, user_id=author.id, reason=FlagReason.PERSONAL_DATA, text=text,
                            created_at=utcnow()))
    elif flag.status != FlagStatus.PENDING or flag.reason == FlagReason.PERSONAL_DATA:
        flag.reason, flag.text, flag.status, flag.created_at = FlagReason.PERSONAL_DATA, text, FlagStatus.PENDING, utcnow()
        flag.handled_at = flag.handled_by_id = None
    log_action(None, "post.hold", post, "personal_data", kinds=kinds, comment_id=comment_id)
    db.session.flush()


def release_comments(post: Post) -> int:
    """Show the post's held comments (a moderator handled its flags, after redacting what had to go); returns
    how many. They count on the post from now on; nobody is notified of them after the fact."""
    held = list(db.session.scalars(select(Comment).where(Comment.post_id == post.id, Comment.held_at.is_not(None),
                                                         Comment.deleted_at.is_(None))))
    for comment in held:
        comment.held_at = None
    if held:
        db.session.execute(update(Post).where(Post.id == post.id)
                           .values(comment_count=Post.comment_count + len(held)))
    return len(held)
