"""Revision history: every saved version of a post, with what changed since the one before."""
import difflib
from dataclasses import dataclass

from sqlalchemy import select

from ...extensions import db
from ...models import Post, PostRevision


@dataclass
class DiffLine:
    op: str  # "equal", "insert" or "delete"
    text: str


@dataclass
class RevisionView:
    revision: PostRevision
    title_diff: list[DiffLine] | None
    tags_diff: list[DiffLine] | None
    body_diff: list[DiffLine]


def post_history(post: Post) -> list[RevisionView]:
    """Newest first; each revision is compared with the previous one (the first with nothing)."""
    revisions = list(
        db.session.scalars(select(PostRevision).where(PostRevision.post_id == post.id).order_by(PostRevision.number))
    )
    views = []
    previous = None
    for revision in revisions:
        views.append(
            RevisionView(
                revision=revision,
                title_diff=_diff_text(previous and previous.title, revision.title) if revision.title else None,
                tags_diff=_diff_words(previous and previous.tags, revision.tags) if revision.tags else None,
                body_diff=_diff_lines(previous.body_md if previous else "", revision.body_md),
            )
        )
        previous = revision
    return list(reversed(views))


def _diff_lines(old: str, new: str) -> list[DiffLine]:
    """Line diff of Markdown source; unchanged lines are kept so the reader sees context."""
    lines = []
    matcher = difflib.SequenceMatcher(None, old.splitlines(), new.splitlines(), autojunk=False)
    old_lines, new_lines = old.splitlines(), new.splitlines()
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            lines += [DiffLine("equal", line) for line in old_lines[i1:i2]]
            continue
        lines += [DiffLine("delete", line) for line in old_lines[i1:i2]]
        lines += [DiffLine("insert", line) for line in new_lines[j1:j2]]
    return lines


def _diff_text(old: str | None, new: str) -> list[DiffLine]:
    """Character-level diff for one-line fields (works for Japanese, which has no spaces)."""
    old = old or ""
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(DiffLine("equal", old[i1:i2]))
            continue
        if i2 > i1:
            out.append(DiffLine("delete", old[i1:i2]))
        if j2 > j1:
            out.append(DiffLine("insert", new[j1:j2]))
    return out


def _diff_words(old: str | None, new: str) -> list[DiffLine]:
    old_words, new_words = (old or "").split(), new.split()
    out = [DiffLine("equal" if w in old_words else "insert", w) for w in new_words]
    out += [DiffLine("delete", w) for w in old_words if w not in new_words]
    return out


def diff_fields(old_title: str | None, new_title: str | None, old_tags: str | None, new_tags: str | None,
                old_body: str, new_body: str) -> tuple[list[DiffLine] | None, list[DiffLine] | None, list[DiffLine]]:
    """Title, tags and body diffs between any two versions (e.g. a suggested edit against the current post)."""
    return (
        _diff_text(old_title, new_title) if new_title else None,
        _diff_words(old_tags, new_tags) if new_tags else None,
        _diff_lines(old_body, new_body),
    )
