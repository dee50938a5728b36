"""Timing the search benchmarks' queries: the backend alone, the search page's service call, similar and related."""
import random
import statistics
import time

from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Question
from forum.search import searching
from forum.search.query import parse
from forum.services.community.search import fetch_questions, search_questions


def run_similar(app, samples: int = 100) -> dict:
    """Similar titles (the ask page, per keystroke pause) and related threads (question page, uncached)."""
    service = app.extensions["kotae_search"]
    rng = random.Random(5)
    top = db.session.scalar(select(func.max(Question.id)))
    ids = rng.sample(range(1, top + 1), min(top, samples * 4))
    questions = db.session.scalars(select(Question).where(Question.id.in_(ids))).all()[:samples]
    timings: dict[str, list] = {"similar": [], "related": []}
    for question in questions:
        started = time.perf_counter()
        searching.similar(service.backend, question.title, fetch=fetch_questions)  # as the ask page: one query
        middle = time.perf_counter()
        searching.uncached_related(service.backend, question, 5)
        timings["similar"].append(middle - started)
        timings["related"].append(time.perf_counter() - middle)
    db.session.remove()
    return {name: percentiles(values) for name, values in timings.items()}


def percentiles(values: list[float]) -> dict:
    ordered = sorted(values)
    pick = lambda p: ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]  # noqa: E731
    return {"p50_ms": round(statistics.median(ordered) * 1000, 1), "p95_ms": round(pick(0.95) * 1000, 1),
            "max_ms": round(ordered[-1] * 1000, 1)}


def run_queries(app, query_list) -> dict:
    service = app.extensions["kotae_search"]
    timings: dict[str, list] = {"index": [], "page": [], "index_first_pass": []}
    by_language: dict[str, list] = {}
    zero = 0
    for warm in (False, True):
        for language, text in query_list:
            started = time.perf_counter()
            service.backend.search(parse(text), "relevance", 20)  # the top 21, the count, the ids of 20
            middle = time.perf_counter()
            with app.test_request_context("/search"):
                outcome = search_questions(text, per_page=20)
            ended = time.perf_counter()
            db.session.remove()
            if not warm:  # before the backend's postings cache holds the query's words (see the docstring)
                timings["index_first_pass"].append(middle - started)
            if warm:
                timings["index"].append(middle - started)
                timings["page"].append(ended - middle)
                by_language.setdefault(language, []).append(ended - middle)
                zero += outcome.total == 0
    return {"queries": len(query_list), "zero_hit_queries": zero,
            "index": percentiles(timings["index"]), "page": percentiles(timings["page"]),
            "index_first_pass": percentiles(timings["index_first_pass"]),
            "page_by_language": {k: percentiles(v) for k, v in by_language.items()}}
