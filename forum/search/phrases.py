"""A sentence's best threads ranked again by how much of it they say in the same words, in the same order.

BM25 scores words one by one: a thread that scatters a sentence's words over three paragraphs scores as well as
one that says "dict.setdefault でキーの値を取得" verbatim. So the first RERANK_DEPTH threads of a sentence search (both
backends alike: this runs on their ids and scores) get a bonus for the runs of PHRASE_MIN_CHARS or more characters
of the sentence that their title and question contain unchanged: the longest run (up to LONGEST_CAP characters)
and the length of all runs beyond the minimum (up to RUNS_CAP), scaled to the best BM25 score of the search. A run
of kana and punctuation alone (のですか) earns nothing. Characters, not words: Japanese has no spaces, and a code
identifier or a compound noun counts whole however the analyser splits it.

bench/search_quality.py, MRR@10 tuning / kept out, before -> after: ja-paragraph 0.907 / 0.871 -> 0.916 / 0.883,
ja-faq 0.669 / 0.607 -> 0.674 / 0.631, en-faq 0.654 / 0.651 -> 0.695 / 0.667, se-sentence 0.558 / 0.554 ->
0.582 / 0.572 (the weights, the minimum of 4 characters and the depth were chosen on the tuning parts; 3
characters, the share of the sentence covered, or Japanese runs only did worse). Keywords are not ranked again:
they have no order to keep. Similar questions while asking (a title typed as a sentence) are ranked again the
same way (searching.similar): se-duplicate MRR 0.298 / 0.106 -> 0.392 / 0.182.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Iterable

from ..markup import html_to_text

RERANK_DEPTH = 30
PHRASE_MIN_CHARS = 4
LONGEST_WEIGHT, LONGEST_CAP = 0.2, 12
RUNS_WEIGHT, RUNS_CAP = 0.3, 30
TEXT_CHARS = 20_000  # of a longer question, its start: a bound on the work, far beyond what a sentence repeats
_NOTHING_TELLING = re.compile(r"[\u3040-\u309f\u30fc\s\W_]*", re.UNICODE)  # kana, spaces, punctuation


def folded(text: str) -> str:
    """Text as runs are compared: NFKC, lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def verbatim_runs(sentence: str, text: str) -> list[int]:
    """The lengths of the longest runs of `sentence` found unchanged in `text`, left to right, none overlapping;
    only runs of PHRASE_MIN_CHARS or more that are not kana and punctuation alone (both already `folded`)."""
    runs, start = [], 0
    while start < len(sentence):
        length = 0
        while start + length < len(sentence) and sentence[start:start + length + 1] in text:
            length += 1
        run = sentence[start:start + length]
        if length >= PHRASE_MIN_CHARS and not _NOTHING_TELLING.fullmatch(run):
            runs.append(length)
            start += length
        else:
            start += 1
    return runs


def phrase_bonus(runs: list[int]) -> float:
    """The bonus for these runs, as a share of the search's best score."""
    longest = min(max(runs, default=0), LONGEST_CAP) / LONGEST_CAP
    beyond = min(sum(length - PHRASE_MIN_CHARS + 1 for length in runs), RUNS_CAP) / RUNS_CAP
    return LONGEST_WEIGHT * longest + RUNS_WEIGHT * beyond


def reranked(sentence: str, ids: list[int], scores: list[float], texts: dict[int, str]) -> list[int]:
    """The first RERANK_DEPTH of `ids` (best first, with their BM25 `scores`) ordered by score plus phrase bonus;
    the rest after them as they were. `texts` holds each thread's title and question (missing: no bonus)."""
    window = min(RERANK_DEPTH, len(ids), len(scores))
    best = max(scores[:window], default=0.0)
    if window < 2 or best <= 0:
        return list(ids)
    sentence = folded(sentence)
    combined = {thread_id: score / best + phrase_bonus(verbatim_runs(sentence, texts[thread_id]))
                if thread_id in texts else score / best
                for thread_id, score in zip(ids[:window], scores[:window])}
    order = sorted(range(window), key=lambda n: (-combined[ids[n]], n))  # ties keep the backend's order
    return [ids[n] for n in order] + list(ids[window:])


def thread_texts(questions: Iterable) -> dict[int, str]:
    """{id: folded title and question text} of fetched questions (objects with id, title, body_html)."""
    return {question.id: folded(f"{question.title}\n{html_to_text(question.body_html)}"[:TEXT_CHARS])
            for question in questions}
