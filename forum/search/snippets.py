"""Titles and snippets with the searched words marked, for any backend.

Whoosh's highlight module is used here as a text library: it runs our analyser over the text shown (no index
involved), so the marks land on exactly the words the analysis matches, whichever backend found the threads.
"""
from __future__ import annotations

from markupsafe import Markup, escape
from whoosh import highlight

from .analysis import KotaeTokenizer

HIGHLIGHT_CHARS = 1_500  # of a longer text, the part from just before the first word found (see _part)
_ANALYZER = KotaeTokenizer()


class _MarkFormatter(highlight.Formatter):
    """Escapes everything and wraps matches in <mark>: the only markup a snippet may carry."""

    between = " … "

    def _text(self, text):
        return str(escape(text))

    def format_token(self, text, token, replace=False):
        return f"<mark>{escape(highlight.get_text(text, token, replace))}</mark>"


_FORMATTER = _MarkFormatter()


def highlight_text(text: str, terms: set[str], whole: bool = False, top: int = 2) -> Markup | None:
    """Safe HTML with the matched words marked, or None when nothing matched."""
    if not text or not terms:
        return None
    fragmenter = highlight.WholeFragmenter() if whole else highlight.ContextFragmenter(maxchars=240, surround=70)
    fragmenter.charlimit = None
    marked = highlight.highlight(_part(text, terms), frozenset(terms), _ANALYZER, fragmenter, _FORMATTER,
                                 top=top, mode="index")
    return Markup(marked) if marked else None


def _part(text: str, terms: set[str]) -> str:
    """The HIGHLIGHT_CHARS of a text worth analysing: from a little before the first place where a term's letters
    appear (a stem such as "updat" is in "updated"; "the" also in "other", so it is only a first guess), else its
    start. Analysing a whole long answer for one snippet cost more than the search itself."""
    if len(text) <= HIGHLIGHT_CHARS:
        return text
    lowered = text.lower()
    found = [place for term in terms if (place := lowered.find(term)) >= 0]
    start = max(0, min(found) - 200) if found else 0
    if start:  # begin at a word boundary, so the first token is a whole word
        space = text.find(" ", start, start + 40)
        start = space + 1 if space >= 0 else start
    return text[start:start + HIGHLIGHT_CHARS]
