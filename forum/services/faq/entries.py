"""FAQ entries after promotion: edit (with revisions), publish, unpublish, retire, order, and read for /faq.

Publishing an entry for the first time credits the answer's author: a reputation bonus through the ledger
(once per answer, whatever happens to the entry later), the "FAQ Author" badge and an inbox notification.
Retiring only changes the entry: the thread stays exactly as it was.
"""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ...extensions import db
from ...markup import render_markdown
from ..community.language import detect_language
from ...models import (
    FaqCategory, FaqEntry, FaqRevision, FaqStatus, NotificationKind, Question, Reason, ReputationEvent, User, utcnow,
)
from ..reputation import badges, ledger
from ..audit_log import log_action
from ..errors import Conflict, Invalid
from ..outreach.notifications import notify
from ..community.posts import BODY_MAX
from ..community.revisions import _diff_lines, _diff_text  # the same diff as the posts' history page
from .common import add_entry_revision, require_staff

TITLE_MIN, TITLE_MAX = 5, 150
FAQ_AUTHOR_BADGE = "faq_author"


def edit_entry(staff: User, entry: FaqEntry, title: str, question_md: str, answer_md: str,
               category_id: int | None, summary: str = "") -> bool:
    """Save the staff's version as a new revision if anything changed; returns whether it did."""
    require_staff(staff)
    title = " ".join((title or "").split())
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise Invalid(_l("The title must be %(min)d-%(max)d characters; yours has %(n)d.",
                         min=TITLE_MIN, max=TITLE_MAX, n=len(title)), field="title")
    question_md = _clean(question_md, "question", minimum=0)
    answer_md = _clean(answer_md, "answer", minimum=1)
    if category_id is not None and db.session.get(FaqCategory, category_id) is None:
        raise Invalid(_l("This category does not exist."), field="category")
    if (title, question_md, answer_md, category_id) == (entry.title, entry.question_md, entry.answer_md,
                                                        entry.category_id):
        return False
    if category_id != entry.category_id:
        entry.position = 0
    entry.title, entry.category_id = title, category_id
    set_content(entry, question_md, answer_md)
    add_entry_revision(entry, staff, summary=summary)
    log_action(staff, "faq.edit", entry, summary=summary)
    return True


def set_content(entry: FaqEntry, question_md: str, answer_md: str) -> None:
    """Markdown in, the same renderer as posts, stored once on write; the language detected from the title
    and text (as a question's)."""
    entry.question_md, entry.question_html = question_md, render_markdown(question_md) if question_md else ""
    entry.answer_md, entry.answer_html = answer_md, render_markdown(answer_md)
    entry.language = detect_language(entry.title or "", f"{question_md}\n{answer_md}")
    entry.updated_at = utcnow()


def publish(staff: User, entry: FaqEntry, bonus: int, url: str) -> bool:
    """Make the entry public; the first time, credit the answer's author. Returns whether anything changed."""
    require_staff(staff)
    if entry.status == FaqStatus.RETIRED:
        raise Conflict(_l("A retired entry cannot be published again; promote the thread again instead."))
    if entry.status == FaqStatus.PUBLISHED:
        return False
    first_time = entry.published_at is None
    entry.status = FaqStatus.PUBLISHED
    entry.published_at = entry.published_at or utcnow()
    log_action(staff, "faq.publish", entry, first_time=first_time)
    if first_time:
        _credit_answer_author(staff, entry, bonus, url)
    return True


def _credit_answer_author(staff: User, entry: FaqEntry, bonus: int, url: str) -> None:
    answer = entry.answer
    if answer is None or answer.is_deleted:
        return
    already = db.session.scalar(select(ReputationEvent.id).where(
        ReputationEvent.post_id == answer.id, ReputationEvent.reason == Reason.BONUS).limit(1))
    if already is None:  # once per answer, even if an earlier entry from it was retired
        ledger.record(answer.author_id, Reason.BONUS, bonus, post_id=answer.id, actor_id=staff.id)
    badges.award(answer.author_id, FAQ_AUTHOR_BADGE, post_id=answer.id)
    notify(answer.author_id, NotificationKind.FAQ_PROMOTED, actor=staff, post=answer, url=url, text=entry.title)


def unpublish(staff: User, entry: FaqEntry) -> bool:
    require_staff(staff)
    if entry.status != FaqStatus.PUBLISHED:
        return False
    entry.status = FaqStatus.UNPUBLISHED
    log_action(staff, "faq.unpublish", entry)
    return True


def retire(staff: User, entry: FaqEntry, reason: str = "") -> bool:
    """Take the entry out of the FAQ for good; its thread is not touched, and the thread may be promoted again."""
    require_staff(staff)
    if entry.status == FaqStatus.RETIRED:
        return False
    entry.status = FaqStatus.RETIRED
    entry.retired_at = utcnow()
    entry.needs_review = False
    log_action(staff, "faq.retire", entry, reason=reason)
    return True


def move(staff: User, entry: FaqEntry, direction: str) -> bool:
    """Swap the entry with its neighbour ("up" or "down") in its category's staff order."""
    require_staff(staff)
    if direction not in ("up", "down"):
        raise Invalid(_l("Move an entry up or down."))
    if entry.status == FaqStatus.RETIRED:
        raise Conflict(_l("A retired entry has no place in the FAQ any more."))
    siblings = list(db.session.scalars(
        select(FaqEntry).where(_in_category(entry.category_id), FaqEntry.status != FaqStatus.RETIRED)
        .order_by(*_ENTRY_ORDER)))
    index = siblings.index(entry)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(siblings):
        return False
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings):
        sibling.position = position
    log_action(staff, "faq.move", entry, direction=direction)
    return True


def _in_category(category_id: int | None):
    return FaqEntry.category_id.is_(None) if category_id is None else FaqEntry.category_id == category_id


_ENTRY_ORDER = (FaqEntry.position, (FaqEntry.resolved_count + FaqEntry.helpful_count).desc(), FaqEntry.id)


@dataclass
class FaqSection:
    category: FaqCategory | None  # None: entries without a category (listed last)
    entries: list[FaqEntry]


def published_sections(entry_ids: list[int] | None = None, language: str | None = None) -> list[FaqSection]:
    """/faq: published entries (only those in `language` when given) grouped by category (staff order), in two
    queries; empty sections left out."""
    query = select(FaqEntry).where(FaqEntry.status == FaqStatus.PUBLISHED).order_by(*_ENTRY_ORDER)
    if entry_ids is not None:
        query = query.where(FaqEntry.id.in_(entry_ids))
    if language is not None:
        query = query.where(FaqEntry.language == language)
    entries = list(db.session.scalars(query))
    categories = list(db.session.scalars(select(FaqCategory).order_by(FaqCategory.position, FaqCategory.name)))
    grouped: dict[int | None, list[FaqEntry]] = {}
    for entry in entries:
        grouped.setdefault(entry.category_id, []).append(entry)
    sections = [FaqSection(c, grouped[c.id]) for c in categories if c.id in grouped]
    if None in grouped:
        sections.append(FaqSection(None, grouped[None]))
    return sections


def unpublished_entries() -> list[FaqEntry]:
    """Drafts and unpublished entries, for the staff's view of /faq (one query)."""
    return list(db.session.scalars(select(FaqEntry).where(
        FaqEntry.status.in_((FaqStatus.DRAFT, FaqStatus.UNPUBLISHED))).order_by(FaqEntry.updated_at.desc())))


def entries_in_order(entry_ids: list[int]) -> list[FaqEntry]:
    """Published entries by id, in the given order (search results), one query."""
    if not entry_ids:
        return []
    found = {e.id: e for e in db.session.scalars(select(FaqEntry).options(joinedload(FaqEntry.category)).where(
        FaqEntry.id.in_(entry_ids), FaqEntry.status == FaqStatus.PUBLISHED))}
    return [found[i] for i in entry_ids if i in found]


def load_entry_page(entry_id: int) -> FaqEntry | None:
    """The entry with everything its page shows (authors, category, source thread) in one query."""
    return db.session.scalar(select(FaqEntry).where(FaqEntry.id == entry_id).options(
        joinedload(FaqEntry.question_author), joinedload(FaqEntry.answer_author), joinedload(FaqEntry.category),
        joinedload(FaqEntry.question).lazyload(Question.author)))  # the page shows the authors above


def entry_for_thread(question_id: int, staff: bool = False) -> FaqEntry | None:
    """The thread page's banner: its published entry (for staff, any live entry), one query."""
    statuses = (FaqStatus.PUBLISHED, FaqStatus.DRAFT, FaqStatus.UNPUBLISHED) if staff else (FaqStatus.PUBLISHED,)
    return db.session.scalar(select(FaqEntry).where(FaqEntry.question_id == question_id,
                                                    FaqEntry.status.in_(statuses)).order_by(FaqEntry.id).limit(1))


@dataclass
class EntryRevisionView:
    revision: FaqRevision
    title_diff: list
    question_diff: list
    answer_diff: list
    category_changed: bool


def entry_history(entry: FaqEntry) -> list[EntryRevisionView]:
    """Newest first; each revision compared with the one before (the first with nothing)."""
    revisions = list(db.session.scalars(select(FaqRevision).options(joinedload(FaqRevision.author))
                                        .where(FaqRevision.entry_id == entry.id).order_by(FaqRevision.number)))
    views, previous = [], None
    for revision in revisions:
        views.append(EntryRevisionView(
            revision=revision,
            title_diff=_diff_text(previous.title if previous else "", revision.title),
            question_diff=_diff_lines(previous.question_md if previous else "", revision.question_md),
            answer_diff=_diff_lines(previous.answer_md if previous else "", revision.answer_md),
            category_changed=previous is not None and previous.category_id != revision.category_id,
        ))
        previous = revision
    return list(reversed(views))


def _clean(text: str, field: str, minimum: int) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) < minimum:
        raise Invalid(_l("This field is required."), field=field)
    if len(text) > BODY_MAX:
        raise Invalid(_l("This is limited to %(max)d characters; yours has %(n)d.", max=BODY_MAX, n=len(text)),
                      field=field)
    return text

