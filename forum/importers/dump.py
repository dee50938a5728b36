"""Reading a Stack Exchange data dump: one `<row .../>` per record, streamed, bad rows reported not fatal."""
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..markup import html_to_text

MAX_EXAMPLES = 5


Progress = Callable[[str, int], AbstractContextManager]  # (label, rows) -> a bar with update(n)


class _NoBar:
    def update(self, _n: int) -> None:
        pass


def no_progress(_label: str, _length: int) -> AbstractContextManager:
    return nullcontext(_NoBar())


class Malformed(ValueError):
    """A row that cannot be imported; the message says why."""


@dataclass
class Problems:
    """Skipped rows: how many per file, and the first few reasons as examples."""

    counts: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)

    def add(self, filename: str, reason: str) -> None:
        self.counts[filename] = self.counts.get(filename, 0) + 1
        if len(self.examples) < MAX_EXAMPLES:
            self.examples.append(f"{filename}: {reason}")

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def count_rows(path: Path) -> int:
    """Roughly how many rows a file holds (for a progress bar), without parsing it."""
    with path.open("rb") as handle:
        return sum(chunk.count(b"<row ") for chunk in iter(lambda: handle.read(1 << 20), b""))


def iter_rows(path: Path, on_error: Callable[[str], None]) -> Iterator[dict[str, str]]:
    """Each row's attributes, streamed with iterparse (expat skips the BOM).

    Broken XML in one row would end iterparse, so from the broken line on the rows are parsed one line at a
    time (the dump format puts every row on its own line) and the broken ones are reported and skipped.
    """
    try:
        for _, element in ET.iterparse(path, events=("end",)):
            if element.tag == "row":
                yield dict(element.attrib)
                element.clear()
        return
    except ET.ParseError as error:
        bad_line = error.position[0]
        on_error(f"line {bad_line}: bad XML ({error})")
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        for number, line in enumerate(handle, 1):
            text = line.strip()
            if number <= bad_line or not text.startswith("<row"):
                continue
            try:
                yield dict(ET.fromstring(text).attrib)
            except ET.ParseError as error:
                on_error(f"line {number}: bad XML ({error})")


def require(row: dict[str, str], name: str) -> str:
    value = row.get(name)
    if value is None or not value.strip():
        raise Malformed(f"row {row.get('Id', '?')}: missing {name}")
    return value


def parse_id(row: dict[str, str], name: str = "Id") -> str:
    value = require(row, name).strip()
    if not re.fullmatch(r"-?\d{1,18}", value):
        raise Malformed(f"row {row.get('Id', '?')}: bad {name} {value[:20]!r}")
    return value


def parse_int(row: dict[str, str], name: str, default: int = 0) -> int:
    value = row.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise Malformed(f"row {row.get('Id', '?')}: bad {name} {value[:20]!r}") from None


def parse_date(row: dict[str, str], name: str, required: bool = True) -> datetime | None:
    """A dump date (naive UTC, e.g. 2018-02-06T20:19:50.957)."""
    value = row.get(name)
    if not value:
        if required:
            raise Malformed(f"row {row.get('Id', '?')}: missing {name}")
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise Malformed(f"row {row.get('Id', '?')}: bad {name} {value[:30]!r}") from None
    return moment.replace(tzinfo=None)


def parse_tag_list(text: str | None) -> list[str]:
    """Tag names from `<a><b>` (older dumps) or `|a|b|` (newer ones)."""
    if not text:
        return []
    if "<" in text:
        return re.findall(r"<([^<>]+)>", text)
    return [name for name in text.split("|") if name]


_BLOCK_END = re.compile(r"</(?:p|pre|blockquote|li|h[1-6]|ul|ol|table)>|<br\s*/?>|<hr\s*/?>", re.IGNORECASE)


def plain_text(html_text: str) -> str:
    """Readable text of HTML with its paragraphs kept: the source of a post that has no Markdown."""
    parts = (html_to_text(chunk) for chunk in _BLOCK_END.split(html_text or ""))
    return "\n\n".join(part for part in parts if part)
