"""schema.org JSON-LD for question pages (`QAPage`) and the FAQ (`FAQPage`), as plain dicts.

Google's structured-data guidelines: a QAPage's `mainEntity` is the one `Question` the page is about, with its
accepted answer and a few suggested ones; an `FAQPage` lists questions written by the site itself, each with its
one `acceptedAnswer`. Texts are the posts' plain text (the stored HTML without markup), cut to a readable length.
Deleted and hidden posts never appear, whoever views the page. The template embeds the dict with Flask's
`tojson`, which writes <, > and & as \\u003c..., so no post can close the <script> element.
"""
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache

from ...markup import excerpt
from ...models import Answer, FaqEntry, Question, User
from ...urls import absolute, faq_entry_path, question_path, user_path
from ..people.names import display_name

CONTEXT = "https://schema.org"
QUESTION_TEXT_LENGTH = 1000
ANSWER_TEXT_LENGTH = 1000
SUGGESTED_ANSWERS = 5  # the top-voted answers besides the accepted one


def qa_page(question: Question, answers: Iterable[Answer], base: str) -> dict | None:
    """A thread's QAPage; None for a deleted or hidden question (its page is not for search engines)."""
    if not _public(question):
        return None
    visible = [answer for answer in answers if _public(answer)]
    accepted = next((a for a in visible if a.id == question.accepted_answer_id), None)
    others = sorted((a for a in visible if a is not accepted), key=lambda a: (-a.score, a.created_at, a.id))
    entity = {
        "@type": "Question",
        "name": question.title,
        "text": _text(question.body_html, QUESTION_TEXT_LENGTH) or question.title,
        "answerCount": len(visible),
        "upvoteCount": question.score,  # Google: one figure for up- and downvotes together, i.e. the score
        "dateCreated": _date(question.created_at),
        "datePublished": _date(question.created_at),
        "author": _person(question.author, base),
        "url": absolute(base, question_path(question.id, question.title)),
    }
    if question.edited_at:
        entity["dateModified"] = _date(question.edited_at)
    if accepted is not None:
        entity["acceptedAnswer"] = _answer(accepted, question, base)
    if others:
        entity["suggestedAnswer"] = [_answer(a, question, base) for a in others[:SUGGESTED_ANSWERS]]
    return {"@context": CONTEXT, "@type": "QAPage", "mainEntity": entity}


def faq_page(entries: Iterable[FaqEntry], base: str) -> dict | None:
    """An FAQPage of published entries (the list, or one entry's page); None when there is none to show."""
    questions = [_faq_question(entry, base) for entry in entries if entry.is_published]
    if not questions:
        return None
    return {"@context": CONTEXT, "@type": "FAQPage", "mainEntity": questions}


def _public(post) -> bool:
    return post.deleted_at is None and post.hidden_at is None


def _answer(answer: Answer, question: Question, base: str) -> dict:
    return {
        "@type": "Answer",
        "text": _text(answer.body_html, ANSWER_TEXT_LENGTH),
        "upvoteCount": answer.score,
        "dateCreated": _date(answer.created_at),
        "datePublished": _date(answer.created_at),
        "url": absolute(base, question_path(question.id, question.title, anchor=f"answer-{answer.id}")),
        "author": _person(answer.author, base),
    }


def _faq_question(entry: FaqEntry, base: str) -> dict:
    question = {"@type": "Question", "name": entry.title}
    if entry.question_html:
        question["text"] = excerpt(entry.question_html, QUESTION_TEXT_LENGTH)
    question["url"] = absolute(base, faq_entry_path(entry.id, entry.title))
    question["acceptedAnswer"] = {"@type": "Answer", "text": excerpt(entry.answer_html, ANSWER_TEXT_LENGTH)}
    return question


@lru_cache(maxsize=256)
def _text(html: str, length: int) -> str:
    """A post's plain text, cut: remembered per stored HTML, since a thread page's six texts would otherwise
    each be parsed on every view (an edit stores new HTML, which misses and is parsed once)."""
    return excerpt(html, length)


def _person(user: User, base: str) -> dict:
    if user.deleted_at is not None:  # an erased account: its placeholder name, and no profile to link to
        return {"@type": "Person", "name": display_name(user)}
    return {"@type": "Person", "name": user.username, "url": absolute(base, user_path(user.id))}


def _date(value: datetime) -> str:
    return value.isoformat(timespec="seconds") + "Z"  # stored in UTC, without a zone

