"""Edits that began from an older revision than the post's latest (someone saved in between).

An edit names the revision it started from. When that is no longer the latest, the edit is refused with an
`EditConflict` that carries the latest revision and a proposal: the three versions merged line by line
(merge3, as version control merges) when the two edits touched different lines, else the editor's own text,
to compare with the latest and save again on purpose. Nothing is overwritten without the editor seeing it.
"""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from merge3 import Merge3
from sqlalchemy import func, select

from ...extensions import db
from ...models import Post, PostRevision, User
from ..errors import Conflict


@dataclass(frozen=True)
class Draft:
    """One version of an editable post; `title` and `tags` are None for answers."""
    body: str
    title: str | None = None
    tags: str | None = None

    @classmethod
    def of(cls, revision: PostRevision) -> "Draft":
        return cls(body=revision.body_md, title=revision.title, tags=revision.tags)

    def same_as(self, other: "Draft") -> bool:
        return (self.body.strip() == other.body.strip() and (self.title or "") == (other.title or "")
                and _tag_set(self.tags) == _tag_set(other.tags))


class EditConflict(Conflict):
    def __init__(self, latest: PostRevision, latest_author: User, proposal: Draft, merged: bool):
        if merged:
            message = _l("%(name)s saved an edit while you were editing. Both edits are combined below: "
                         "check the result and save again.", name=latest_author.username)
        else:
            message = _l("%(name)s saved an edit while you were editing, and it changes the same lines as "
                         "yours. Compare your version with theirs below, then save again.",
                         name=latest_author.username)
        super().__init__(message)
        self.latest = latest
        self.proposal = proposal
        self.merged = merged


def latest_revision(post: Post) -> PostRevision | None:
    return db.session.scalar(select(PostRevision).where(PostRevision.post_id == post.id)
                             .order_by(PostRevision.number.desc()).limit(1))


def latest_revision_number(post: Post) -> int:
    return db.session.scalar(select(func.max(PostRevision.number)).where(PostRevision.post_id == post.id)) or 0


def check_base(post: Post, base_number: int | None, mine: Draft) -> None:
    """Refuse `mine` if it started from an older revision, unless it equals the latest (a resent edit)."""
    if base_number is None:
        return
    latest = latest_revision(post)
    if latest is None or latest.number == base_number:
        return
    theirs = Draft.of(latest)
    if mine.same_as(theirs):
        return
    base_revision = db.session.scalar(select(PostRevision).where(PostRevision.post_id == post.id,
                                                                 PostRevision.number == base_number))
    proposal, merged = merge(Draft.of(base_revision), theirs, mine) if base_revision else (mine, False)
    raise EditConflict(latest, db.session.get(User, latest.author_id), proposal, merged)


def merge(base: Draft, theirs: Draft, mine: Draft) -> tuple[Draft, bool]:
    """Both edits applied to `base` when they do not overlap; else `mine` unchanged and False."""
    title = _merge_value(base.title, theirs.title, mine.title)
    tags = _merge_value(_tag_set(base.tags), _tag_set(theirs.tags), _tag_set(mine.tags))
    body = _merge_text(base.body, theirs.body, mine.body)
    if title is _CLASH or tags is _CLASH or body is None:
        return mine, False
    return Draft(body=body, title=title, tags=mine.tags if tags == _tag_set(mine.tags) else theirs.tags), True


_CLASH = object()


def _merge_value(base, theirs, mine):
    if mine == base or mine == theirs:
        return theirs
    if theirs == base:
        return mine
    return _CLASH


def _merge_text(base: str, theirs: str, mine: str) -> str | None:
    lines = [text.replace("\r\n", "\n").splitlines(keepends=True) for text in (base, theirs, mine)]
    merger = Merge3(lines[0], lines[2], lines[1])
    if any(region[0] == "conflict" for region in merger.merge_regions()):
        return None
    return "".join(merger.merge_lines())


def _tag_set(tags: str | None) -> frozenset[str]:
    return frozenset((tags or "").replace(",", " ").lower().split())
