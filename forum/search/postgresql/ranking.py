"""Running a plan (queries.py): the matching rows, ranked by BM25F or sorted by a column, with their count.

Ranked statements have four levels: the rows the GIN index and the conditions let through, their vectors
unpacked once (`|| ''`: each `ts_rank_cd` would otherwise decompress the vector again); each scored term's
weighted frequency, one `ts_rank_cd` per term and row; then the sum of the terms' BM25 contributions, ordered.

A sentence matches any of its words, and its commonest words match thousands of threads that cannot make the
first page: `run_pruned` ranks the rarest word's threads first, and then leaves out the threads that have only
words whose best possible scores add up to less than the last of those (MaxScore, exact for the top rows).

Most thread searches are plainer than that: words over the whole thread, with no operator, phrase or exclusion.
Those never read a tsvector: `run_postings` ranks them from `search_postings` alone (a term's weighted frequency
in each thread, and the thread's lengths), one index-only scan per term: each term's postings are packed into
byte strings and summed by thread in numpy (arrays.py), and kept in memory while the term's version stands. The
scores are the same sums as the four-level statement's; reading a thread's vectors cost 10-70 microseconds per
matching row, a posting well under one. Keywords once joined their terms' scans on the thread in SQL (merge joins:
`python import error` at 100,000 threads 62 -> 32 ms against grouping); the kept arrays do better still (English
keywords' search page p95 at 100,000 threads 51 -> 30 ms, bench/search.py).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import text

from ..backend import THREADS
from .arrays import PostingArrays, ranked
from .queries import Plan, joined, lexeme
from .scoring import B, FIELDS, K1, Statistics, bm25_sql, tf_sql

ORDERS = {"newest": "created DESC, id DESC", "active": "activity DESC, id DESC",
          "votes": "score DESC, created DESC, id DESC"}
SUMMARY = ("title", "score", "answer_count", "has_accepted", "tags")
LENGTH_COLUMNS = ("text_length", "question_length", "title_length", "answers_length", "accepted_length",
                  "words_length")


@dataclass
class Shape:
    """What to ask of the ranked rows beyond their ids."""

    columns: tuple[str, ...] = ()  # stored columns to return
    min_matched: int = 0  # distinct words a row must contain (FAQ sentences, similar FAQ entries)
    coordination: float | None = None  # Whoosh's Or(scale=...) bonus for rows matching more of the words
    exclude_id: int | None = None  # leave this document out (related threads)


def run(connection, kind: str, plan: Plan, stats: Statistics | None, limit: int, sort: str = "relevance",
        shape: Shape = Shape()) -> list:
    """The best `limit` rows of the plan: id, has_official, total (how many match) and `shape.columns`."""
    if sort == "relevance" and stats is not None and kind == THREADS:
        terms = postings_terms(plan)
        if terms is not None:
            return run_postings(connection, terms, stats, limit, shape, plan.language, plan.words_only)[0]
    sql = plan.sql
    where = [f"kind = {sql.bind(kind)}", *plan.where()]
    if shape.exclude_id is not None:
        where.append(f"id <> {sql.bind(shape.exclude_id)}")
    columns = ", ".join(("id", "has_official", *shape.columns))
    if sort != "relevance" or not plan.scored or stats is None:
        statement = (f"SELECT {columns}, count(*) OVER () AS total FROM search_documents WHERE {' AND '.join(where)} "
                     f"ORDER BY {ORDERS.get(sort, 'id')} LIMIT {int(limit)}")
    else:
        statement = _ranked(plan, stats, " AND ".join(where), columns, limit, shape)
    return connection.execute(text(statement), sql.params).mappings().all()


def _ranked(plan: Plan, stats: Statistics, where: str, columns: str, limit: int, shape: Shape) -> str:
    """The four-level ranked statement (see the module's docstring)."""
    frequencies: dict[tuple[str, str], str] = {}  # (field, term) -> the column of its weighted frequency
    for field_name, term, _boost in plan.scored:
        frequencies.setdefault((field_name, term), f"tf{len(frequencies)}")
    measured = ", ".join(f"{tf_sql(f, plan.sql.tsquery(lexeme(t, FIELDS[f].label)))} AS {alias}"
                         for (f, t), alias in frequencies.items())
    score = " + ".join(bm25_sql(stats, f, t, frequencies[f, t], boost, plan.length(f)) for f, t, boost in plan.scored)
    per_word: dict[str, list[str]] = {}  # a word counts as matched when any of its fields has it
    for (_field, term), alias in frequencies.items():
        per_word.setdefault(term, []).append(alias)
    matched = " + ".join(f"(CASE WHEN {' OR '.join(f'{a} > 0' for a in aliases)} THEN 1 ELSE 0 END)"
                         for aliases in per_word.values())
    if shape.coordination is not None:
        count = len(per_word)
        score = f"(({score}) + (({matched}) - 1) / {(count - shape.coordination) ** 2!r}) * {(count - 1) / count!r}"
    outer_where = f"WHERE ({matched}) >= {int(shape.min_matched)}" if shape.min_matched > 1 else ""
    unpacked = ", ".join(f"{vector} || ''::tsvector AS {vector}"
                         for vector in sorted({FIELDS[f].vector for f, _t in frequencies}))
    lengths = ", ".join(LENGTH_COLUMNS)
    return (f"SELECT {columns}, count(*) OVER () AS total, {score} AS rank FROM ("
            f"SELECT {columns}, {lengths}, {measured} FROM ("
            f"SELECT {columns}, {lengths}, {unpacked} FROM search_documents WHERE {where} OFFSET 0) AS matched "
            f"OFFSET 0) AS measured {outer_where} ORDER BY rank DESC, id LIMIT {int(limit)}")


def run_pruned(connection, kind: str, plan: Plan, stats: Statistics | None, limit: int, sort: str = "relevance",
               shape: Shape = Shape()) -> tuple[list, bool]:
    """`run`, skipping the rows that cannot be among the best `limit` (see the module's docstring); also whether
    the rows' `total` counts every match (False: at least that many)."""
    terms = postings_terms(plan) if kind == THREADS else None
    if sort == "relevance" and stats is not None and terms is not None:
        return run_postings(connection, terms, stats, limit, shape, plan.language, plan.words_only)
    if sort != "relevance" or stats is None or len(plan.any_words) < 2:
        return run(connection, kind, plan, stats, limit, sort, shape), True
    best, rest = {word: 0.0 for word in plan.any_words}, 0.0
    for field_name, term, boost in plan.scored:
        bound = stats.idf(field_name, term) * boost * (K1 + 1)  # BM25's tf part stays below K1 + 1
        if term in best:
            best[term] += bound
        else:
            rest += bound  # a phrase or title: clause beside the sentence
    ordered = sorted(best, key=lambda word: -best[word])
    first = run(connection, kind, _matching(plan, ordered[:1]), stats, limit, sort, shape)
    left_out = unreachable(best, rest, first[-1]["rank"]) if len(first) == limit else []
    if not left_out:
        return run(connection, kind, plan, stats, limit, sort, shape), True
    return run(connection, kind, _matching(plan, [w for w in ordered if w not in left_out]), stats, limit, sort,
               shape), False


def unreachable(best: dict[str, float], rest: float, bar: float) -> list[str]:
    """The commonest words whose best possible scores, with all of the rest of the query's, add up to less than
    `bar`: a row with none of the other words scores below it. The rarest word always stays."""
    left_out, total = [], rest
    for word in sorted(best, key=lambda w: best[w])[:-1]:
        if total + best[word] >= bar:
            break
        total += best[word]
        left_out.append(word)
    return left_out


def _matching(plan: Plan, words: list[str]) -> Plan:
    """The plan with its any-of-the-words clause narrowed to these words (every word still scores)."""
    return replace(plan, match=[joined([lexeme(w) for w in words], "|"), *plan.match[1:]])


@dataclass
class PostingTerms:
    """A plain thread search as postings: each term's summed boost, and how many distinct terms a thread needs
    (of those not in `extra`: a sentence's bigrams, which only add to the score)."""

    boosts: dict[str, float]
    required: int
    extra: frozenset = frozenset()


def postings_terms(plan: Plan) -> PostingTerms | None:
    """The plan as postings when they alone can rank it: every scored term over the whole thread (`text`), no
    SQL condition, and either one any-of-the-words clause (a sentence) or only all-of-the-words clauses."""
    if plan.conditions or not plan.scored or any(field != "text" for field, _t, _b in plan.scored):
        return None
    boosts: dict[str, float] = {}
    for _field, term, boost in plan.scored:
        boosts[term] = boosts.get(term, 0.0) + boost
    if plan.any_words:
        return PostingTerms(boosts, 1, frozenset(boosts) - set(plan.any_words)) if len(plan.match) == 1 else None
    if any("|" in match for match in plan.match):  # an any-of clause not marked as such: leave it to SQL
        return None
    return PostingTerms(boosts, len(boosts))


# Below this many postings a sentence reads them all (packed arrays, about 0.3 microseconds each): the pruning's
# three round trips cost more, and when it fails the postings are read anyway.
PRUNE_ABOVE = 100_000
FIRST_PASS_POSTINGS = 20_000  # postings the first pass of a pruned sentence may read (its rarest words')
CANDIDATES = 1000  # at least this many threads get their whole score in a pruned sentence's second pass


def run_postings(connection, terms: PostingTerms, stats: Statistics, limit: int, shape: Shape,
                 language: str | None = None, words_only: bool = False) -> tuple[list, bool]:
    """`run` for a plain thread search, from `search_postings` (see the module's docstring): the same BM25 sums,
    coordination bonus and order, then the page's rows' stored columns by primary key. Also whether `total`
    counts every match (False: a pruned sentence, at least that many). With a `language`, only the postings of
    threads in it count (each posting carries its thread's language); the pruning bounds, which count threads
    of every language, still hold for fewer threads. `words_only`: keywords, scored by the words-only length."""
    weights = {term: stats.idf("text", term) * boost * (K1 + 1) for term, boost in terms.boosts.items()}
    norm = {"flat": K1 * (1 - B), "scaled": K1 * B / stats.average("words" if words_only else "text")}
    plain = terms.required == 1 and shape.coordination is None and shape.min_matched <= 1 and not words_only
    arrays = PostingArrays(connection, language, words_only, stats.versions)
    if plain and len(weights) > 1 and sum(stats.df("text", term) for term in weights) > PRUNE_ABOVE:
        pruned = _pruned(arrays, weights, norm, stats, limit, shape, terms.extra)
        if pruned is not None:
            return _stored_columns(connection, pruned, shape), False
    required = max(terms.required, shape.min_matched)
    rows = ranked(arrays, weights, norm, limit, required, shape.coordination, shape.exclude_id, terms.extra)
    return _stored_columns(connection, rows, shape), True


def _aggregated(connection, weights: dict[str, float], norm: dict, limit: int, shape: Shape,
                required: int = 1, ids: list[int] | None = None, count: bool = True,
                language: str | None = None) -> list:
    """Threads with these terms (at least `required` of them; only `ids` when given; only in `language` when
    given), ranked by the terms' BM25 sum: id, rank, total, grouped in SQL. Used for the few threads of a pruned
    sentence (`ids`, looked up by primary key); whole postings lists go through `arrays.ranked`."""
    names = sorted(weights)
    score = "sum(query.weight * posting.frequency / (posting.frequency + :flat + :scaled * posting.length))"
    if shape.coordination is not None:
        number = len(names)
        score = f"(({score}) + (count(*) - 1) / {(number - shape.coordination) ** 2!r}) * {(number - 1) / number!r}"
    conditions = ["posting.id <> :exclude"] if shape.exclude_id is not None else []
    if ids is not None:
        conditions.append("posting.id = ANY(:ids)")
    if language is not None:
        conditions.append("posting.language = :language")
    return connection.execute(text(
        f"SELECT posting.id, {score} AS rank" + (", count(*) OVER () AS total " if count else " ")
        + "FROM unnest(CAST(:terms AS text[]), CAST(:weights AS float8[])) AS query(term, weight) "
        "JOIN search_postings AS posting ON posting.term = query.term "
        + (f"WHERE {' AND '.join(conditions)} " if conditions else "")
        + "GROUP BY posting.id " + ("HAVING count(*) >= :required " if required > 1 else "")
        + "ORDER BY rank DESC, posting.id LIMIT :limit"),
        {"terms": names, "weights": [weights[name] for name in names], **norm, "required": required,
         "limit": int(limit), "exclude": shape.exclude_id, "ids": ids, "language": language}).mappings().all()


def _pruned(arrays: PostingArrays, weights: dict[str, float], norm: dict, stats: Statistics, limit: int,
            shape: Shape, extra=frozenset()) -> list | None:
    """The best `limit` threads of a sentence without reading its commonest words' postings in full (MaxScore):

    1. the rarest words' postings (FIRST_PASS_POSTINGS at most) give each of their threads part of its score: the
       best CANDIDATES by that part, and the `limit`-th best part, a floor under the `limit`-th best whole score;
    2. the common words whose best possible scores add up to less than that floor cannot lift a thread with none
       of the other words onto the page (`unreachable`): they are left out. When some common words stay in,
       the candidates are ranked again by all the words that stay (their postings read in full);
    3. the candidates get the left-out words' scores from those words' postings, by primary key;
    4. that is exact when the `limit`-th whole score beats what any thread outside the candidates could reach.

    None when no common word can be left out or the check in 4 fails: the caller then reads every posting.
    Terms in `extra` (bigrams) never match a thread alone: they are never among the rare words of 1, and are
    left out or kept as common words are."""
    by_rarity = sorted((term for term in weights if term not in extra), key=lambda term: (stats.df("text", term), term))
    rare, read = [], 0
    for term in by_rarity:
        if rare and read + stats.df("text", term) > FIRST_PASS_POSTINGS:
            break
        rare.append(term)
        read += stats.df("text", term)
    common = by_rarity[len(rare):] + sorted(extra & set(weights))
    if not common:
        return None  # every posting is cheap to read
    wanted = max(CANDIDATES, limit)
    language = arrays.language
    candidates = ranked(arrays, {term: weights[term] for term in rare}, norm, wanted + 1,
                        exclude_id=shape.exclude_id)
    if len(candidates) < limit:
        return None
    with_rare_words = candidates[0]["total"]
    bounds = {term: weight * stats.share_bound(term) for term, weight in weights.items()}
    left_out = [term for term in unreachable(bounds, 0.0, candidates[limit - 1]["rank"]) if term in common]
    if not left_out:
        return None
    if len(left_out) < len(common):  # the candidates must have the other common words' scores too
        kept = {term: weight for term, weight in weights.items() if term not in left_out}
        candidates = ranked(arrays, kept, norm, wanted + 1, exclude_id=shape.exclude_id, extra=extra)
    reachable = sum(bounds[term] for term in left_out)  # the most the left-out words add to any thread
    beyond = candidates[-1]["rank"] + reachable if len(candidates) > wanted else 0.0
    candidates = candidates[:wanted]
    left_out_weights = {term: weights[term] for term in left_out}

    def completed(rows: list) -> list[tuple[float, int]]:
        added = {row["id"]: row["rank"] for row in _aggregated(
            arrays.connection, left_out_weights, norm, len(rows), shape, ids=[row["id"] for row in rows],
            count=False, language=language)}
        return [(row["rank"] + added.get(row["id"], 0.0), row["id"]) for row in rows]

    # The best few first: their `limit`-th whole score says which of the others could still pass it.
    first = max(limit, CANDIDATES // 10)
    whole = sorted(completed(candidates[:first]), key=lambda pair: (-pair[0], pair[1]))
    if len(whole) >= limit:
        floor = whole[limit - 1][0] - reachable
        rest = [row for row in candidates[first:] if row["rank"] > floor]
        whole = sorted(whole + completed(rest), key=lambda pair: (-pair[0], pair[1])) if rest else whole
    whole = whole[:limit]
    if len(whole) < limit or whole[-1][0] <= max(beyond, reachable):
        return None
    # Every thread with the commonest word matches; in one language, at least every one with a rare word does.
    at_least = with_rare_words if language else max(stats.df("text", term) for term in weights if term not in extra)
    return [{"id": doc_id, "rank": rank, "total": at_least} for rank, doc_id in whole]


def _stored_columns(connection, ranked: list, shape: Shape) -> list:
    """The ranked rows with `has_official` and `shape.columns` from search_documents, in rank order."""
    if not ranked:
        return []
    columns = ", ".join(("id", "has_official", *shape.columns))
    stored = {row["id"]: row for row in connection.execute(text(
        f"SELECT {columns} FROM search_documents WHERE kind = :kind AND id = ANY(:ids)"),
        {"kind": THREADS, "ids": [row["id"] for row in ranked]}).mappings()}
    return [{**stored[row["id"]], "rank": row["rank"], "total": row["total"]} for row in ranked
            if row["id"] in stored]
