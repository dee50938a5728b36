"""Reading people: the user directory and a profile's activity."""
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Answer, Comment, Post, Question, Tag, User, question_tags

USER_SORTS = {
    "reputation": (User.reputation.desc(), User.id),
    "newest": (User.created_at.desc(), User.id.desc()),
    "name": (User.username_key,),
}


def users_query(filter_text: str = "", sort: str = "reputation"):
    query = select(User).order_by(*USER_SORTS.get(sort, USER_SORTS["reputation"]))
    if filter_text:
        query = query.where(User.username_key.contains(filter_text.strip().lower(), autoescape=True))
    return query


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
