"""Flags, hidden posts, the review queue and suspensions, through HTTP."""
import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import AuditLogEntry, Flag, FlagReason, FlagStatus, Post, Role, Suspension, User, Vote
from forum.services.moderation import flags, suspensions
from forum.services.reputation.privileges import SMALL_COMMUNITY_THRESHOLDS
from tests.factories import make_answer, make_question, make_user
from tests.helpers import SAMPLE_ANSWER, ask, counted_statements, login, post_form, question_url, text


def flag_via_service(post, reason=FlagReason.SPAM, user=None, **kwargs):
    flags.flag_post(user or make_user(commit=False), post, reason,
                    flags.FlagPolicy(SMALL_COMMUNITY_THRESHOLDS, 3), **kwargs)
    db.session.commit()


def hide(post):
    for _ in range(3):
        flag_via_service(post)
    assert post.is_hidden


def flags_of(post) -> list[Flag]:
    db.session.expire_all()
    return db.session.scalars(select(Flag).where(Flag.post_id == post.id).order_by(Flag.id)).all()


def audit_actions() -> list[str]:
    db.session.expire_all()
    return db.session.scalars(select(AuditLogEntry.action).order_by(AuditLogEntry.id)).all()


# --- Flagging --------------------------------------------------------------------------------------------------

def test_thread_links_to_the_flag_form_for_other_signed_in_users(client, served_app):
    question = make_question()
    answer = make_answer(question)
    assert "/flag" not in text(client.get(question_url(question)))  # anonymous
    login(client, question.author)
    page = text(client.get(question_url(question)))
    assert f"/posts/{question.id}/flag" not in page and f"/posts/{answer.id}/flag" in page  # not on their own
    other = served_app.test_client()
    login(other, make_user())
    page = text(other.get(question_url(question)))
    assert f"/posts/{question.id}/flag" in page and f"/posts/{answer.id}/flag" in page


def test_flag_form_works_without_javascript(client):
    question = make_question()
    login(client, make_user())
    page = text(client.get(f"/posts/{question.id}/flag"))
    for reason in FlagReason.ALL:
        assert f'type="radio" name="reason" value="{reason}"' in page
    response = post_form(client, f"/posts/{question.id}/flag", {"reason": "spam"}, page=f"/posts/{question.id}/flag")
    assert response.status_code == 302 and response.headers["Location"].endswith(question_url(question))
    assert [(f.reason, f.status) for f in flags_of(question)] == [("spam", FlagStatus.PENDING)]


def test_flag_needs_a_login(client):
    question = make_question()
    response = client.get(f"/posts/{question.id}/flag")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_own_post_is_400(client):
    question = make_question()
    login(client, question.author)
    response = post_form(client, f"/posts/{question.id}/flag", {"reason": "spam"})
    assert response.status_code == 400
    assert "You cannot flag your own post." in text(response)
    assert flags_of(question) == []


def test_second_flag_is_409(client):
    question, user = make_question(), make_user()
    login(client, user)
    post_form(client, f"/posts/{question.id}/flag", {"reason": "spam"})
    response = post_form(client, f"/posts/{question.id}/flag", {"reason": "rude"})
    assert response.status_code == 409
    assert "You have already flagged this post" in text(response)
    assert len(flags_of(question)) == 1


def test_other_without_text_is_400_and_keeps_the_choice(client):
    question = make_question()
    login(client, make_user())
    response = post_form(client, f"/posts/{question.id}/flag", {"reason": "other", "text": "  "})
    assert response.status_code == 400
    page = text(response)
    assert "Explain what a moderator should look at." in page
    assert 'value="other" required checked' in page
    assert flags_of(question) == []


def test_duplicate_needs_a_valid_question_and_keeps_what_was_typed(client):
    question, original = make_question(), make_question()
    login(client, make_user())
    response = post_form(client, f"/posts/{question.id}/flag", {"reason": "duplicate", "duplicate_of": "nowhere"})
    assert response.status_code == 400 and 'value="nowhere"' in text(response)
    assert "Give the link or number of an existing question." in text(response)
    response = post_form(client, f"/posts/{question.id}/flag",
                         {"reason": "duplicate", "duplicate_of": f"http://localhost{question_url(original)}"})
    assert response.status_code == 302
    assert flags_of(question)[0].duplicate_of_id == original.id


class TestWithoutThePrivilege:
    @pytest.fixture
    def app_config(self):
        return {}  # the standard thresholds: flagging needs 15 reputation

    def test_flagging_is_403_with_what_is_needed(self, client):
        question = make_question()
        login(client, make_user())
        assert client.get(f"/posts/{question.id}/flag").status_code == 403
        response = post_form(client, f"/posts/{question.id}/flag", {"reason": "spam"})
        assert response.status_code == 403
        assert "You need 15 reputation to flag posts." in text(response)
        assert flags_of(question) == []


# --- Hidden posts ----------------------------------------------------------------------------------------------

def test_two_spam_flags_do_not_hide_the_third_does(client):
    question = make_question()
    flag_via_service(question)
    flag_via_service(question, FlagReason.NEEDS_IMPROVEMENT)
    flag_via_service(question, FlagReason.RUDE)
    assert client.get(question_url(question)).status_code == 200
    flag_via_service(question)
    assert client.get(question_url(question)).status_code == 404


def test_hidden_question_is_404_for_others_and_left_out_of_lists(client):
    question, visible = make_question(title="Hidden spam question about sync"), make_question()
    hide(question)
    assert client.get(question_url(question)).status_code == 404
    listing = text(client.get("/questions"))
    assert "Hidden spam question about sync" not in listing and visible.title in listing
    login(client, make_user())
    assert client.get(question_url(question)).status_code == 404


@pytest.mark.parametrize("who", ["author", "moderator"])
def test_hidden_question_is_shown_to_its_author_and_staff_with_a_note(client, who):
    question = make_question()
    hide(question)
    login(client, question.author if who == "author" else make_user(role=Role.MODERATOR))
    response = client.get(question_url(question))
    assert response.status_code == 200
    assert "This post is hidden until a moderator reviews it" in text(response)


def test_hidden_answer_is_left_out_of_the_thread_for_others(client):
    question = make_question()
    answer = make_answer(question, body="Buy cheap sync licences at spam.example right now!")
    hide(answer)
    page = text(client.get(question_url(question)))
    assert "spam.example" not in page and "0 answers" in page
    assert client.get(f"/answers/{answer.id}").status_code == 404
    login(client, answer.author)
    page = text(client.get(question_url(question)))
    assert "spam.example" in page and "This post is hidden until a moderator reviews it" in page


def test_hidden_answer_is_shown_to_staff(client):
    question = make_question()
    answer = make_answer(question, body="Buy cheap sync licences at spam.example right now!")
    hide(answer)
    login(client, make_user(role=Role.ADMIN))
    page = text(client.get(question_url(question)))
    assert "spam.example" in page and "This post is hidden until a moderator reviews it" in page


# --- The review queue ------------------------------------------------------------------------------------------

def test_review_is_403_for_members_and_not_linked(client):
    login(client, make_user())
    assert client.get("/review").status_code == 403
    assert 'href="/review"' not in text(client.get("/questions"))


def test_review_lists_flagged_posts_oldest_first_with_the_flags(client):
    older, newer = make_question(title="Older flagged question here"), make_answer(make_question())
    flagger = make_user(username="flaggerone")
    flag_via_service(older, FlagReason.OTHER, user=flagger, text="Contains a phone number")
    flag_via_service(newer, FlagReason.RUDE)
    flag_via_service(older, FlagReason.SPAM)
    login(client, make_user(role=Role.MODERATOR))
    assert '<span class="count-badge">2</span>' in text(client.get("/questions"))
    page = text(client.get("/review"))
    assert page.index(f'id="review-{older.id}"') < page.index(f'id="review-{newer.id}"')
    assert "Contains a phone number" in page and "flaggerone" in page
    assert "Rude or abusive" in page and "Something else" in page
    assert f'href="/questions/{older.id}/close"' in page  # the closing area's close page
    assert f'href="/answers/{newer.id}/edit"' in page and f'href="/questions/{older.id}/edit"' in page


def test_review_queries_do_not_grow_with_flagged_posts(client):
    moderator = make_user(role=Role.MODERATOR)
    flag_via_service(make_question())
    flag_via_service(make_answer(make_question()))
    login(client, moderator)
    client.get("/review")
    with counted_statements() as few:
        assert client.get("/review").status_code == 200
    for n in range(8):
        question = make_question(commit=False)
        post = make_answer(question, commit=False) if n % 2 else question
        flag_via_service(post, FlagReason.DUPLICATE if n % 2 == 0 else FlagReason.RUDE,
                         **({"duplicate_of": str(make_question(commit=False).id)} if n % 2 == 0 else {}))
        flag_via_service(post, FlagReason.OTHER, text="another reason")
    with counted_statements() as many:
        assert client.get("/review").status_code == 200
    assert len(many) == len(few)


def test_dismiss_unhides_and_is_logged(client):
    question = make_question()
    hide(question)
    login(client, make_user(role=Role.MODERATOR))
    response = post_form(client, f"/review/{question.id}/dismiss", {"reason": "Not spam at all"}, page="/review")
    assert response.status_code == 302
    assert {f.status for f in flags_of(question)} == {FlagStatus.DISMISSED}
    assert db.session.get(Post, question.id).hidden_at is None
    entry = db.session.scalars(select(AuditLogEntry).where(AuditLogEntry.action == "flags.dismiss")).one()
    assert entry.reason == "Not spam at all" and entry.target_id == question.id
    client.post("/logout")
    assert client.get(question_url(question)).status_code == 200


def test_mark_handled_is_logged(client):
    question = make_question()
    flag_via_service(question, FlagReason.NEEDS_IMPROVEMENT)
    login(client, make_user(role=Role.MODERATOR))
    assert post_form(client, f"/review/{question.id}/helpful", {}, page="/review").status_code == 302
    assert {f.status for f in flags_of(question)} == {FlagStatus.HELPFUL}
    assert audit_actions() == ["flags.helpful"]


def test_delete_from_review_is_logged_with_the_reason(client):
    answer = make_answer(make_question())
    flag_via_service(answer)
    login(client, make_user(role=Role.MODERATOR))
    response = post_form(client, f"/review/{answer.id}/delete", {"reason": "Advertising"}, page="/review")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Post, answer.id).is_deleted
    assert {f.status for f in flags_of(answer)} == {FlagStatus.HELPFUL}
    entry = db.session.scalars(select(AuditLogEntry).where(AuditLogEntry.action == "post.delete")).one()
    assert entry.reason == "Advertising"


def test_suspend_author_from_review(client):
    answer = make_answer(make_question())
    flag_via_service(answer)
    login(client, make_user(role=Role.MODERATOR))
    assert "Suspend author" in text(client.get("/review"))
    response = post_form(client, f"/users/{answer.author_id}/suspend",
                         {"days": "7", "reason": "Spam links", "from": "review"}, page="/review")
    assert response.status_code == 302 and response.headers["Location"].endswith("/review")
    db.session.expire_all()
    assert db.session.get(User, answer.author_id).is_suspended()
    assert audit_actions() == ["user.suspend"]


@pytest.mark.parametrize("url", ["/review/{post}/dismiss", "/review/{post}/helpful", "/review/{post}/delete",
                                 "/users/{user}/suspend", "/users/{user}/unsuspend"])
def test_every_staff_action_is_403_for_members_and_changes_nothing(client, url):
    question = make_question()
    hide(question)
    target = make_user()
    suspensions.suspend(make_user(role=Role.ADMIN), target, 2, "Earlier")
    db.session.commit()
    before = audit_actions()
    login(client, make_user())
    response = post_form(client, url.format(post=question.id, user=target.id), {"days": "3", "reason": "x"})
    assert response.status_code == 403
    assert audit_actions() == before
    assert {f.status for f in flags_of(question)} == {FlagStatus.PENDING}
    assert db.session.get(Post, question.id).is_hidden and not db.session.get(Post, question.id).is_deleted
    assert db.session.get(User, target.id).suspension_reason == "Earlier"


# --- Suspensions -----------------------------------------------------------------------------------------------

def suspend_via_profile(client, user, days="3", reason="Posting spam links"):
    return post_form(client, f"/users/{user.id}/suspend", {"days": days, "reason": reason},
                     page=f"/users/{user.id}")


def test_staff_suspend_and_lift_from_the_profile(client):
    user, moderator = make_user(), make_user(role=Role.MODERATOR)
    login(client, moderator)
    assert f'action="/users/{user.id}/suspend"' in text(client.get(f"/users/{user.id}"))
    assert suspend_via_profile(client, user).status_code == 302
    page = text(client.get(f"/users/{user.id}"))
    assert "Posting spam links" in page and f'action="/users/{user.id}/unsuspend"' in page
    response = post_form(client, f"/users/{user.id}/unsuspend", {"reason": "Appeal accepted"},
                         page=f"/users/{user.id}")
    assert response.status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, user.id).is_suspended()
    assert audit_actions() == ["user.suspend", "user.unsuspend"]
    assert db.session.scalars(select(Suspension)).one().lifted_by_id == moderator.id


def test_bad_duration_is_400_and_suspends_nobody(client):
    user = make_user()
    login(client, make_user(role=Role.MODERATOR))
    response = suspend_via_profile(client, user, days="forever")
    assert response.status_code == 400 and "whole number of days" in text(response)
    assert suspend_via_profile(client, user, reason="").status_code == 400
    assert audit_actions() == []


def test_admins_cannot_be_suspended(client):
    admin = make_user(role=Role.ADMIN)
    login(client, make_user(role=Role.MODERATOR))
    assert suspend_via_profile(client, admin).status_code == 403
    assert f'action="/users/{admin.id}/suspend"' not in text(client.get(f"/users/{admin.id}"))


@pytest.fixture
def suspended(client):
    """A signed-in suspended member, plus a question by someone else."""
    user = make_user(username="suspendedsam")
    question = make_question()
    answer = make_answer(question)
    suspensions.suspend(make_user(role=Role.MODERATOR), user, 5, "Repeated spam links")
    db.session.commit()
    login(client, user)
    return user, question, answer


def test_suspended_user_sees_why_on_every_page_and_their_profile(client, suspended):
    user, question, _answer = suspended
    for page in ("/questions", question_url(question), f"/users/{user.id}"):
        assert "Repeated spam links" in text(client.get(page))


def test_suspension_blocks_ask_answer_comment_vote_and_flag(client, suspended):
    user, question, answer = suspended
    attempts = [
        ask(client),
        post_form(client, f"/questions/{question.id}/answer", {"body": SAMPLE_ANSWER}),
        post_form(client, f"/posts/{question.id}/comments", {"body": "Which version of the app is this?"}),
        post_form(client, f"/posts/{answer.id}/vote", {"value": "1"}),
        post_form(client, f"/posts/{answer.id}/flag", {"reason": "spam"}),
    ]
    for response in attempts:
        assert response.status_code == 403, response.request.path
        assert "Your account is suspended until" in text(response) and "Repeated spam links" in text(response)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Post.id)).where(Post.author_id == user.id)) == 0
    assert db.session.scalar(select(func.count(Vote.id))) == 0 and flags_of(answer) == []


def test_lifting_restores_posting(client, suspended):
    user, _question, _answer = suspended
    suspensions.lift(make_user(role=Role.ADMIN), db.session.get(User, user.id))
    db.session.commit()
    assert ask(client).status_code == 302
    assert "Repeated spam links" not in text(client.get("/questions"))


def test_suspended_authors_cannot_edit_their_posts(client):
    user = make_user()
    question = make_question(author=user)
    answer = make_answer(make_question(), author=user)
    suspensions.suspend(make_user(role=Role.MODERATOR), user, 1, "Cooling off")
    db.session.commit()
    login(client, user)
    for url in (f"/questions/{question.id}/edit", f"/answers/{answer.id}/edit"):
        response = client.get(url)
        assert response.status_code == 403 and "Cooling off" in text(response)


def test_staff_still_see_hidden_questions_in_lists_and_authors_on_their_profile(client, served_app):
    question = make_question(title="Hidden question staff must still find")
    hide(question)
    login(client, make_user(role=Role.MODERATOR))
    assert question.title in text(client.get("/questions"))
    author = served_app.test_client()
    login(author, question.author)
    assert question.title in text(author.get(f"/users/{question.author_id}?tab=questions"))
    assert question.title not in text(author.get("/questions"))
