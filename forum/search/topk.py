"""The page from a whole array of scores, shared by the backends that score postings in numpy
(whoosh/plain.py, postgresql/arrays.py)."""
from __future__ import annotations

import numpy as np


def with_coordination(scores: np.ndarray, matched: np.ndarray, found: np.ndarray, terms: int,
                      scale: float) -> None:
    """Whoosh's Or(scale=...) bonus for documents matching more of `terms` words (its CoordMatcher's formula),
    applied in place to the `found` documents."""
    scores[found] = (scores[found] + (matched[found] - 1) / (terms - scale) ** 2) * ((terms - 1) / terms)


def best(found: np.ndarray, scores: np.ndarray, limit: int) -> np.ndarray:
    """The `limit` best of the `found` documents, highest score first, lower number first on ties (as Whoosh's
    collector and the SQL `ORDER BY rank DESC, id` order them)."""
    if len(found) > limit:  # the scores that make the page, ties at its last place included
        floor = np.partition(scores[found], len(found) - limit)[len(found) - limit]
        found = found[scores[found] >= floor]
    return found[np.lexsort((found, -scores[found]))][:limit]
