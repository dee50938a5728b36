"""Reading people: the user directory and a profile's activity."""
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import Answer, Comment, Post, Question, ReputationEvent, Tag, User, Vote, question_tags, utcnow

USER_SORTS = {
    "reputation": (User.reputation.desc(), User.id),
    "newest": (User.created_at.desc(), User.id.desc()),
    "name": (User.username_key,),
}


PERIODS = {"week": 7, "month": 30, "year": 365}


def users_query(filter_text: str = "", sort: str = "reputation", period: str = "all"):
    """Users for the directory (not deleted accounts); with a period, ranked by the reputation they gained in it."""
    if sort == "reputation" and period in PERIODS:
        gained = _gains_since(utcnow() - timedelta(days=PERIODS[period])).subquery()
        query = (select(User).join(gained, gained.c.user_id == User.id)
                 .where(gained.c.gained > 0).order_by(gained.c.gained.desc(), User.id))
    else:
        query = select(User).order_by(*USER_SORTS.get(sort, USER_SORTS["reputation"]))
    query = query.where(User.deleted_at.is_(None))  # deleted accounts are placeholders, not members
    if filter_text:
        query = query.where(User.username_key.contains(filter_text.strip().lower(), autoescape=True))
    return query


def period_gains(users: list[User], period: str) -> dict[int, int]:
    """Reputation each of these users gained in the period (one query)."""
    if period not in PERIODS or not users:
        return {}
    query = _gains_since(utcnow() - timedelta(days=PERIODS[period])).where(
        ReputationEvent.user_id.in_([user.id for user in users]))
    return {user_id: gained for user_id, gained in db.session.execute(query)}


def _gains_since(since):
    return (select(ReputationEvent.user_id, func.sum(ReputationEvent.amount).label("gained"))
            .where(ReputationEvent.reversed_at.is_(None), ReputationEvent.created_at >= since)
            .group_by(ReputationEvent.user_id))


def gains_between(start, end):
    """A select of (user_id, gained): the live reputation each user gained in [start, end) (the dashboard's)."""
    return _gains_since(start).where(ReputationEvent.created_at < end)


@dataclass
class ReputationDay:
    day: date
    total: int
    events: list[ReputationEvent]


def reputation_history(user: User, days: int = 90) -> list[ReputationDay]:
    """What earned or lost each point, newest day first, with the posts loaded for links."""
    events = db.session.scalars(
        select(ReputationEvent)
        .where(ReputationEvent.user_id == user.id, ReputationEvent.reversed_at.is_(None),
               ReputationEvent.created_at >= utcnow() - timedelta(days=days))
        .options(selectinload(ReputationEvent.post))
        .order_by(ReputationEvent.created_at.desc(), ReputationEvent.id.desc())
    ).all()
    _load_parent_questions([event.post for event in events])
    grouped: dict[date, list[ReputationEvent]] = {}
    for event in events:
        grouped.setdefault(event.created_at.date(), []).append(event)
    return [ReputationDay(day, sum(e.amount for e in day_events), day_events) for day, day_events in grouped.items()]


def votes_cast(user: User, limit: int = 100) -> list[Vote]:
    """A user's own votes (shown only to them)."""
    cast = list(db.session.scalars(
        select(Vote).where(Vote.user_id == user.id).options(selectinload(Vote.post))
        .order_by(Vote.created_at.desc()).limit(limit)
    ))
    _load_parent_questions([vote.post for vote in cast])
    return cast


def _load_parent_questions(posts: list) -> None:
    """Put the questions of these answers in the session in one query, so `answer.question` costs nothing."""
    ids = {post.question_id for post in posts if isinstance(post, Answer)}
    if ids:
        db.session.scalars(select(Question).where(Question.id.in_(ids))).all()


@dataclass
class ProfileStats:
    questions: int
    answers: int
    comments: int
    accepted_answers: int


def profile_stats(user: User) -> ProfileStats:
    """Counts of a user's visible posts, in one query."""
    visible = Post.deleted_at.is_(None)
    row = db.session.execute(
        select(
            select(func.count(Post.id)).where(Post.author_id == user.id, Post.post_type == "question", visible)
            .scalar_subquery(),
            select(func.count(Post.id)).where(Post.author_id == user.id, Post.post_type == "answer", visible)
            .scalar_subquery(),
            select(func.count(Comment.id)).where(Comment.author_id == user.id, Comment.deleted_at.is_(None))
            .scalar_subquery(),
        )
    ).one()
    accepted = db.session.scalar(
        select(func.count(Post.id)).where(Post.accepted_answer_id.in_(
            select(Post.id).where(Post.author_id == user.id, Post.post_type == "answer", visible)
        ))
    )
    return ProfileStats(questions=row[0], answers=row[1], comments=row[2], accepted_answers=accepted or 0)


def recent_answers(user: User, limit: int = 10) -> list[Answer]:
    return list(
        db.session.scalars(
            select(Answer).where(Answer.author_id == user.id, Answer.deleted_at.is_(None))
            .options(selectinload(Answer.question))
            .order_by(Answer.created_at.desc()).limit(limit)
        )
    )


def recent_questions(user: User, limit: int = 10) -> list[Question]:
    return list(
        db.session.scalars(
            select(Question).where(Question.author_id == user.id, Question.deleted_at.is_(None))
            .order_by(Question.created_at.desc()).limit(limit)
        )
    )


def top_tags(user: User, limit: int = 8) -> list[tuple[str, int]]:
    """Tags of the questions a user asked or answered, most frequent first."""
    question_ids = select(func.coalesce(Post.question_id, Post.id)).where(
        Post.author_id == user.id, Post.deleted_at.is_(None)
    )
    rows = db.session.execute(
        select(Tag.name, func.count()).join(question_tags, question_tags.c.tag_id == Tag.id)
        .where(question_tags.c.question_id.in_(question_ids))
        .group_by(Tag.name).order_by(func.count().desc(), Tag.name).limit(limit)
    )
    return [(name, count) for name, count in rows]
