"""Badge criteria as SQL: each rule selects the (user_id, post_id) pairs that meet one badge's criterion now.

The same rule serves the hooks, narrowed to the user or post an event touched (a small indexed query), and the
back-fill, not narrowed; so the live path and `badges award --all` cannot disagree about who deserves what.
Once-only badges group by user and name the earliest qualifying post (or none); per-post badges give a row per post.
"""
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Integer, Select, and_, cast, exists, func, null, or_, select
from sqlalchemy.orm import aliased

from ...extensions import db
from ...models import Comment, Post, PostRevision, User, Vote, utcnow

QuestionPost = aliased(Post, name="badge_question")  # the question an answer belongs to
OtherAnswer = aliased(Post, name="badge_other_answer")
NO_POST = cast(null(), Integer)


@dataclass(frozen=True)
class Scope:
    """Narrow a rule to one user or one post; an empty scope means everyone (the back-fill)."""

    user_id: int | None = None
    post_id: int | None = None


def _narrow(query: Select, scope: Scope, user_column, post_column=None) -> Select:
    if scope.user_id is not None:
        query = query.where(user_column == scope.user_id)
    if scope.post_id is not None:
        if post_column is None:
            raise ValueError("this badge is not earned by a post")
        query = query.where(post_column == scope.post_id)
    return query


def _posts(kind: str, scope: Scope, *criteria) -> Select:
    query = select(Post.author_id.label("user_id"), Post.id.label("post_id")).where(
        Post.post_type == kind, Post.deleted_at.is_(None), *criteria
    )
    return _narrow(query, scope, Post.author_id, Post.id)


def _answers(scope: Scope, *criteria) -> Select:
    """Visible answers joined to their visible question (as `QuestionPost`)."""
    query = _posts("answer", scope, QuestionPost.deleted_at.is_(None), *criteria)
    return query.join(QuestionPost, QuestionPost.id == Post.question_id)


def _first(query: Select) -> Select:
    """One row per user, naming their earliest qualifying post: for once-only badges."""
    rows = query.subquery()
    return select(rows.c.user_id, func.min(rows.c.post_id).label("post_id")).group_by(rows.c.user_id)


def _days_later(later, earlier, days: int):
    """`later` is more than `days` days after `earlier` (SQLite has no interval arithmetic)."""
    if db.engine.dialect.name == "sqlite":
        return func.julianday(later) - func.julianday(earlier) > days
    return later - earlier > timedelta(days=days)


def _users_of(column, scope: Scope, *criteria, having=None) -> Select:
    """One row per user with no post, e.g. from votes or comments."""
    query = select(column.label("user_id"), NO_POST.label("post_id")).where(*criteria).group_by(column)
    if having is not None:
        query = query.having(having)
    return _narrow(query, scope, column)


def student(t: dict, scope: Scope) -> Select:
    return _first(_posts("question", scope, Post.score >= t["student"]))


def teacher(t: dict, scope: Scope) -> Select:
    return _first(_posts("answer", scope, Post.score >= t["teacher"]))


def scholar(t: dict, scope: Scope) -> Select:
    return _first(_posts("question", scope, Post.accepted_answer_id.is_not(None)))


def self_learner(t: dict, scope: Scope) -> Select:
    return _first(_answers(scope, Post.author_id == QuestionPost.author_id, Post.score >= t["self_learner"]))


def tumbleweed(t: dict, scope: Scope) -> Select:
    cutoff = utcnow() - timedelta(days=t["tumbleweed_days"])
    return _first(_posts("question", scope, Post.created_at <= cutoff, Post.score == 0, Post.answer_count == 0,
                         Post.comment_count == 0, Post.view_count < t["tumbleweed_views"]))


def question_score(threshold_key: str):
    def rule(t: dict, scope: Scope) -> Select:
        return _posts("question", scope, Post.score >= t[threshold_key])
    return rule


def answer_score(threshold_key: str):
    def rule(t: dict, scope: Scope) -> Select:
        return _answers(scope, Post.score >= t[threshold_key])
    return rule


def question_views(threshold_key: str):
    def rule(t: dict, scope: Scope) -> Select:
        return _posts("question", scope, Post.view_count >= t[threshold_key])
    return rule


def enlightened(t: dict, scope: Scope) -> Select:
    earlier = exists().where(
        OtherAnswer.question_id == Post.question_id, OtherAnswer.deleted_at.is_(None),
        or_(OtherAnswer.created_at < Post.created_at,
            and_(OtherAnswer.created_at == Post.created_at, OtherAnswer.id < Post.id)),
    )
    return _answers(scope, QuestionPost.accepted_answer_id == Post.id, Post.score >= t["enlightened"], ~earlier)


def guru(t: dict, scope: Scope) -> Select:
    return _answers(scope, QuestionPost.accepted_answer_id == Post.id, Post.score >= t["guru"])


def necromancer(t: dict, scope: Scope) -> Select:
    return _answers(scope, Post.score >= t["necromancer"],
                    _days_later(Post.created_at, QuestionPost.created_at, t["necromancer_days"]))


def supporter(t: dict, scope: Scope) -> Select:
    return _users_of(Vote.user_id, scope, Vote.value > 0)


def critic(t: dict, scope: Scope) -> Select:
    return _users_of(Vote.user_id, scope, Vote.value < 0)


def civic_duty(t: dict, scope: Scope) -> Select:
    return _users_of(Vote.user_id, scope, having=func.count(Vote.id) >= t["civic_duty"])


def editor(t: dict, scope: Scope) -> Select:
    return _users_of(PostRevision.author_id, scope, PostRevision.number > 1)  # revision 1 is the original


def commentator(t: dict, scope: Scope) -> Select:
    return _users_of(Comment.author_id, scope, Comment.deleted_at.is_(None),
                     having=func.count(Comment.id) >= t["commentator"])


def autobiographer(t: dict, scope: Scope) -> Select:
    return _users_of(User.id, scope, func.trim(User.about_md) != "")


def yearling(t: dict, scope: Scope) -> Select:
    joined_before = utcnow() - timedelta(days=t["yearling_days"])
    return _users_of(User.id, scope, User.created_at <= joined_before, User.reputation >= t["yearling"])


RULES = {
    "student": student, "scholar": scholar, "teacher": teacher, "self_learner": self_learner,
    "tumbleweed": tumbleweed, "enlightened": enlightened, "guru": guru, "necromancer": necromancer,
    "supporter": supporter, "critic": critic, "civic_duty": civic_duty, "editor": editor,
    "commentator": commentator, "autobiographer": autobiographer, "yearling": yearling,
    **{key: question_score(key) for key in ("nice_question", "good_question", "great_question")},
    **{key: answer_score(key) for key in ("nice_answer", "good_answer", "great_answer")},
    **{key: question_views(key) for key in ("popular_question", "notable_question", "famous_question")},
}
