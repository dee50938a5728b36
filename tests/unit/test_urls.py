"""The one place links are built: the same as the routes' own url_for, and short enough to store."""
from types import SimpleNamespace

from flask import url_for

from forum.models import slugify
from forum.urls import answer_path, faq_entry_path, permalink, question_path, tag_path, thread_path, user_path

JAPANESE_TITLE = "Windowsアプリで同期ができなくなったのはなぜですか" * 3  # a long Japanese title: a long slug


def test_paths_match_what_the_routes_build(app):
    with app.test_request_context():
        assert question_path(7, JAPANESE_TITLE) == url_for("questions.detail", question_id=7,
                                                           slug=slugify(JAPANESE_TITLE))
        assert question_path(7, "Sync stops", anchor="answer-9") == url_for(
            "questions.detail", question_id=7, slug="sync-stops", _anchor="answer-9")
        assert faq_entry_path(3, "How do I reset my password?", anchor="feedback") == url_for(
            "faq.entry", entry_id=3, slug="how-do-i-reset-my-password", _anchor="feedback")
        for name in ("c++", "c#", ".net", "同期"):
            assert tag_path(name) == url_for("questions.tagged", tag_name=name)
        assert user_path(5) == url_for("users.profile", user_id=5)
    assert question_path(7, JAPANESE_TITLE).isascii()  # fit for a Location header
    assert faq_entry_path(3) == "/faq/3"


def test_answers_link_into_their_thread():
    question = SimpleNamespace(id=7, question_id=None, title="Sync stops")
    answer = SimpleNamespace(id=9, question_id=7, question=question, title=None)
    assert answer_path(answer) == "/questions/7/sync-stops#answer-9"
    assert thread_path(answer, "comments-9") == "/questions/7/sync-stops#comments-9"
    assert permalink(answer) == "/answers/9"


def test_a_stored_permalink_fits_its_column_whatever_the_title():
    question = SimpleNamespace(id=123456, question_id=None, title=JAPANESE_TITLE)
    assert len(permalink(question)) <= 255  # notifications.url is VARCHAR(255) on PostgreSQL
