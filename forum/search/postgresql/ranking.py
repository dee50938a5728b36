"""Running a plan (queries.py): the matching rows, ranked by BM25F or sorted by a column, with their count.

Ranked statements have four levels: the rows the GIN index and the conditions let through, their vectors
unpacked once (`|| ''`: each `ts_rank_cd` would otherwise decompress the vector again); each scored term's
weighted frequency, one `ts_rank_cd` per term and row; then the sum of the terms' BM25 contributions, ordered.

A sentence matches any of its words, and its commonest words match thousands of threads that cannot make the
first page: `run_pruned` ranks the rarest word's threads first, and then leaves out the threads that have only
words whose best possible scores add up to less than the last of those (MaxScore, exact for the top rows).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import text

from .queries import Plan, joined, lexeme
from .scoring import FIELDS, K1, Statistics, bm25_sql, tf_sql

ORDERS = {"newest": "created DESC, id DESC", "active": "activity DESC, id DESC",
          "votes": "score DESC, created DESC, id DESC"}
SUMMARY = ("title", "score", "answer_count", "has_accepted", "tags")
LENGTH_COLUMNS = ("text_length", "question_length", "title_length", "answers_length", "accepted_length")


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
    score = " + ".join(bm25_sql(stats, f, t, frequencies[f, t], boost) for f, t, boost in plan.scored)
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
