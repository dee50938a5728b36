"""Comments: length limits, whitespace, inline Markdown, deletion and the cached count."""
import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Post, Role
from forum.services.community import comments, posts
from forum.services.errors import Forbidden, Invalid
from tests.factories import make_answer, make_comment, make_question, make_user


def comment_count(post) -> int:
    return db.session.scalar(select(Post.comment_count).where(Post.id == post.id))


@pytest.mark.parametrize("body", ["x" * 15, "y" * 600])
def test_comments_of_15_to_600_characters_are_accepted(factories, body):
    assert make_comment(make_question(), body=body).body == body


@pytest.mark.parametrize("body", ["x" * 14, "y" * 601, "", "   ", None])
def test_comments_outside_15_to_600_characters_are_refused(factories, body):
    question = make_question()
    with pytest.raises(Invalid) as error:
        comments.add_comment(make_user(), question, body)
    assert error.value.field == "body"
    assert comment_count(question) == 0


def test_whitespace_is_collapsed_before_counting(factories):
    question = make_question()
    comment = make_comment(question, body="  Which   version\n\nof the\tapp?  ")
    assert comment.body == "Which version of the app?"
    with pytest.raises(Invalid):
        comments.add_comment(make_user(), question, "a" + " " * 30 + "b")  # 32 typed, 3 after collapsing


def test_inline_markdown_is_rendered(factories):
    comment = make_comment(make_question(), body="Try **safe mode** with `--reset` or see [the guide](https://example.com/g)")
    assert "<strong>safe mode</strong>" in comment.body_html
    assert "<code>--reset</code>" in comment.body_html
    assert 'href="https://example.com/g"' in comment.body_html
    assert not comment.body_html.startswith("<p>")


def test_block_markdown_and_html_stay_inert_in_comments(factories):
    comment = make_comment(make_question(), body="# Not a heading <script>alert(1)</script> [x](javascript:alert(1))")
    html = comment.body_html.lower()
    assert "<h1" not in html
    assert "<script" not in html
    assert "javascript:" not in html
    assert "# not a heading" in html


def test_comment_on_an_answer(factories):
    answer = make_answer(make_question())
    comment = make_comment(answer)
    assert comment.post_id == answer.id
    assert comment_count(answer) == 1


def test_comment_count_is_maintained_on_add_and_delete(factories):
    question = make_question()
    author = make_user()
    first = make_comment(question, author=author)
    make_comment(question)
    assert comment_count(question) == 2
    comments.delete_comment(author, first)
    assert first.deleted_at is not None
    assert comment_count(question) == 1


def test_deleting_someone_elses_comment_is_forbidden(factories):
    question = make_question()
    comment = make_comment(question)
    with pytest.raises(Forbidden):
        comments.delete_comment(make_user(), comment)
    assert comment.deleted_at is None
    assert comment_count(question) == 1


def test_deleting_a_comment_twice_is_forbidden_and_keeps_the_count(factories):
    question = make_question()
    author = make_user()
    comment = make_comment(question, author=author)
    comments.delete_comment(author, comment)
    with pytest.raises(Forbidden):
        comments.delete_comment(author, comment)
    assert comment_count(question) == 0


def test_staff_can_delete_others_comments(factories):
    question = make_question()
    comment = make_comment(question)
    comments.delete_comment(make_user(role=Role.MODERATOR), comment)
    assert comment.deleted_at is not None
    assert comment_count(question) == 0


def test_deleted_posts_cannot_be_commented_on(factories):
    author = make_user()
    question = make_question(author=author)
    posts.delete_post(author, question)
    with pytest.raises(Forbidden):
        comments.add_comment(make_user(), question, "Why was this deleted? It was useful.")
