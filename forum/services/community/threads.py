"""Reading questions: the list pages and one whole thread, each in a constant number of queries."""
import hashlib
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, literal, null, or_, select, union_all, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from ... import permissions
from ...extensions import db
from ...models import Answer, Comment, Post, PostView, Question, Tag, User, Vote
from ..reputation import badges
from ..errors import NotFound

TABS = {
    "newest": (Question.created_at.desc(),),
    "active": (Question.last_activity_at.desc(),),
    "votes": (Question.score.desc(), Question.created_at.desc()),
    "unanswered": (Question.created_at.desc(),),
}
TAB_TITLES = {
    "newest": _l("Newest questions"),
    "active": _l("Recently active questions"),
    "votes": _l("Highest scored questions"),
    "unanswered": _l("Unanswered questions"),
}
TAB_LABELS = {
    "newest": _l("Newest"),
    "active": _l("Active"),
    "votes": _l("Votes"),
    "unanswered": _l("Unanswered"),
}


@dataclass
class Thread:
    question: Question
    answers: list[Answer]
    comments: dict[int, list[Comment]] = field(default_factory=dict)
    my_votes: dict[int, int] = field(default_factory=dict)

    def my_vote(self, post: Post) -> int:
        return self.my_votes.get(post.id, 0)

    def comments_for(self, post: Post) -> list[Comment]:
        return self.comments.get(post.id, [])


def questions_query(tab: str = "newest", tag: Tag | None = None, author: User | None = None, viewer=None,
                    language: str | None = None):
    """A select of visible questions for a list tab, with what each row shows loaded up front; only those in
    `language` ("ja" or "en") when given.

    Questions hidden by flags are left out, except for staff and for authors looking at their own list.
    """
    query = (
        select(Question)
        .where(Question.deleted_at.is_(None))
        .options(selectinload(Question.tags))
        .order_by(*TABS.get(tab, TABS["newest"]))
    )
    if tab == "unanswered":
        query = query.where(Question.answer_count == 0)
    if tag is not None:
        query = query.where(Question.tags.any(Tag.id == tag.id))
    if author is not None:
        query = query.where(Question.author_id == author.id)
    if language is not None:
        query = query.where(Question.language == language)
    if not (permissions.is_staff(viewer) or (author is not None and permissions.is_self(viewer, author))):
        query = query.where(Question.hidden_at.is_(None))
    return query


def get_question(question_id: int, viewer) -> Question:
    # Tags joined, not a second SELECT: a question has a handful.
    question = db.session.get(Question, question_id, options=[joinedload(Question.tags), joinedload(Question.editor)])
    if question is None or not permissions.can_see(viewer, question):
        raise NotFound(_l("This question does not exist or was deleted."))
    return question


def get_post(post_id: int, viewer) -> Post:
    post = db.session.get(Post, post_id)
    if post is None or not permissions.can_see(viewer, post):
        raise NotFound(_l("This post does not exist or was deleted."))
    return post


def load_thread(question: Question, viewer) -> Thread:
    """Answers (accepted first, then by score, then oldest) with the viewer's votes, and every comment, in two
    queries."""
    posts = select(Post).where(or_(Post.id == question.id, Post.question_id == question.id))
    if getattr(viewer, "is_authenticated", False):  # the viewer's vote on each post, in the same query
        posts = posts.add_columns(Vote.value).outerjoin(Vote, and_(Vote.post_id == Post.id, Vote.user_id == viewer.id))
    else:
        posts = posts.add_columns(null())
    rows = db.session.execute(
        posts.options(joinedload(Post.editor)).order_by(Post.score.desc(), Post.created_at, Post.id)
    ).all()
    my_votes = {post.id: value for post, value in rows if value}
    answers = [post for post, _value in rows if post.id != question.id and permissions.can_see(viewer, post)]
    for answer in answers:  # the permission checks read answer.question: no look-up per answer
        set_committed_value(answer, "question", question)
    answers.sort(key=lambda a: a.id != question.accepted_answer_id)  # stable: keeps score order otherwise
    post_ids = [question.id] + [a.id for a in answers]
    comments: dict[int, list[Comment]] = {}
    for comment in db.session.scalars(
        select(Comment)
        .where(Comment.post_id.in_(post_ids), Comment.deleted_at.is_(None), *_visible_comments(viewer))
        .order_by(Comment.created_at, Comment.id)
    ):
        comments.setdefault(comment.post_id, []).append(comment)
    return Thread(question=question, answers=answers, comments=comments, my_votes=my_votes)


@dataclass
class ThreadOutline:
    """What of a thread is the viewer's own, without loading it: their votes, and whether they wrote any of it."""
    my_votes: dict[int, int] = field(default_factory=dict)
    involved: bool = False


def thread_outline(question: Question, viewer) -> ThreadOutline:
    """The viewer's votes in the thread and whether they wrote a post or comment in it (deleted and held ones
    too), in one query; nothing to ask for a visitor."""
    if not getattr(viewer, "is_authenticated", False):
        return ThreadOutline()
    in_thread = or_(Post.id == question.id, Post.question_id == question.id)
    votes = (select(literal("vote").label("kind"), Vote.post_id.label("item"), Vote.value.label("value"))
             .join(Post, Post.id == Vote.post_id).where(Vote.user_id == viewer.id, in_thread))
    posts = select(literal("post"), Post.id, literal(0)).where(Post.author_id == viewer.id, in_thread)
    comments = (select(literal("comment"), Comment.id, literal(0)).join(Post, Post.id == Comment.post_id)
                .where(Comment.author_id == viewer.id, in_thread))
    outline = ThreadOutline()
    for kind, item, value in db.session.execute(union_all(votes, posts, comments)):
        if kind == "vote":
            if value:
                outline.my_votes[item] = value
        else:
            outline.involved = True
    return outline


def _visible_comments(viewer) -> list:
    """Held comments (personal data, posted anyway) are shown to their author and to staff only."""
    if permissions.is_staff(viewer):
        return []
    viewer_id = viewer.id if getattr(viewer, "is_authenticated", False) else None
    return [or_(Comment.held_at.is_(None), Comment.author_id == viewer_id)]


def viewer_key(user_id: int | None, remote_addr: str | None, user_agent: str | None) -> str:
    """Signed-in viewers count once per account; anonymous ones once per address and browser."""
    if user_id is not None:
        return f"u:{user_id}"
    digest = hashlib.sha256(f"{remote_addr}|{user_agent}".encode()).hexdigest()
    return f"a:{digest[:40]}"


def record_view(question: Question, key: str) -> bool:
    """Count a view once per viewer; a reload costs one read and no write."""
    if db.session.get(PostView, (question.id, key)) is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(PostView(post_id=question.id, viewer_key=key))
    except IntegrityError:  # another worker counted the same viewer a moment ago
        return False
    # The ORM update also refreshes question.view_count in memory for the page being rendered.
    db.session.execute(update(Post).where(Post.id == question.id).values(view_count=Post.view_count + 1))
    badges.on_question_viewed(question)
    return True


def record_view_of(question_id: int, key: str) -> bool:
    """Count a view of a thread page served from the page cache: a reader counted before costs one read."""
    if db.session.get(PostView, (question_id, key)) is not None:
        return False
    question = db.session.get(Question, question_id)
    return question is not None and record_view(question, key)
