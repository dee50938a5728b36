"""Question search. A plain SQL match for now: words must all appear; `[tag]` filters by tag."""
import re

from sqlalchemy import or_

from ..models import Question, Tag
from .threads import questions_query

_TAG_TOKEN = re.compile(r"\[([^\]\s]{1,35})\]")
MAX_QUERY = 200


def parse_query(text: str) -> tuple[list[str], list[str]]:
    """Split a query into tag filters and words; control characters are dropped."""
    text = "".join(ch for ch in (text or "")[:MAX_QUERY] if ch.isprintable())
    tags = [tag.lower() for tag in _TAG_TOKEN.findall(text)]
    words = [word for word in _TAG_TOKEN.sub(" ", text).replace("[", " ").replace("]", " ").split() if word]
    return tags, words[:10]


def search_query(text: str, tab: str = "active"):
    tags, words = parse_query(text)
    query = questions_query(tab)
    for word in words:
        query = query.where(or_(Question.title.icontains(word, autoescape=True),
                                Question.body_md.icontains(word, autoescape=True)))
    for tag in tags:
        query = query.where(Question.tags.any(Tag.name == tag))
    return query
