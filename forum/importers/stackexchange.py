"""Import a Stack Exchange data dump (Users, Tags, Posts, Comments, PostLinks; Votes and PostHistory as sources).

Votes are anonymous in the dumps, so no Vote rows are made: each post keeps its Score, and the reputation its
author earned from it is one ledger event with the reason `imported` (fixed, like a bonus, in the audit).
Accepted answers give the usual +15/+2 through the ledger. Every imported row is recorded in `import_sources`
(site, kind, id there -> id here), so running the import again creates nothing new. Rows that cannot be imported
are reported and skipped. Imported posts and users keep their origin for the CC BY-SA attribution.
"""
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from ..extensions import db
from ..markup import excerpt, render_comment, render_markdown, sanitize_html
from ..models import (Answer, Comment, ImportSource, Post, PostLink, PostRevision, Question, Reason, Tag, User,
                      username_key)
from ..services.reputation import ledger
from ..services.community import tags as tag_service
from ..services.community.language import detect_language
from ..services.errors import Invalid
from ..services.reputation.ledger import ReputationRules
from .dump import (Malformed, Problems, Progress, count_rows, iter_rows, no_progress, parse_date, parse_id, parse_int,
                   parse_tag_list, plain_text, require)

DEFAULT_LICENSE = "CC BY-SA 3.0"
UNUSABLE_PASSWORD = "!imported"  # not a werkzeug hash: no password ever matches it
BODY_HISTORY_TYPES = {"2", "5", "8"}  # initial body, edited body, rollback body
LINK_TYPES = {"1": PostLink.LINKED, "3": PostLink.DUPLICATE}
COMMIT_EVERY = 500
_USERNAME_BAD = re.compile(r"[^\w.\-]+", re.UNICODE)

@dataclass
class ImportReport:
    site: str
    counts: dict[str, int] = field(default_factory=dict)
    problems: Problems = field(default_factory=Problems)
    seconds: float = 0.0

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    @property
    def posts(self) -> int:
        return self.counts.get("questions", 0) + self.counts.get("answers", 0)

    @property
    def rate(self) -> float:
        return self.posts / self.seconds if self.seconds else 0.0


def import_dump(directory: Path, site: str | None = None, rules: ReputationRules | None = None,
                progress: Progress | None = None) -> ImportReport:
    """Load one dump folder (named after its site, e.g. conlang.meta.stackexchange.com); commits as it goes."""
    directory = Path(directory)
    importer = _Importer(directory, site or directory.name, rules or ReputationRules(), progress or no_progress)
    started = time.perf_counter()
    importer.run()
    importer.report.seconds = time.perf_counter() - started
    return importer.report


class _Importer:
    def __init__(self, directory: Path, site: str, rules: ReputationRules, progress: Progress):
        self.directory, self.site, self.rules, self.progress = directory, site, rules, progress
        self.report = ImportReport(site)
        self.ids: dict[str, dict[str, int]] = {"user": {}, "post": {}, "comment": {}, "link": {}}
        for kind, external_id, local_id in db.session.execute(
                select(ImportSource.kind, ImportSource.external_id, ImportSource.local_id)
                .where(ImportSource.source == site)):
            self.ids.setdefault(kind, {})[external_id] = local_id
        self.taken_names = set(db.session.scalars(select(User.username_key)))
        self.user_names: dict[int, str] = {}
        self.touched: set[int] = set()  # posts whose answer or comment counts change
        self.accepts: list[tuple[int, str]] = []

    def run(self) -> None:
        votes, accepted_on = self._read_votes()
        bodies = self._read_history()
        self._each("Users.xml", self._user)
        self._each("Tags.xml", self._tag)
        waiting: list[dict] = []
        self._each("Posts.xml", lambda row: self._post(row, votes, bodies, waiting))
        for row in waiting:  # answers listed before their question
            self._guard("Posts.xml", lambda r=row: self._post(r, votes, bodies, None))
        self._accept_answers(accepted_on)
        self._each("Comments.xml", self._comment)
        self._each("PostLinks.xml", self._link)
        self._recount()
        db.session.commit()

    # -- reading -------------------------------------------------------------------------------------------

    def _rows(self, filename: str):
        path = self.directory / filename
        if not path.exists():
            return None, 0
        return path, count_rows(path)

    def _each(self, filename: str, handle: Callable[[dict], None]) -> None:
        path, total = self._rows(filename)
        if path is None:
            return
        with self.progress(filename, total) as bar:
            for n, row in enumerate(iter_rows(path, lambda reason: self.report.problems.add(filename, reason)), 1):
                self._guard(filename, lambda r=row: handle(r))
                bar.update(1)
                if n % COMMIT_EVERY == 0:
                    db.session.commit()  # short write transactions on a large dump
        db.session.commit()

    def _guard(self, filename: str, action: Callable[[], None]) -> None:
        try:
            action()
        except Malformed as error:
            self.report.problems.add(filename, str(error))

    def _read_votes(self) -> tuple[dict[str, list[int]], dict[str, datetime]]:
        """Up and down votes per post id, and when each answer was accepted (VoteTypeId 1)."""
        counts: dict[str, list[int]] = {}
        accepted_on: dict[str, datetime] = {}
        path, total = self._rows("Votes.xml")
        if path is None:
            return counts, accepted_on
        with self.progress("Votes.xml", total) as bar:
            for row in iter_rows(path, lambda reason: self.report.problems.add("Votes.xml", reason)):
                bar.update(1)
                kind, post_id = row.get("VoteTypeId"), row.get("PostId")
                if kind in ("2", "3") and post_id:
                    counts.setdefault(post_id, [0, 0])[0 if kind == "2" else 1] += 1
                elif kind == "1" and post_id:
                    try:
                        accepted_on[post_id] = parse_date(row, "CreationDate")
                    except Malformed:
                        pass
        return counts, accepted_on

    def _read_history(self) -> dict[str, str]:
        """The Markdown of each post's latest body revision (PostHistory.xml, when the dump has it)."""
        latest: dict[str, tuple[str, int, str]] = {}
        path, total = self._rows("PostHistory.xml")
        if path is None:
            return {}
        with self.progress("PostHistory.xml", total) as bar:
            for row in iter_rows(path, lambda reason: self.report.problems.add("PostHistory.xml", reason)):
                bar.update(1)
                post_id, text = row.get("PostId"), row.get("Text")
                if row.get("PostHistoryTypeId") not in BODY_HISTORY_TYPES or not post_id or text is None:
                    continue
                revision = int(row["Id"]) if (row.get("Id") or "").isdigit() else 0
                key = (row.get("CreationDate") or "", revision, text)
                if post_id not in latest or key[:2] >= latest[post_id][:2]:
                    latest[post_id] = key
        return {post_id: text for post_id, (_, _, text) in latest.items()}

    # -- rows ------------------------------------------------------------------------------------------------

    def _remember(self, kind: str, external_id: str, local_id: int) -> None:
        self.ids[kind][external_id] = local_id
        db.session.add(ImportSource(source=self.site, kind=kind, external_id=external_id, local_id=local_id))

    def _user(self, row: dict) -> None:
        external_id = parse_id(row)
        if external_id in self.ids["user"]:
            self.report.add("already imported")
            return
        created = parse_date(row, "CreationDate")
        display = (row.get("DisplayName") or "").strip() or f"user{external_id}"
        about_html = sanitize_html(row.get("AboutMe") or "")
        user = self._new_user(display, external_id, created, about_html)
        user.origin_url = f"https://{self.site}/users/{external_id}"
        self._remember("user", external_id, user.id)
        self.user_names[user.id] = display
        self.report.add("users")

    def _new_user(self, display: str, external_id: str, created: datetime | None, about_html: str = "") -> User:
        username = self._unique_username(display, external_id)
        self.taken_names.add(username_key(username))
        user = User(username=username, username_key=username_key(username), password_hash=UNUSABLE_PASSWORD,
                    email=f"se-{self.site}-{external_id}@import.invalid".lower()[:254], about_html=about_html,
                    about_md=plain_text(about_html), origin_site=self.site)
        if created:
            user.created_at = created
        db.session.add(user)
        db.session.flush()
        return user

    def _unique_username(self, display: str, external_id: str) -> str:
        """The display name made valid for our rules (3-30 letters, digits, . - _) and unique."""
        base = _USERNAME_BAD.sub("_", unicodedata.normalize("NFKC", display)).strip("_.-")[:30]
        if len(base) < 3:
            base = f"user{external_id.lstrip('-')}"
        candidate, suffix = base, 1
        while username_key(candidate) in self.taken_names:
            tail = f"-{external_id.lstrip('-')}" if suffix == 1 else f"-{external_id.lstrip('-')}-{suffix}"
            candidate, suffix = base[:30 - len(tail)] + tail, suffix + 1
        return candidate

    def _ghost(self) -> int:
        """The account behind posts and comments whose author was deleted on the original site."""
        if "ghost" not in self.ids["user"]:
            user = self._new_user("deleted-user", "ghost", None)
            self._remember("user", "ghost", user.id)
            self.report.add("placeholder users")
        return self.ids["user"]["ghost"]

    def _author(self, row: dict, id_attr: str) -> int:
        return self.ids["user"].get(row.get(id_attr) or "") or self._ghost()

    def _tag(self, row: dict) -> None:
        try:
            (name,) = tag_service.parse_tags(require(row, "TagName"))
        except (Invalid, ValueError):
            raise Malformed(f"row {row.get('Id', '?')}: invalid tag {row.get('TagName', '')[:40]!r}") from None
        if not db.session.scalar(select(Tag.id).where(Tag.name == name)):
            db.session.add(Tag(name=name, question_count=0))
            db.session.flush()
            self.report.add("tags")

    def _post(self, row: dict, votes: dict, bodies: dict, waiting: list | None) -> None:
        external_id, kind = parse_id(row), row.get("PostTypeId")
        if kind not in ("1", "2"):
            self.report.add("other posts (not imported)")
            return
        if external_id in self.ids["post"]:
            self.report.add("already imported")
            return
        created = parse_date(row, "CreationDate")
        html = require(row, "Body") if kind == "1" else row.get("Body", "")
        question_id = None
        if kind == "2":
            parent = parse_id(row, "ParentId")
            question_id = self.ids["post"].get(parent)
            if question_id is None and waiting is not None:
                waiting.append(row)  # retried once every question is in
                return
            if question_id is None:
                raise Malformed(f"row {external_id}: answer to a missing question {parent}")
        title = require(row, "Title").strip()[:150] if kind == "1" else None
        post = (Question if kind == "1" else Answer)(
            author_id=self._author(row, "OwnerUserId"), question_id=question_id, title=title,
            score=parse_int(row, "Score"), view_count=max(0, parse_int(row, "ViewCount")), created_at=created,
            last_activity_at=parse_date(row, "LastActivityDate", required=False) or created,
            edited_at=parse_date(row, "LastEditDate", required=False),
            editor_id=self.ids["user"].get(row.get("LastEditorUserId") or ""),
            **self._origin(row, external_id, kind),
        )
        self._set_body(post, bodies.get(external_id), html)
        if kind == "1":
            post.language = detect_language(title, post.body_md)
        db.session.add(post)
        names = self._tag_names(row) if kind == "1" else []
        if names:
            tag_service.set_question_tags(post, names)
        db.session.flush()
        db.session.add(PostRevision(post_id=post.id, number=1, author_id=post.author_id, title=title,
                                    body_md=post.body_md, tags=" ".join(names) if kind == "1" else None,
                                    created_at=created))
        self._remember("post", external_id, post.id)
        self._earned(post, votes.get(external_id, (0, 0)))
        self.touched.add(post.id)
        if kind == "1" and row.get("AcceptedAnswerId"):
            self.accepts.append((post.id, row["AcceptedAnswerId"]))
        self.report.add("questions" if kind == "1" else "answers")

    def _earned(self, post: Post, votes: tuple[int, int]) -> None:
        """The reputation the post's votes gave its author, as one fixed ledger event (votes are anonymous)."""
        up, down = votes
        upvoted = self.rules.question_upvoted if post.is_question else self.rules.answer_upvoted
        ledger.record(post.author_id, Reason.IMPORTED, up * upvoted + down * self.rules.downvoted, post_id=post.id,
                      when=post.created_at)

    def _origin(self, row: dict, external_id: str, kind: str) -> dict:
        owner = row.get("OwnerUserId") or ""
        local_owner = self.ids["user"].get(owner)
        author = self.user_names.get(local_owner) if local_owner else None
        if author is None and local_owner:
            author = db.session.scalar(select(User.username).where(User.id == local_owner))
        return {
            "origin_site": self.site,
            "origin_url": f"https://{self.site}/{'q' if kind == '1' else 'a'}/{external_id}",
            "origin_author": (author or row.get("OwnerDisplayName") or "anonymous")[:100],
            "origin_author_url": f"https://{self.site}/users/{owner}" if local_owner else None,
            "origin_license": (row.get("ContentLicense") or DEFAULT_LICENSE)[:40],
        }

    @staticmethod
    def _set_body(post: Post, markdown: str | None, html: str) -> None:
        body_html = render_markdown(markdown) if markdown and markdown.strip() else ""
        if body_html:
            post.body_md = markdown.replace("\r\n", "\n")
        else:
            body_html = sanitize_html(html)
            post.body_md = plain_text(body_html)
        post.body_html = body_html
        post.excerpt = excerpt(body_html, 200)

    def _tag_names(self, row: dict) -> list[str]:
        names = []
        for raw in parse_tag_list(row.get("Tags")):
            try:
                names += [name for name in tag_service.parse_tags(raw) if name not in names]
            except Invalid:
                self.report.add("invalid tags skipped")
        return names[:tag_service.MAX_TAGS]

    def _accept_answers(self, accepted_on: dict[str, datetime]) -> None:
        for question_id, external_answer in self.accepts:
            answer_id = self.ids["post"].get(external_answer)
            question = db.session.get(Question, question_id)
            answer = db.session.get(Answer, answer_id) if answer_id else None
            if answer is None or answer.question_id != question_id:
                self.report.problems.add("Posts.xml", f"question {question.origin_url}: accepted answer "
                                                      f"{external_answer} is not one of its answers")
                continue
            question.accepted_answer_id = answer.id
            if answer.author_id != question.author_id:
                when = accepted_on.get(external_answer) or answer.created_at
                ledger.record(answer.author_id, Reason.ANSWER_ACCEPTED, self.rules.answer_accepted,
                              post_id=answer.id, actor_id=question.author_id, when=when)
                ledger.record(question.author_id, Reason.ACCEPTED_AN_ANSWER, self.rules.accepted_an_answer,
                              post_id=answer.id, actor_id=question.author_id, when=when)
            self.report.add("accepted answers")
        db.session.commit()

    def _comment(self, row: dict) -> None:
        external_id = parse_id(row)
        if external_id in self.ids["comment"]:
            self.report.add("already imported")
            return
        post_ref = parse_id(row, "PostId")
        post_id = self.ids["post"].get(post_ref)
        if post_id is None:
            raise Malformed(f"row {external_id}: comment on a missing post {post_ref}")
        text = require(row, "Text").replace("\r\n", "\n")
        # Historical comments may be shorter than our 15-character minimum.
        comment = Comment(post_id=post_id, author_id=self._author(row, "UserId"), body=text[:600],
                          body_html=render_comment(text), score=parse_int(row, "Score"),
                          created_at=parse_date(row, "CreationDate"))
        db.session.add(comment)
        db.session.flush()
        self.touched.add(post_id)
        self._remember("comment", external_id, comment.id)
        self.report.add("comments")

    def _link(self, row: dict) -> None:
        link_type = LINK_TYPES.get(row.get("LinkTypeId") or "")
        external_id = row.get("Id") or f"{row.get('PostId')}-{row.get('RelatedPostId')}-{row.get('LinkTypeId')}"
        if link_type is None or external_id in self.ids["link"]:
            return
        post_id = self.ids["post"].get(parse_id(row, "PostId"))
        related_id = self.ids["post"].get(parse_id(row, "RelatedPostId"))
        if post_id is None or related_id is None:
            self.report.add("links to posts not in the dump")  # deleted posts: normal in the dumps
            return
        exists = db.session.scalar(select(PostLink.id).where(
            PostLink.post_id == post_id, PostLink.related_post_id == related_id, PostLink.link_type == link_type))
        if exists is None:
            link = PostLink(post_id=post_id, related_post_id=related_id, link_type=link_type,
                            created_at=parse_date(row, "CreationDate", required=False) or datetime(1970, 1, 1))
            db.session.add(link)
            db.session.flush()
            self._remember("link", external_id, link.id)
            self.report.add("duplicate links" if link_type == PostLink.DUPLICATE else "related links")

    def _recount(self) -> None:
        """Answer and comment counts of the posts this run touched, from what is in the database."""
        posts, comments = Post.__table__, Comment.__table__
        child = posts.alias("child")
        answers = (select(func.count()).select_from(child)
                   .where(child.c.question_id == posts.c.id, child.c.deleted_at.is_(None)).scalar_subquery())
        notes = (select(func.count()).select_from(comments)
                 .where(comments.c.post_id == posts.c.id, comments.c.deleted_at.is_(None)).scalar_subquery())
        touched = sorted(self.touched)
        for start in range(0, len(touched), 500):
            db.session.execute(posts.update().where(posts.c.id.in_(touched[start:start + 500]))
                               .values(answer_count=answers, comment_count=notes))

