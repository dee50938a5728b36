"""Tag parsing and the question-tag association with its cached counts."""
import re
import unicodedata

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import with_expression
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import Question, Tag, question_tags
from ..reputation import privileges
from ..errors import Invalid

MAX_TAGS = 5
MAX_TAG_LENGTH = 35
# Letters (any script, so Japanese works), digits and + # . - ; underscores are not allowed.
_TAG_PATTERN = re.compile(r"^(?:[^\W_]|[+#.\-])+$", re.UNICODE)
_SEPARATORS = re.compile(r"[\s,、，]+")


def normalise_tag(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw).strip().lower()


def parse_tags(text: str) -> list[str]:
    """1-5 distinct tags from space- or comma-separated text, lower-cased and checked."""
    names: list[str] = []
    for raw in _SEPARATORS.split(text or ""):
        name = normalise_tag(raw)
        if name and name not in names:
            names.append(name)
    if not names:
        raise Invalid(_l("Add at least one tag, such as a product area or platform."), field="tags")
    if len(names) > MAX_TAGS:
        raise Invalid(_l("Use at most %(n)d tags.", n=MAX_TAGS), field="tags")
    for name in names:
        if len(name) > MAX_TAG_LENGTH:
            raise Invalid(_l("Tag '%(tag)s' is too long (at most %(n)d characters).", tag=name, n=MAX_TAG_LENGTH),
                          field="tags")
        if not _TAG_PATTERN.match(name) or not any(ch.isalnum() for ch in name):
            raise Invalid(_l("Tag '%(tag)s' may only use letters, digits and + # . -", tag=name), field="tags")
    return names


def check_new_tags(user, names: list[str], thresholds: dict) -> None:
    """Creating a tag that does not exist yet is a privilege."""
    if privileges.has_privilege(user, "create_tags", thresholds):
        return
    known = set(db.session.scalars(select(Tag.name).where(Tag.name.in_(names))))
    new = [name for name in names if name not in known]
    if new:
        raise Invalid(_l("You need %(needed)d reputation to create the new tag '%(tag)s'. Please use existing tags.",
                         needed=thresholds["create_tags"], tag=new[0]), field="tags")


def set_question_tags(question: Question, names: list[str]) -> None:
    """Replace a question's tags, creating new tags and keeping question counts right."""
    existing = {tag.name: tag for tag in db.session.scalars(select(Tag).where(Tag.name.in_(names)))}
    wanted = []
    for name in names:
        wanted.append(existing.get(name) or _create_tag(name))
    old_ids = {tag.id for tag in question.tags}
    question.tags = wanted
    db.session.flush()
    new_ids = {tag.id for tag in wanted}
    if not question.is_deleted:
        _adjust_counts(new_ids - old_ids, +1)
        _adjust_counts(old_ids - new_ids, -1)


def _create_tag(name: str) -> Tag:
    """A new tag; when another request creates the same tag at the same moment, use theirs."""
    try:
        with db.session.begin_nested():
            tag = Tag(name=name, question_count=0)
            db.session.add(tag)
        return tag
    except IntegrityError:
        return db.session.scalar(select(Tag).where(Tag.name == name))


def adjust_tag_counts(question: Question, delta: int) -> None:
    """Used when a question is deleted (-1) or undeleted (+1)."""
    _adjust_counts({tag.id for tag in question.tags}, delta)


def _adjust_counts(tag_ids: set[int], delta: int) -> None:
    if tag_ids:
        db.session.execute(
            update(Tag).where(Tag.id.in_(tag_ids)).values(question_count=Tag.question_count + delta)
        )


def tags_query(filter_text: str = "", sort: str = "popular", language: str | None = None):
    """Tags in use, popular first or by name. With `language`, only tags of visible questions in it, counted
    in it (`Tag.count_in_language`, one correlated count per tag in the same statement)."""
    if language is not None:
        return _tags_in_language(filter_text, sort, language)
    order = (Tag.name,) if sort == "name" else (Tag.question_count.desc(), Tag.name)
    query = select(Tag).where(Tag.question_count > 0).order_by(*order)
    if filter_text:
        query = query.where(Tag.name.contains(filter_text.strip().lower(), autoescape=True))
    return query


def _tags_in_language(filter_text: str, sort: str, language: str):
    counted = (select(func.count(Question.id)).select_from(question_tags)
               .join(Question, Question.id == question_tags.c.question_id)
               .where(question_tags.c.tag_id == Tag.id, Question.language == language,
                      Question.deleted_at.is_(None), Question.hidden_at.is_(None))
               .correlate(Tag).scalar_subquery())
    order = (Tag.name,) if sort == "name" else (counted.desc(), Tag.name)
    query = select(Tag).options(with_expression(Tag.count_in_language, counted)).where(counted > 0).order_by(*order)
    if filter_text:
        query = query.where(Tag.name.contains(filter_text.strip().lower(), autoescape=True))
    return query


SUGGEST_LIMIT = 8


def suggest_tags(prefix: str, limit: int = SUGGEST_LIMIT) -> list[Tag]:
    """Existing tags starting with `prefix` (any case, full-width or not), most used first: the ask form's
    autocomplete."""
    name = normalise_tag(prefix or "")[:MAX_TAG_LENGTH]
    if not name:
        return []
    query = (select(Tag).where(Tag.name.startswith(name, autoescape=True))
             .order_by(Tag.question_count.desc(), Tag.name).limit(limit))
    return list(db.session.scalars(query))


def new_tag_refusal(user, name: str, thresholds: dict) -> str | None:
    """Why `user` could not create the tag `name` (it does not exist, and they lack the reputation), or None."""
    name = normalise_tag(name or "")
    if not name or privileges.has_privilege(user, "create_tags", thresholds):
        return None
    if db.session.scalar(select(Tag.id).where(Tag.name == name)) is not None:
        return None
    return str(_l("Creating a new tag needs %(needed)d reputation; you have %(have)d. Please pick an existing tag.",
                  needed=thresholds["create_tags"], have=user.reputation))
