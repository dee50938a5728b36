"""Question search for the views: the index finds and ranks threads and official FAQ entries, the database
supplies what pages show."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ... import search as index
from ...extensions import db
from ...models import FaqEntry, FaqStatus, Question
from ...search.query import MAX_QUERY

SORT_LABELS = {
    "relevance": _l("Relevance"),
    "newest": _l("Newest"),
    "votes": _l("Votes"),
    "active": _l("Active"),
}

__all__ = ["MAX_QUERY", "SORT_LABELS", "fetch_questions", "fetch_faq_entries", "search_questions",
           "similar_questions", "similar_faq_entries", "index_is_whole"]


def fetch_questions(ids: list[int]) -> dict[int, Question]:
    """The visible questions with these ids, with tags and authors, in one query (plus one for tags)."""
    if not ids:
        return {}
    rows = db.session.scalars(
        select(Question).where(Question.id.in_(ids), Question.deleted_at.is_(None), Question.hidden_at.is_(None))
        .options(selectinload(Question.tags))
    )
    return {question.id: question for question in rows}


def fetch_faq_entries(ids: list[int]) -> dict[int, FaqEntry]:
    """The PUBLISHED FAQ entries with these ids, in one query (the database decides, not the index)."""
    if not ids:
        return {}
    rows = db.session.scalars(select(FaqEntry).where(FaqEntry.id.in_(ids), FaqEntry.status == FaqStatus.PUBLISHED))
    return {entry.id: entry for entry in rows}


def search_questions(text: str, sort: str = "relevance", page: int = 1, per_page: int = 20, viewer=None,
                     language: str | None = None):
    """A page of questions matching `text` (with operators), in index order, with snippets and hints; on the
    first page, the official FAQ entries matching the words come first (`outcome.faq`). Only threads and entries
    in `language` ("ja" or "en") when given, unless the text says `lang:` itself."""
    viewer_id = viewer.id if getattr(viewer, "is_authenticated", False) else None
    return index.search(text, sort=sort, page=page, per_page=per_page, viewer_id=viewer_id, fetch=fetch_questions,
                        fetch_faq=fetch_faq_entries, language=language)


def similar_questions(title: str, limit: int = 5) -> list[dict]:
    """Questions like a title being typed (the index's stored fields; their questions' text, in one query, ranks
    the best 30 again by the phrases they share with the title)."""
    if len((title or "").strip()) < 3:
        return []
    return index.similar(title, limit=limit, fetch=fetch_questions)


def similar_faq_entries(title: str, limit: int = 3) -> list[dict]:
    """Published FAQ entries like a title being typed (shown before similar questions): id, title, url, faq."""
    if len((title or "").strip()) < 3:
        return []
    found = index.similar_faq(title, limit=limit)
    published = fetch_faq_entries([item["id"] for item in found])  # the index may lag an unpublish
    found = [item for item in found if item["id"] in published]
    for item in found:
        item["url"] = index.faq_url(item["id"], item["title"])
    return found


def index_is_whole() -> bool:
    """Whether both indexes hold what the database has; False while one is missing or emptied and being rebuilt
    (the counts are cached a few seconds, see forum/search/completeness.py)."""
    return index.health().complete
