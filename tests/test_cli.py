"""Command-line tools a newcomer or an operator uses."""
import html
import json

from sqlalchemy import func, select

from forum.demo import loader
from forum.extensions import db
from forum.models import Answer, Comment, FaqEntry, FaqStatus, Feedback, Question, Role, Tag, User, UserBadge


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_demo_load_fills_an_empty_database_with_a_bilingual_community(runner):
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0, result.output
    demo = json.loads(loader.DEMO_FILE.read_text(encoding="utf-8"))
    assert count(User) == len(demo["users"]) >= 12
    assert db.session.scalar(select(func.count()).where(User.email_verified_at.is_(None))) == 0, "demo: all confirmed"
    assert count(Question) == len(demo["questions"]) >= 40
    assert count(Answer) > count(Question)
    assert count(Comment) > 0 and count(Tag) > 10
    titles = db.session.scalars(select(Question.title)).all()
    assert any(any("\u3040" <= ch <= "\u30ff" for ch in title) for title in titles), "no Japanese question"
    assert any(title.isascii() for title in titles), "no English question"
    assert db.session.scalar(select(func.count()).where(User.role == Role.MODERATOR)) >= 1
    assert db.session.scalar(select(func.count()).where(Question.body_html.contains('class="highlight"'))) > 0
    assert count(UserBadge) > 0 and "badges" in result.output  # back-filled after the demo's votes
    # The support side: published FAQ entries in categories, readers' feedback, and no reputation drift.
    published = db.session.scalars(select(FaqEntry).where(FaqEntry.status == FaqStatus.PUBLISHED)).all()
    assert len(published) >= 3 and all(entry.category_id for entry in published)
    assert count(Feedback) > 0
    assert runner.invoke(args=["reputation", "recompute", "--check"]).exit_code == 0


def test_demo_faq_is_on_the_faq_page(runner, client):
    runner.invoke(args=["demo", "load"])
    entry = db.session.scalar(select(FaqEntry).where(FaqEntry.status == FaqStatus.PUBLISHED))
    page = html.unescape(client.get("/faq").get_data(as_text=True))
    assert entry.title in page


def test_demo_load_if_empty_leaves_existing_content_alone(runner, factories):
    factories.question(title="A question that must survive the demo loader")
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0 and "leaving it" in result.output
    assert count(Question) == 1


def test_demo_load_reloads_the_demo_replacing_content(runner):
    runner.invoke(args=["demo", "load"])
    first = count(Question)
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert count(Question) == first
    # Tag counts are rebuilt, not doubled.
    assert db.session.scalar(select(func.max(Tag.question_count))) <= first


def test_demo_users_can_log_in_with_the_documented_password(runner, client):
    runner.invoke(args=["demo", "load"])
    staff = db.session.scalar(select(User).where(User.role == Role.MODERATOR))
    from tests.helpers import login

    login(client, staff, password=loader.DEMO_PASSWORD)


def test_users_create_makes_staff_from_the_cli(runner):
    result = runner.invoke(args=["users", "create", "boss", "--email", "boss@example.com", "--password",
                                 "long enough", "--role", "admin"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "boss"))
    assert user.role == Role.ADMIN and user.is_staff


def test_users_create_reports_a_duplicate_clearly(runner, factories):
    factories.user(username="taken")
    result = runner.invoke(args=["users", "create", "Taken", "--email", "x@example.com", "--password", "long enough"])
    assert result.exit_code != 0
    assert "taken" in result.output.lower()


def test_badges_award_all_backfills_and_is_safe_to_rerun(runner, factories):
    writer = factories.user()
    writer.about_md = "Written before badges existed."  # no hook ran: only the back-fill can notice
    db.session.commit()
    result = runner.invoke(args=["badges", "award", "--all"])
    assert result.exit_code == 0, result.output
    assert "Awarded 1 new badge(s): 1 Autobiographer." in result.output
    assert db.session.scalar(select(UserBadge.badge).where(UserBadge.user_id == writer.id)) == "autobiographer"
    again = runner.invoke(args=["badges", "award", "--all"])
    assert again.exit_code == 0 and "No new badges" in again.output


def test_badges_award_needs_all_or_a_badge(runner):
    result = runner.invoke(args=["badges", "award"])
    assert result.exit_code == 2 and "--all" in result.output
    assert runner.invoke(args=["badges", "award", "--badge", "autobiographer"]).exit_code == 0
    assert runner.invoke(args=["badges", "award", "--badge", "nonsense"]).exit_code == 2
