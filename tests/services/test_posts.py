"""Questions and answers: asking, answering, editing with revisions, soft deletion."""
from datetime import datetime

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Post, PostRevision, Role, Tag
from forum.services.community import posts, revisions
from forum.services.errors import Conflict, Forbidden, Invalid
from tests.factories import make_answer, make_question, make_user

TITLE = "Sync stops after five minutes on Windows"
BODY = "The desktop app stops syncing after about five minutes and shows error E1023."
LONG_AGO = datetime(2020, 1, 1)


def tag_count(name: str) -> int | None:
    return db.session.scalar(select(Tag.question_count).where(Tag.name == name))


def revision_numbers(post) -> list[int]:
    return list(db.session.scalars(
        select(PostRevision.number).where(PostRevision.post_id == post.id).order_by(PostRevision.number)))


def answer_count(question) -> int:
    return db.session.scalar(select(Post.answer_count).where(Post.id == question.id))


# --- asking -------------------------------------------------------------------------------------------------

def test_ask_question_stores_title_body_html_and_excerpt(factories):
    author = factories.user()
    question = posts.ask_question(author, "  Sync   stops after five minutes  ", BODY + "\n\n**Help!**", "sync")
    assert question.id is not None
    assert question.title == "Sync stops after five minutes"  # whitespace collapsed
    assert "<strong>Help!</strong>" in question.body_html
    assert question.excerpt.startswith("The desktop app stops syncing")
    assert question.author_id == author.id


@pytest.mark.parametrize("title", ["Too short title", "x" * 150])
def test_titles_of_15_to_150_characters_are_accepted(factories, title):
    assert posts.ask_question(factories.user(), title, BODY, "sync").title == title


@pytest.mark.parametrize("title", ["Fourteen chars", "x" * 151, "", "     spaces only      "])
def test_titles_outside_15_to_150_characters_are_refused(factories, title):
    with pytest.raises(Invalid) as error:
        posts.ask_question(factories.user(), title, BODY, "sync")
    assert error.value.field == "title"


@pytest.mark.parametrize("body", ["x" * 29, " " * 40, "", "   short body with padding   "])
def test_bodies_under_30_characters_are_refused(factories, body):
    with pytest.raises(Invalid) as error:
        posts.ask_question(factories.user(), TITLE, body, "sync")
    assert error.value.field == "body"


def test_body_over_the_limit_is_refused(factories):
    with pytest.raises(Invalid) as error:
        posts.ask_question(factories.user(), TITLE, "x" * (posts.BODY_MAX + 1), "sync")
    assert error.value.field == "body"


def test_ask_question_parses_and_normalises_tags(factories):
    question = posts.ask_question(factories.user(), TITLE, BODY, "Windows, ＳＹＮＣ 同期")
    assert sorted(tag.name for tag in question.tags) == ["sync", "windows", "同期"]


def test_ask_question_with_bad_tags_is_refused_and_creates_nothing(factories):
    author = factories.user()
    with pytest.raises(Invalid) as error:
        posts.ask_question(author, TITLE, BODY, "bad_tag")
    assert error.value.field == "tags"
    assert tag_count("bad_tag") is None


def test_tag_question_count_increments_per_question(factories):
    author = factories.user()
    posts.ask_question(author, TITLE, BODY, "sync windows")
    assert tag_count("sync") == 1
    posts.ask_question(author, TITLE + " again", BODY, "sync mac")
    assert (tag_count("sync"), tag_count("windows"), tag_count("mac")) == (2, 1, 1)


def test_asking_creates_revision_one(factories):
    author = factories.user()
    question = posts.ask_question(author, TITLE, BODY, "sync windows")
    revision = db.session.scalar(select(PostRevision).where(PostRevision.post_id == question.id))
    assert revision.number == 1
    assert (revision.title, revision.body_md, revision.tags) == (TITLE, BODY, "sync windows")
    assert revision.author_id == author.id
    assert question.edited_at is None


# --- answering ----------------------------------------------------------------------------------------------

def test_post_answer_increments_answer_count_and_bumps_activity(factories):
    question = make_question()
    question.last_activity_at = LONG_AGO
    db.session.flush()
    answer = posts.post_answer(make_user(), question, "Sign out, sign in again and re-run the sync.")
    assert answer_count(question) == 1
    assert question.last_activity_at > LONG_AGO
    assert question.last_activity_at == answer.created_at
    posts.post_answer(make_user(), question, "Reinstalling the desktop app fixed this for me.")
    assert answer_count(question) == 2


def test_post_answer_creates_revision_one(factories):
    answer = make_answer(make_question())
    assert revision_numbers(answer) == [1]


def test_short_answer_is_refused(factories):
    question = make_question()
    with pytest.raises(Invalid):
        posts.post_answer(make_user(), question, "Restart it.")
    assert answer_count(question) == 0


def test_deleted_question_accepts_no_answers(factories):
    author = make_user()
    question = make_question(author=author)
    posts.delete_post(author, question)
    with pytest.raises(Forbidden):
        posts.post_answer(make_user(), question, "Sign out, sign in again and re-run the sync.")


# --- editing ------------------------------------------------------------------------------------------------

def test_edit_question_saves_a_new_revision_and_records_the_editor(factories):
    author = make_user()
    question = make_question(author=author, tags="sync")
    question.last_activity_at = LONG_AGO
    changed = posts.edit_question(author, question, TITLE + " (solved?)", BODY + "\n\nMore details.", "sync",
                                  summary="added details")
    assert changed is True
    assert question.title == TITLE + " (solved?)"
    assert "More details." in question.body_html
    assert question.editor_id == author.id
    assert question.edited_at is not None
    assert question.last_activity_at == question.edited_at
    assert revision_numbers(question) == [1, 2]
    latest = db.session.scalar(select(PostRevision).where(PostRevision.post_id == question.id,
                                                          PostRevision.number == 2))
    assert latest.summary == "added details"
    assert latest.author_id == author.id


def test_edit_question_without_changes_saves_no_revision(factories):
    author = make_user()
    question = make_question(author=author, title=TITLE, body=BODY, tags="sync windows")
    assert posts.edit_question(author, question, TITLE, BODY, "sync windows") is False
    assert posts.edit_question(author, question, "  " + TITLE + " ", BODY + "\n\n", "Sync, Windows") is False
    assert revision_numbers(question) == [1]
    assert question.edited_at is None


def test_edit_question_with_the_same_tags_in_another_order_saves_no_revision(factories):
    author = make_user()
    question = make_question(author=author, title=TITLE, body=BODY, tags="sync windows")
    question_id = question.id
    db.session.expire_all()  # a later request sees the tags as the database orders them
    question = db.session.get(Post, question_id)
    assert posts.edit_question(author, question, TITLE, BODY, "windows sync") is False
    assert revision_numbers(question) == [1]


def test_edit_question_tags_moves_tag_counts(factories):
    author = make_user()
    question = make_question(author=author, title=TITLE, body=BODY, tags="sync windows")
    posts.edit_question(author, question, TITLE, BODY, "sync mac")
    assert (tag_count("sync"), tag_count("windows"), tag_count("mac")) == (1, 0, 1)


def test_edit_question_with_invalid_input_is_refused(factories):
    author = make_user()
    question = make_question(author=author, title=TITLE)
    with pytest.raises(Invalid):
        posts.edit_question(author, question, "Too short", BODY, "sync")
    with pytest.raises(Invalid):
        posts.edit_question(author, question, TITLE, BODY, "a b c d e f")


def test_edit_answer_saves_a_revision_only_when_the_body_changes(factories):
    question = make_question()
    author = make_user()
    answer = make_answer(question, author=author, body="Sign out, sign in again and re-run the sync.")
    assert posts.edit_answer(author, answer, "Sign out, sign in again and re-run the sync.  ") is False
    assert answer.edited_at is None
    question.last_activity_at = LONG_AGO
    assert posts.edit_answer(author, answer, "Sign out, sign in again, then re-run the sync twice.") is True
    assert answer.editor_id == author.id
    assert answer.edited_at is not None
    assert question.last_activity_at == answer.edited_at
    assert revision_numbers(answer) == [1, 2]


def test_editing_someone_elses_question_is_forbidden(factories):
    question = make_question(title=TITLE, body=BODY)
    with pytest.raises(Forbidden):
        posts.edit_question(make_user(), question, TITLE + " edited", BODY, "sync")
    assert question.title == TITLE
    assert revision_numbers(question) == [1]


def test_editing_someone_elses_answer_is_forbidden(factories):
    answer = make_answer(make_question())
    with pytest.raises(Forbidden):
        posts.edit_answer(make_user(), answer, "A completely different answer from somebody else.")


def test_staff_can_edit_others_posts_and_are_recorded_as_editor(factories):
    moderator = make_user(role=Role.MODERATOR)
    question = make_question(title=TITLE, body=BODY, tags="sync")
    assert posts.edit_question(moderator, question, TITLE, BODY + " (formatting fixed)", "sync") is True
    assert question.editor_id == moderator.id
    assert question.author_id != moderator.id


def test_deleted_posts_cannot_be_edited(factories):
    author = make_user()
    answer = make_answer(make_question(), author=author)
    posts.delete_post(author, answer)
    with pytest.raises(Forbidden):
        posts.edit_answer(author, answer, "Trying to edit an answer that is already deleted.")


# --- deleting -----------------------------------------------------------------------------------------------

def test_delete_answer_is_soft_and_decrements_answer_count(factories):
    question = make_question()
    author = make_user()
    answer = make_answer(question, author=author)
    assert answer_count(question) == 1
    posts.delete_post(author, answer)
    row = db.session.get(Post, answer.id)
    assert row is not None
    assert row.deleted_at is not None
    assert row.deleted_by_id == author.id
    assert answer_count(question) == 0


def test_undelete_answer_restores_answer_count(factories):
    question = make_question()
    author = make_user()
    answer = make_answer(question, author=author)
    posts.delete_post(author, answer)
    posts.undelete_post(author, answer)
    assert answer.deleted_at is None
    assert answer.deleted_by_id is None
    assert answer_count(question) == 1


def test_delete_question_is_soft_and_decrements_tag_counts(factories):
    author = make_user()
    question = make_question(author=author, tags="sync windows")
    make_question(tags="sync")
    posts.delete_post(author, question)
    assert db.session.get(Post, question.id).is_deleted
    assert (tag_count("sync"), tag_count("windows")) == (1, 0)
    posts.undelete_post(author, question)
    assert (tag_count("sync"), tag_count("windows")) == (2, 1)


def test_deleting_twice_or_undeleting_a_live_post_is_forbidden(factories):
    author = make_user()
    question = make_question(author=author, tags="sync")
    with pytest.raises(Forbidden):
        posts.undelete_post(author, question)
    posts.delete_post(author, question)
    with pytest.raises(Forbidden):
        posts.delete_post(author, question)
    assert tag_count("sync") == 0


def test_deleting_someone_elses_post_is_forbidden(factories):
    question = make_question(tags="sync")
    with pytest.raises(Forbidden):
        posts.delete_post(make_user(), question)
    assert not question.is_deleted
    assert tag_count("sync") == 1


def test_author_cannot_delete_a_question_answered_by_others(factories):
    author = make_user()
    question = make_question(author=author)
    make_answer(question)
    with pytest.raises(Conflict):
        posts.delete_post(author, question)
    assert not question.is_deleted


def test_author_can_delete_a_question_answered_only_by_themselves(factories):
    author = make_user()
    question = make_question(author=author)
    make_answer(question, author=author)
    posts.delete_post(author, question)
    assert question.is_deleted


def test_author_can_delete_a_question_once_others_answers_are_deleted(factories):
    author = make_user()
    question = make_question(author=author)
    helper = make_user()
    answer = make_answer(question, author=helper)
    posts.delete_post(helper, answer)
    posts.delete_post(author, question)
    assert question.is_deleted


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.ADMIN])
def test_staff_can_delete_a_question_answered_by_others(factories, role):
    question = make_question(tags="sync")
    make_answer(question)
    staff = make_user(role=role)
    posts.delete_post(staff, question)
    assert question.is_deleted
    assert question.deleted_by_id == staff.id
    assert tag_count("sync") == 0


# --- revision history ---------------------------------------------------------------------------------------

def test_post_history_lists_revisions_newest_first_with_diffs(factories):
    author = make_user()
    question = make_question(author=author, title=TITLE, body="First line of the body.\nSecond line of it.",
                             tags="sync windows")
    posts.edit_question(author, question, TITLE + " 11", "First line of the body.\nA better second line.",
                        "sync mac", summary="clarified")
    history = revisions.post_history(question)
    assert [item.revision.number for item in history] == [2, 1]
    latest, original = history
    assert ("delete", "Second line of it.") in [(line.op, line.text) for line in latest.body_diff]
    assert ("insert", "A better second line.") in [(line.op, line.text) for line in latest.body_diff]
    assert ("equal", "First line of the body.") in [(line.op, line.text) for line in latest.body_diff]
    assert [(line.op, line.text) for line in latest.title_diff] == [("equal", TITLE), ("insert", " 11")]
    tag_ops = {line.text: line.op for line in latest.tags_diff}
    assert tag_ops == {"sync": "equal", "mac": "insert", "windows": "delete"}
    assert latest.revision.summary == "clarified"
    # The original is compared with nothing: everything in it is new.
    assert {line.op for line in original.body_diff} == {"insert"}


def test_post_history_of_an_answer_has_no_title_or_tags(factories):
    author = make_user()
    answer = make_answer(make_question(), author=author, body="Sign out, sign in again and re-run the sync.")
    posts.edit_answer(author, answer, "Sign out, sign in again and re-run the sync. Then restart.")
    history = revisions.post_history(answer)
    assert len(history) == 2
    assert history[0].title_diff is None and history[0].tags_diff is None
    assert [line.op for line in history[0].body_diff] == ["delete", "insert"]
