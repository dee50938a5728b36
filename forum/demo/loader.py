"""Load the bilingual demo community from community.json through the same services as the site."""
import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete, func, select

from ..extensions import db
from ..markup import render_markdown
from ..models import Answer, Post, PostRevision, Question, User, username_key, utcnow
from ..passwords import hash_password
from ..services.community import comments, posts
from ..services.reputation.ledger import ReputationRules
from . import activity, support

DEMO_FILE = Path(__file__).resolve().parent / "community.json"
DEMO_PASSWORD = "kotae-demo"


def database_is_empty() -> bool:
    return not db.session.scalar(select(func.count(User.id)))


def clear_database() -> None:
    """Delete every row, children first, keeping the schema (and Alembic's version table)."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(delete(table))


def load_demo(path: Path = DEMO_FILE, rules: ReputationRules | None = None, faq_bonus: int = 25) -> str:
    data = json.loads(path.read_text(encoding="utf-8"))
    clear_database()
    now = utcnow()
    password_hash = hash_password(DEMO_PASSWORD)  # one hash for all: scrypt is slow on purpose
    users = {entry["username"]: _make_user(entry, password_hash, now) for entry in data["users"]}
    db.session.flush()
    counts = {"users": len(users), "questions": 0, "answers": 0, "comments": 0}
    threads = [_load_question(entry, users, now, counts) for entry in data["questions"]]
    counts.update(activity.add_activity(threads, list(users.values()), rules or ReputationRules()))
    counts.update(support.add_support_content(threads, faq_bonus))
    return ", ".join(f"{n} {name}" for name, n in counts.items())


def _make_user(entry: dict, password_hash: str, now) -> User:
    about = entry.get("about", "")
    user = User(
        username=entry["username"], username_key=username_key(entry["username"]), email=entry["email"].lower(),
        password_hash=password_hash, role=entry.get("role", "member"), locale=entry.get("locale"),
        about_md=about, about_html=render_markdown(about) if about else "",
        created_at=now - timedelta(days=entry.get("joined_days_ago", 30)),
    )
    user.email_verified_at = user.created_at  # demo members confirmed their addresses when they joined
    db.session.add(user)
    return user


def _load_question(entry: dict, users: dict[str, User], now, counts: dict) -> tuple[Question, list[Answer]]:
    asked = now - timedelta(days=entry["days_ago"])
    question = posts.ask_question(users[entry["author"]], entry["title"], entry["body"], " ".join(entry["tags"]))
    _backdate(question, asked)
    question.view_count = entry.get("views", 0)
    counts["questions"] += 1
    _load_comments(question, entry.get("comments", []), users, asked, counts)
    last_activity = asked
    answers = []
    for answer_entry in entry.get("answers", []):
        answered = asked + timedelta(hours=answer_entry["hours_after"])
        answer = posts.post_answer(users[answer_entry["author"]], question, answer_entry["body"])
        _backdate(answer, answered)
        answers.append(answer)
        last_activity = max(last_activity, answered)
        counts["answers"] += 1
        _load_comments(answer, answer_entry.get("comments", []), users, asked, counts)
    question.last_activity_at = last_activity
    db.session.flush()
    return question, answers


def _load_comments(post: Post, entries: list[dict], users: dict[str, User], asked, counts: dict) -> None:
    for entry in entries:
        comment = comments.add_comment(users[entry["author"]], post, entry["body"])
        comment.created_at = asked + timedelta(hours=entry["hours_after"])
        counts["comments"] += 1


def _backdate(post: Post, when) -> None:
    post.created_at = when
    post.last_activity_at = when
    db.session.flush()
    db.session.execute(
        PostRevision.__table__.update().where(PostRevision.post_id == post.id).values(created_at=when)
    )


