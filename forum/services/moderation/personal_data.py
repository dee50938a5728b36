"""Personal data in a post: phone numbers, e-mail addresses, postal addresses, card numbers and My Number.

Pure functions, no request state. Text is matched after NFKC normalisation (full-width digits and signs become
ASCII), but every finding reports its span in the text as written. Code (fenced blocks and inline code) and URLs
are not searched: a phone-shaped number in a stack trace or a link is not someone's phone number.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

PHONE, EMAIL, POSTAL, CARD, MY_NUMBER = "phone", "email", "postal", "card", "my_number"
KINDS = (EMAIL, CARD, MY_NUMBER, PHONE, POSTAL)  # also the order of precedence when two findings overlap

_SEP = r"[ \-‐‑–—−ー]"  # what people put between digit groups (the long-vowel mark too, typed by IMEs)
# Not the tail or head of an id, a version, a path, a time or a hash. ASCII letters only: Japanese runs straight
# into numbers (電話は090-...まで), and \w would count its kana as part of a word.
_NOT_BEFORE = r"(?<![A-Za-z0-9_.\-+/#@])"
_NOT_AFTER = r"(?![.\-/:@]?[A-Za-z0-9_])"

_CODE_OR_URL = re.compile(
    r"(?ms)^[ \t]*(```|~~~).*?(?:^[ \t]*\1[ \t]*$|\Z)"  # fenced code block (to its closing fence or the end)
    r"|`[^`\n]+`"  # inline code
    r"|\b(?:https?|ftp)://[^\s<>\"'）」]+|\bwww\.[^\s<>\"'）」]+"  # URLs
)
_EMAIL = re.compile(r"(?<![A-Za-z0-9_.%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*"
                    r"\.[A-Za-z]{2,}(?![A-Za-z0-9\-])")
_PHONE_JP = re.compile(
    _NOT_BEFORE + r"(?:\(0\d{1,4}\)" + r"[ ]?\d{1,4}" + _SEP + r"\d{4}"  # (03) 1234-5678
    r"|0\d{1,4}" + _SEP + r"\d{1,4}" + _SEP + r"\d{3,4}"  # 03-1234-5678, 090-1234-5678, 0120-123-456
    r"|0[5789]0\d{8})" + _NOT_AFTER  # 09012345678 (mobile and IP phones, unseparated)
)
_PHONE_INTL = re.compile(
    r"(?<![\w+])\+\d{1,3}(?:" + _SEP + r"?\(?\d{1,4}\)?){2,5}" + _NOT_AFTER
)
_PREFECTURES = (
    "北海道 青森 岩手 宮城 秋田 山形 福島 茨城 栃木 群馬 埼玉 千葉 東京 神奈川 新潟 富山 石川 福井 山梨 長野 岐阜 静岡 愛知 "
    "三重 滋賀 京都 大阪 兵庫 奈良 和歌山 鳥取 島根 岡山 広島 山口 徳島 香川 愛媛 高知 福岡 佐賀 長崎 熊本 大分 宮崎 鹿児島 沖縄"
).split()
_POSTAL = re.compile(
    r"〒[ ]?\d{3}" + _SEP + r"?\d{4}(?!\d)"  # the postal mark makes any 7 digits an address
    r"|" + _NOT_BEFORE + r"\d{3}" + _SEP + r"\d{4}(?=[ 　,、]*(?:" + "|".join(_PREFECTURES)
    + r"|[^\s\d]{1,6}?[市区町村郡]))"  # 123-4567 then a prefecture or a city, ward, town or village
)
_LONG_NUMBER = re.compile(_NOT_BEFORE + r"\d(?:" + _SEP + r"?\d){11,18}" + _NOT_AFTER)
_CARD_PREFIX = re.compile(r"4|5[1-5]|2(?:2[2-9]|[3-6]\d|7[01]|720)|3[47]|3[068]|35|6011|65|64[4-9]|62")
_MY_NUMBER_SHAPE = re.compile(r"\d{12}|\d{4}(" + _SEP + r")\d{4}\1\d{4}")


@dataclass(frozen=True)
class Finding:
    kind: str
    text: str  # as written in the post
    start: int
    end: int

    @property
    def masked(self) -> str:
        """The value with most of it hidden, to show back (090-****-5678, t***@example.com)."""
        return mask(self.kind, self.text)


def find_personal_data(text: str) -> list[Finding]:
    """Every piece of personal data in `text`, in order, with spans in `text` as given."""
    if not text:
        return []
    normal, origin = _normalise(text)
    searched = _CODE_OR_URL.sub(lambda m: " " * len(m.group()), normal)
    candidates = [*_emails(searched), *_cards_and_my_numbers(searched), *_phones(searched), *_postal(searched)]
    candidates.sort(key=lambda c: (KINDS.index(c[0]), c[1]))
    taken: list[tuple[int, int]] = []
    found = []
    for kind, start, end in candidates:
        if any(start < t_end and t_start < end for t_start, t_end in taken):
            continue
        taken.append((start, end))
        first, last = origin[start], origin[end - 1] + 1
        found.append(Finding(kind, text[first:last], first, last))
    return sorted(found, key=lambda f: f.start)


def redact_spans(text: str, findings: list[Finding], replacement: str = "[redacted]") -> str:
    """`text` with each finding replaced."""
    for finding in sorted(findings, key=lambda f: f.start, reverse=True):
        text = text[:finding.start] + replacement + text[finding.end:]
    return text


def mask(kind: str, value: str) -> str:
    if kind == EMAIL:
        local, _, domain = unicodedata.normalize("NFKC", value).partition("@")
        return f"{local[:1]}***@{domain}"
    digits = sum(ch.isdigit() for ch in value)
    groups = re.findall(r"\d+", unicodedata.normalize("NFKC", value))
    keep_head = min(len(groups[0]), 3) if kind in (PHONE, POSTAL) and groups else 0
    keep_tail = {POSTAL: 0}.get(kind, 4)
    out, seen = [], 0
    for ch in value:
        if ch.isdigit():
            seen += 1
            ch = ch if seen <= keep_head or seen > digits - keep_tail else "*"
        out.append(ch)
    return "".join(out)


def luhn_ok(digits: str) -> bool:
    total = 0
    for position, ch in enumerate(reversed(digits)):
        value = int(ch) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def my_number_ok(digits: str) -> bool:
    """The check digit of a 12-digit My Number (individual number), as the Cabinet Office ordinance defines it."""
    if len(digits) != 12 or not digits.isdigit():
        return False
    body = digits[:11]
    total = sum(int(body[11 - n]) * (n + 1 if n <= 6 else n - 5) for n in range(1, 12))
    remainder = total % 11
    return int(digits[11]) == (0 if remainder <= 1 else 11 - remainder)


# --- Matching -------------------------------------------------------------------------------------------------

def _normalise(text: str) -> tuple[str, list[int]]:
    """NFKC, one character at a time, with the index in `text` each normalised character came from."""
    parts, origin = [], []
    for index, ch in enumerate(text):
        normal = unicodedata.normalize("NFKC", ch) if not ch.isascii() else ch
        parts.append(normal)
        origin.extend([index] * len(normal))
    return "".join(parts), origin


def _emails(text: str):
    for match in _EMAIL.finditer(text):
        yield EMAIL, match.start(), match.end()


def _phones(text: str):
    for match in _PHONE_JP.finditer(text):
        digits = _digits(match.group())
        if len(digits) in (10, 11):
            yield PHONE, match.start(), match.end()
    for match in _PHONE_INTL.finditer(text):
        if 8 <= len(_digits(match.group())) <= 15:
            yield PHONE, match.start(), match.end()


def _postal(text: str):
    for match in _POSTAL.finditer(text):
        yield POSTAL, match.start(), match.end()


def _cards_and_my_numbers(text: str):
    for match in _LONG_NUMBER.finditer(text):
        value = match.group()
        digits = _digits(value)
        if len(digits) == 12 and _MY_NUMBER_SHAPE.fullmatch(value) and my_number_ok(digits):
            yield MY_NUMBER, match.start(), match.end()
        elif 13 <= len(digits) <= 19 and _CARD_PREFIX.match(digits) and luhn_ok(digits) and _card_grouping(value):
            yield CARD, match.start(), match.end()


def _card_grouping(value: str) -> bool:
    """Unseparated, or separated into groups of 4 (Amex and Diners: 4-6-5 / 4-6-4) with one kind of separator."""
    groups = re.split(_SEP, value)
    if len(groups) == 1:
        return True
    separators = set(re.findall(_SEP, value))
    lengths = [len(g) for g in groups]
    return len(separators) == 1 and (all(n == 4 for n in lengths[:-1]) and 1 <= lengths[-1] <= 4
                                     or lengths in ([4, 6, 5], [4, 6, 4]))


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())

