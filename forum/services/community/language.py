"""The language a post is written in: Japanese or English, told apart by script.

The rule: code (fenced blocks, indented blocks, `inline code`) and URLs are left out, then the title and body's
Japanese characters (hiragana, katakana, kanji) are counted against Latin letters. A Japanese character carries
about as much as a short English word, so each counts three times: the text is Japanese when
3 x Japanese >= Latin and there is at least one Japanese character. "Windowsアプリで同期できない" is Japanese;
"I asked 田中さん about sync" is English. Text with neither (code only, numbers) is `default`. Everything
else (other scripts, other Latin-script languages) is English: the site speaks two languages.
"""
from __future__ import annotations

import re

JAPANESE, ENGLISH = "ja", "en"
LANGUAGES = (JAPANESE, ENGLISH)
AUTO = "auto"  # an edit that asks for the language to be detected again
JAPANESE_WEIGHT = 3

_FENCED = re.compile(r"^(```|~~~).*?(^\1|\Z)", re.MULTILINE | re.DOTALL)
_INDENTED = re.compile(r"^(?: {4}|\t).*$", re.MULTILINE)
_INLINE = re.compile(r"`[^`\n]*`")
_URL = re.compile(r"https?://\S+")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")


def prose(markdown: str) -> str:
    """The text of a Markdown body without its code and URLs."""
    text = _FENCED.sub(" ", markdown or "")
    text = _INDENTED.sub(" ", text)
    return _URL.sub(" ", _INLINE.sub(" ", text))


def detect_language(title: str, body_md: str = "", default: str = ENGLISH) -> str:
    """"ja" or "en" for a post's title and Markdown body (see the module's rule)."""
    text = f"{title or ''}\n{prose(body_md)}"
    japanese, latin = len(_JAPANESE.findall(text)), len(_LATIN.findall(text))
    if not japanese and not latin:
        return default if default in LANGUAGES else ENGLISH
    return JAPANESE if japanese and japanese * JAPANESE_WEIGHT >= latin else ENGLISH


def normalise(code: str | None) -> str | None:
    """A language code from a form or a URL ("ja", "en", "ja_JP"): "ja", "en", or None for anything else."""
    code = (code or "").strip().lower().replace("-", "_").split("_")[0]
    return code if code in LANGUAGES else None
