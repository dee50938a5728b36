"""Questions and answers: list, read a thread, ask, answer, comment, vote, accept."""
from __future__ import annotations

from flask import current_app, url_for
from flask_babel import gettext as _
from spectree import Response
from sqlalchemy import select

from ..extensions import db, limiter
from ..models import Answer, Tag
from ..services.community import comments, posts, threads
from ..services.errors import NotFound
from ..services.reputation import votes
from ..views._common import rules, thresholds, vote_policy
from . import auth, bp, endpoint, present
from .schemas import (
    AcceptOut, AnswerOut, AskIn, BodyIn, CommentOut, Problem, QuestionList, QuestionsQuery, ThreadOut, VoteIn, VoteOut,
)

_WRITE_ERRORS = {"HTTP_400": Problem, "HTTP_401": Problem, "HTTP_403": Problem, "HTTP_404": Problem,
                 "HTTP_409": Problem, "HTTP_429": Problem}
_POSTING_ERRORS = {**_WRITE_ERRORS, "HTTP_422": Problem}  # 422: personal data found (see `post_anyway`)


def _posting_limit(config_key: str):
    return limiter.limit(lambda: current_app.config[config_key], key_func=auth.rate_limit_key, methods=["POST"])


@bp.get("/questions")
@endpoint(query=QuestionsQuery, resp=Response(HTTP_200=QuestionList, HTTP_400=Problem, HTTP_404=Problem),
               tags=["questions"])
def list_questions(query: QuestionsQuery):
    """Questions, newest first or by another tab, optionally with one tag."""
    tag = None
    if query.tag:
        tag = db.session.scalar(select(Tag).where(Tag.name == query.tag.lower()))
        if tag is None:
            raise NotFound(_("There is no such tag."))
    statement = threads.questions_query(query.tab, tag=tag, viewer=auth.caller(),
                                        language=query.lang if query.lang != "all" else None)
    page = db.paginate(statement, page=query.page, per_page=query.per_page, error_out=False, max_per_page=100)
    return {"items": [present.question_summary(q) for q in page.items], "page": query.page,
            "per_page": query.per_page, "total": page.total or 0, "has_next": page.has_next}


@bp.get("/questions/<int:question_id>")
@endpoint(resp=Response(HTTP_200=ThreadOut, HTTP_404=Problem), tags=["questions"])
def get_thread(question_id: int):
    """One thread: the question, its answers (accepted first, then by score) and every comment."""
    viewer = auth.caller()
    question = threads.get_question(question_id, viewer)
    return present.thread(threads.load_thread(question, viewer))


@bp.post("/questions")
@auth.WRITE
@_posting_limit("POST_RATE_LIMIT")
@endpoint(json=AskIn, resp=Response(HTTP_201=ThreadOut, **_POSTING_ERRORS), tags=["questions"],
               security=[{"bearer": []}])
def ask(json: AskIn):
    """Ask a question (the same rules as the ask page: title and body length, tags, new-tag privilege)."""
    question = posts.ask_question(auth.caller(), json.title, json.body, " ".join(json.tags), thresholds(),
                                  post_anyway=json.post_anyway, language=json.language)
    db.session.flush()
    body = present.thread(threads.Thread(question=question, answers=[]))
    return body, 201, {"Location": present.link(url_for(".get_thread", question_id=question.id))}


@bp.post("/questions/<int:question_id>/answers")
@auth.WRITE
@_posting_limit("POST_RATE_LIMIT")
@endpoint(json=BodyIn, resp=Response(HTTP_201=AnswerOut, **_POSTING_ERRORS), tags=["questions"],
               security=[{"bearer": []}])
def answer(question_id: int, json: BodyIn):
    """Answer a question."""
    caller = auth.caller()
    question = threads.get_question(question_id, caller)
    created = posts.post_answer(caller, question, json.body, post_anyway=json.post_anyway)
    db.session.flush()
    return present.answer(created, question), 201


@bp.post("/posts/<int:post_id>/comments")
@auth.WRITE
@_posting_limit("COMMENT_RATE_LIMIT")
@endpoint(json=BodyIn, resp=Response(HTTP_201=CommentOut, **_POSTING_ERRORS), tags=["questions"],
               security=[{"bearer": []}])
def comment(post_id: int, json: BodyIn):
    """Comment on a question or an answer (the comment privilege applies on other people's threads)."""
    caller = auth.caller()
    post = threads.get_post(post_id, caller)
    created = comments.add_comment(caller, post, json.body, thresholds(), post_anyway=json.post_anyway)
    return present.comment(created), 201


@bp.post("/posts/<int:post_id>/vote")
@auth.WRITE
@_posting_limit("VOTE_RATE_LIMIT")
@endpoint(json=VoteIn, resp=Response(HTTP_200=VoteOut, **_WRITE_ERRORS), tags=["questions"],
               security=[{"bearer": []}])
def vote(post_id: int, json: VoteIn):
    """Vote a post up (1) or down (-1), or retract your vote (0)."""
    caller = auth.caller()
    post = threads.get_post(post_id, caller)
    result = votes.cast_vote(caller, post, json.value, vote_policy())
    return {"score": result.score, "vote": result.vote}


@bp.post("/answers/<int:answer_id>/accept")
@auth.WRITE
@endpoint(resp=Response(HTTP_200=AcceptOut, **_WRITE_ERRORS), tags=["questions"], security=[{"bearer": []}])
def accept(answer_id: int):
    """The asker accepts this answer, or un-accepts it when it is already accepted."""
    caller = auth.caller()
    found = threads.get_post(answer_id, caller)
    if not isinstance(found, Answer):
        raise NotFound(_("This answer does not exist or was deleted."))
    accepted = votes.accept_answer(caller, found, rules())
    return {"accepted": accepted, "accepted_answer_id": found.question.accepted_answer_id}
