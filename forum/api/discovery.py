"""Finding answers: search, similar questions while asking, and answer suggestions for chatbots."""
from __future__ import annotations

from flask import g
from flask_babel import gettext as _
from markupsafe import Markup
from spectree import Response

from ..services.community import search as search_service
from ..services.community import suggestions
from ..services.insights import deflection
from ..unit_of_work import checkpoint
from ..urls import faq_entry_path, question_path
from . import auth, bp, endpoint, present
from .schemas import Problem, SearchOut, SearchQuery, SimilarOut, SimilarQuery, SuggestOut, SuggestQuery

_READ_ERRORS = {"HTTP_400": Problem, "HTTP_401": Problem, "HTTP_429": Problem}


def _plain(snippet) -> str:
    """Snippets are highlighted HTML (<mark>); the API sends the text, which clients may mark up themselves."""
    return Markup(snippet).striptags() if snippet else ""


def _count_help_search() -> None:
    """Note the search for the deflection rate, committed before the search reads (see unit_of_work)."""
    key, source = auth.visitor()
    if key is not None:
        user = g.get("api_user")
        deflection.record_search(key, user.id if user is not None else None, source)
        checkpoint()


@bp.get("/search")
@endpoint(query=SearchQuery, resp=Response(HTTP_200=SearchOut, **_READ_ERRORS), tags=["search"])
def search(query: SearchQuery):
    """Threads (and, on the first page, official FAQ entries) for words, a sentence or operators, as /search."""
    _count_help_search()
    results = search_service.search_questions(query.q, sort=query.sort, page=query.page, per_page=query.per_page,
                                              viewer=auth.caller(), language=query.lang if query.lang != "all" else None)
    items = [{
        "id": q.id, "title": q.title, "url": present.link(question_path(q.id, q.title)),
        "snippet": _plain(results.snippets.get(q.id)), "score": q.score, "answer_count": q.answer_count,
        "accepted": q.accepted_answer_id is not None, "official": q.id in results.official,
        "tags": [tag.name for tag in q.tags]} for q in results.items]
    faq = [{"id": e.id, "title": e.title, "url": present.link(faq_entry_path(e.id, e.title)),
            "snippet": _plain(results.faq_snippets.get(e.id))} for e in results.faq]
    return {"query": query.q, "suggestion": results.suggestion, "messages": [str(m) for m in results.messages],
            "faq": faq, "items": items, "page": results.page, "per_page": results.per_page, "total": results.total,
            "has_next": results.page < results.pages}


@bp.get("/similar")
@endpoint(query=SimilarQuery, resp=Response(HTTP_200=SimilarOut, **_READ_ERRORS), tags=["search"])
def similar(query: SimilarQuery):
    """FAQ entries and questions like a title being typed (what the ask page shows)."""
    found = search_service.similar_faq_entries(query.title, limit=3)
    items = [{"id": f["id"], "title": f["title"], "url": present.link(f["url"]), "faq": True} for f in found]
    for item in search_service.similar_questions(query.title, limit=query.limit):
        items.append({"id": item["id"], "title": item["title"], "faq": False, "score": item["score"],
                      "url": present.link(question_path(item["id"], item["title"])),
                      "answer_count": item["answer_count"], "accepted": item["accepted"]})
    return {"items": items}


@bp.get("/suggest")
@endpoint(query=SuggestQuery, resp=Response(HTTP_200=SuggestOut, **_READ_ERRORS), tags=["search"])
def suggest(query: SuggestQuery):
    """Up to three passages that answer a customer's sentence (FAQ entries, official and accepted answers), each
    with its source and a confidence; `answered: false` when there is no good answer (hand over to a person)."""
    _count_help_search()
    found = suggestions.suggest(query.q, limit=query.limit)
    items = [{"source_type": s.source_type, "title": s.title, "url": present.link(s.path), "passage": s.passage,
              "votes": s.votes, "resolved_rate": s.resolved_rate, "confidence": s.confidence} for s in found]
    message = (_("These answers may solve the problem.") if items
               else _("There is no good answer yet: ask the community or contact support."))
    return {"answered": bool(items), "message": message, "suggestions": items}

