"""Small helpers shared by the FAQ services: the staff check and looking up entries."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ...extensions import db
from ...models import FaqEntry, FaqRevision, FaqStatus, PostRevision, User
from ..errors import Forbidden, NotFound


def require_staff(user: User | None) -> None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_staff:
        raise Forbidden(_l("Only staff can manage the FAQ and official answers."))


def can_see_entry(user: User | None, entry: FaqEntry) -> bool:
    """Published entries are public; drafts, unpublished and retired ones are for staff."""
    return entry.status == FaqStatus.PUBLISHED or bool(
        user is not None and getattr(user, "is_authenticated", False) and user.is_staff)


def get_entry(entry_id: int, viewer: User | None) -> FaqEntry:
    entry = db.session.get(FaqEntry, entry_id)
    if entry is None or not can_see_entry(viewer, entry):
        raise NotFound(_l("This FAQ entry does not exist or is not published."))
    return entry


def live_entry_for(question_id: int) -> FaqEntry | None:
    """The thread's entry that is not retired (a thread has at most one)."""
    return db.session.scalar(select(FaqEntry).where(FaqEntry.question_id == question_id,
                                                    FaqEntry.status != FaqStatus.RETIRED).order_by(FaqEntry.id))


def latest_revision_number(post_id: int) -> int | None:
    return db.session.scalar(select(func.max(PostRevision.number)).where(PostRevision.post_id == post_id))


def add_entry_revision(entry: FaqEntry, author: User, summary: str) -> FaqRevision:
    """Snapshot the entry as its next revision (1 for the promoted version)."""
    db.session.flush()
    number = (db.session.scalar(select(func.max(FaqRevision.number)).where(FaqRevision.entry_id == entry.id))
              or 0) + 1
    revision = FaqRevision(entry_id=entry.id, number=number, author_id=author.id, title=entry.title,
                           question_md=entry.question_md, answer_md=entry.answer_md, category_id=entry.category_id,
                           summary=(summary or "")[:300])
    db.session.add(revision)
    return revision
