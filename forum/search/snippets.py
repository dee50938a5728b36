"""Titles and snippets with the searched words marked, for any backend.

Whoosh's highlight module is used here as a text library: it runs our analyser over the text shown (no index
involved), so the marks land on exactly the words the analysis matches, whichever backend found the threads.
"""
from __future__ import annotations

from markupsafe import Markup, escape
from whoosh import highlight

from .analysis import KotaeTokenizer

HIGHLIGHT_CHARS = 20_000  # longer bodies are highlighted in their first part (the excerpt fills in)
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
    marked = highlight.highlight(text[:HIGHLIGHT_CHARS], frozenset(terms), _ANALYZER, fragmenter, _FORMATTER,
                                 top=top, mode="index")
    return Markup(marked) if marked else None
