"""Reading the thread documents: ranked ids for the search page, "did you mean", similar and related threads."""
from __future__ import annotations

from collections import Counter
from math import log

from sqlalchemy import text

from ..analysis import terms as analyse
from ..backend import THREADS, Hits, IndexUnavailable, ThreadSummary
from ..query import ParsedQuery, telling_grams
from . import scoring
from .queries import Plan, Sql, any_of, build
from .ranking import SUMMARY, Shape, run, run_pruned

COMMON_SHARE, COMMON_MIN_DOCS = 0.05, 2000  # as whoosh/searching.py: very common words slow similar threads down
SPELLING_SIMILARITY = 0.2  # pg_trgm candidates for "did you mean", then checked by edit distance


def search(connection, parsed: ParsedQuery, sort: str, limit: int) -> Hits | None:
    """The best `limit` threads (see `SearchBackend.search`)."""
    plan = build(parsed)
    if not plan.searchable:
        return None
    stats = scoring.load(connection, THREADS, asked(plan))
    if stats is None:
        raise IndexUnavailable("no thread documents in the database yet")
    plan = build(parsed, df=lambda word: stats.df("text", word), documents=stats.documents)
    rows, exact = run_pruned(connection, THREADS, plan, stats, limit, sort)
    return Hits(ids=[row["id"] for row in rows], total=rows[0]["total"] if rows else 0, exact=exact,
                official={row["id"] for row in rows if row["has_official"]}, terms=plan.terms,
                scores=[float(row["rank"]) for row in rows] if sort == "relevance" else [])


def asked(plan: Plan) -> set[str]:
    """Every term whose statistics the search needs: its scored terms, and all of a sentence's words."""
    return {term for _field, term, _boost in plan.scored} | plan.terms


def corrections(connection, words: list[str]) -> dict[str, str]:
    """Each word whose term no thread contains, mapped to the closest title word (see `_closest`)."""
    first = {word: terms[0] for word in words if (terms := analyse(word))}
    known = _known(connection, set(first.values()))
    found = {}
    for word, term in first.items():
        if term in known:
            continue
        better = _closest(connection, word.lower())
        if better and better != word.lower():
            found[word] = better
    return found


def _known(connection, terms: set[str]) -> set[str]:
    """Those of the terms some thread contains (one statement for the whole query)."""
    if not terms:
        return set()
    return set(connection.execute(text(
        "SELECT term FROM search_terms WHERE kind = :kind AND field = 'text' AND term = ANY(:terms) "
        "AND documents > 0"), {"kind": THREADS, "terms": sorted(terms)}).scalars())


def _closest(connection, word: str) -> str | None:
    """The title word fewest edits away (one, else two; a transposition is one), sharing the first letter; of
    those the one in most titles. pg_trgm finds the candidates, as Whoosh's word graph does."""
    connection.execute(text("SELECT set_config('pg_trgm.similarity_threshold', :limit, true)"),
                       {"limit": str(SPELLING_SIMILARITY)})
    candidates = connection.execute(text(
        "SELECT term, documents FROM search_terms WHERE kind = :kind AND field = 'spell' AND documents > 0 "
        "AND term % :word AND left(term, 1) = left(:word, 1)"), {"kind": THREADS, "word": word}).all()
    ranked = sorted((distance, -documents, term) for term, documents in candidates
                    if (distance := edit_distance(word, term)) <= 2)
    return ranked[0][2] if ranked else None


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment), as Whoosh's `terms_within` counts edits."""
    previous2, previous = None, list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, y in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y))
            if previous2 is not None and i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


# -- similar and related threads -----------------------------------------------------------------------------

def summaries(rows) -> list[ThreadSummary]:
    return [{"id": row["id"], "title": row["title"], "score": row["score"], "answer_count": row["answer_count"],
             "accepted": row["has_accepted"], "official": row["has_official"], "tags": list(row["tags"]),
             "relevance": float(row.get("rank") or 0.0)}
            for row in rows]


def similar(connection, words: list[str], limit: int, grams: list[str] = ()) -> list[ThreadSummary]:
    """Threads with any of a title's telling words over the whole thread, ranked as a sentence is (BM25F, with its
    rarest bigrams)."""
    stats = scoring.load(connection, THREADS, {*words, *grams})
    if not words or stats is None:
        return []
    words = telling(stats, words, keep=8)
    if not words:
        return []
    grams = telling_grams(list(grams), lambda gram: stats.df("text", gram), stats.documents)
    sql = Sql()
    built = any_of(sql, words, ("text",), grams=grams)
    plan = Plan(sql, match=[built.match], scored=built.scored, any_words=words)
    return summaries(run_pruned(connection, THREADS, plan, stats, limit, shape=Shape(columns=SUMMARY))[0])


def telling(stats: scoring.Statistics, words: list[str], keep: int) -> list[str]:
    """The rarest `keep` words the index knows, leaving out very common ones unless nothing else is left."""
    common = max(COMMON_MIN_DOCS, int(stats.documents * COMMON_SHARE))
    counted = sorted((stats.df("text", w), w) for w in words)
    known = [(df, w) for df, w in counted if df]
    rare = [w for df, w in known if df < common]
    return (rare or [w for _, w in known][:2])[:keep]


def related(connection, question_id: int, text_: str, limit: int) -> list[ThreadSummary]:
    """More like this: threads sharing the key terms of `text_`, the question itself left out."""
    counts = Counter(analyse(text_, mode="index"))
    stats = scoring.load(connection, THREADS, set(counts))
    if stats is None or not counts:
        return []
    weights = key_terms(stats, counts, 12)
    words = telling(stats, list(weights), keep=8)
    if not words:
        return []
    sql = Sql()
    built = any_of(sql, words, ("text",))
    plan = Plan(sql, match=[built.match], scored=[(f, w, weights[w]) for f, w, _b in built.scored], any_words=words)
    shape = Shape(columns=SUMMARY, coordination=0.9, exclude_id=question_id)
    return summaries(run(connection, THREADS, plan, stats, limit, shape=shape))


def key_terms(stats: scoring.Statistics, counts: Counter, number: int) -> dict[str, float]:
    """The `number` most telling terms of a text, by Whoosh's Bo1 model, normalised as Whoosh does. The
    collection frequency Bo1 asks for is taken as the document frequency (search_terms keeps no other)."""
    documents = stats.documents or 1
    scored = []
    for word, weight in counts.items():
        found = stats.df("text", word)
        if found:
            f = found / documents
            scored.append((weight * log((1.0 + f) / f, 2) + log(1.0 + f, 2), word))
    if not scored:
        return {}
    top = max(score for score, _word in scored)
    f = top / documents
    norm = (top * log((1.0 + f) / f) + log(1.0 + f)) / log(2.0)
    scored.sort(key=lambda item: (-item[0], item[1]))
    return {word: score / norm for score, word in scored[:number]}
