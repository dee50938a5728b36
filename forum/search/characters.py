"""NFKC normalisation that remembers where each normalised character came from, so highlights land on the
characters the user typed (full-width letters, half-width kana, combining marks)."""
from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize"]

_unstable = None


def _unstable_chars() -> re.Pattern:
    """A cluster to normalise: a character plus combining marks, or any character NFKC changes."""
    global _unstable
    if _unstable is None:
        marks, changed = [], []
        for cp in range(0x20000):
            ch = chr(cp)
            if unicodedata.combining(ch) or ch in "\uff9e\uff9f":
                marks.append(cp)
            elif unicodedata.normalize("NFKC", ch) != ch:
                changed.append(cp)
        marks_class, changed_class = _char_class(marks), _char_class(changed)
        _unstable = re.compile(rf"[^{marks_class}]?[{marks_class}]+|[{changed_class}]", re.DOTALL)
    return _unstable


def _char_class(codepoints: list[int]) -> str:
    ranges: list[list[int]] = []
    for cp in codepoints:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)


def normalize(text: str) -> tuple[str, list[int] | None, list[int] | None]:
    """NFKC text plus, when it differs, the start and end in `text` of each normalised character."""
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        return text, None, None
    parts, starts, ends, last = [], [], [], 0
    for match in _unstable_chars().finditer(text):
        begin, end = match.span()
        if begin > last:
            parts.append(text[last:begin])
            starts.extend(range(last, begin))
            ends.extend(range(last + 1, begin + 1))
        normalised = unicodedata.normalize("NFKC", match.group())
        parts.append(normalised)
        starts.extend([begin] * len(normalised))
        ends.extend([end] * len(normalised))
        last = end
    parts.append(text[last:])
    starts.extend(range(last, len(text)))
    ends.extend(range(last + 1, len(text) + 1))
    return "".join(parts), starts, ends
