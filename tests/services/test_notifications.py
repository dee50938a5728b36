"""Producers: answers, comments, @mentions, accepts and badges notify the right person, once, never themselves."""
import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Notification, NotificationKind as Kind, OutgoingEmail, UserBadge
from forum.services.people import accounts
from forum.services.reputation import badges, votes
from forum.services.community import mentions, posts
from forum.services.outreach import notifications
from forum.services.reputation.ledger import ReputationRules
from tests.factories import make_answer, make_comment, make_question, make_user

pytestmark = pytest.mark.usefixtures("app")


def inbox(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def kinds(user) -> list[str]:
    return [n.kind for n in inbox(user)]


def test_an_answer_notifies_the_asker_with_the_question_title():
    asker, answerer = make_user(username="asker"), make_user(username="aoi")
    question = make_question(author=asker, title="Sync stops after five minutes")
    answer = make_answer(question, author=answerer)
    [notification] = inbox(asker)
    assert (notification.kind, notification.actor_id, notification.post_id) == (Kind.ANSWER, answerer.id, answer.id)
    assert notification.url == f"/answers/{answer.id}"
    assert notifications.describe(notification).sentence == "aoi answered your question: Sync stops after five minutes"
    assert inbox(answerer) == []


def test_answering_your_own_question_notifies_nobody():
    asker = make_user()
    make_answer(make_question(author=asker), author=asker)
    assert inbox(asker) == []


def test_a_comment_notifies_the_posts_author_but_not_a_self_comment():
    asker, answerer, commenter = make_user(), make_user(), make_user(username="kenji")
    question = make_question(author=asker)
    answer = make_answer(question, author=answerer)
    make_comment(answer, author=commenter, body="Which version of the app are you using?")
    make_comment(answer, author=answerer, body="I am on version 3.2 of the desktop app.")
    [notification] = [n for n in inbox(answerer) if n.kind == Kind.COMMENT]
    assert notification.actor_id == commenter.id
    assert notification.url == f"/answers/{answer.id}#comments-{answer.id}"
    assert "kenji commented on your post: Which version" in notifications.describe(notification).sentence


def test_mentions_notify_existing_users_case_insensitively_once():
    author, aoi, kenji = make_user(), make_user(username="Aoi"), make_user(username="kenji.m")
    question = make_question(author=author, body="Hi @aoi and @AOI, maybe @kenji.m. knows? @nobody_here neither.")
    for user in (aoi, kenji):
        [notification] = inbox(user)
        assert (notification.kind, notification.post_id) == (Kind.MENTION, question.id)
        assert notification.url == f"/questions/{question.id}/{question.slug}"
    assert inbox(author) == []


def test_mentions_skip_code_email_addresses_and_the_author():
    author, aoi = make_user(username="writer"), make_user(username="aoi")
    make_question(author=author, body="Mail aoi@example.com, run `@aoi` in code, and thanks to me, @writer.\n")
    assert inbox(aoi) == [] and inbox(author) == []


def test_mentioning_the_asker_in_an_answer_is_one_notification_not_two():
    asker, answerer = make_user(username="asker"), make_user()
    make_answer(make_question(author=asker), author=answerer, body="@asker try signing out and in again, it works.")
    assert kinds(asker) == [Kind.ANSWER]


def test_mentioning_in_a_comment_notifies_the_mentioned_and_the_author_once_each():
    author, commenter, aoi = make_user(username="author"), make_user(), make_user(username="aoi")
    question = make_question(author=author)
    make_comment(question, author=commenter, body="@aoi @author have you seen this one before?")
    assert kinds(author) == [Kind.COMMENT]
    assert kinds(aoi) == [Kind.MENTION]


def test_at_most_ten_people_are_mentioned_per_post():
    names = [f"person{n}" for n in range(12)]
    people = [make_user(username=name) for name in names]
    make_question(body="Calling " + " ".join(f"@{name}" for name in names))
    assert sum(len(inbox(person)) for person in people) == mentions.MAX_MENTIONS


def test_an_edit_notifies_only_people_newly_mentioned():
    author, aoi, kenji = make_user(), make_user(username="aoi"), make_user(username="kenji")
    question = make_question(author=author, body="A long enough question body that mentions @aoi here.")
    posts.edit_question(author, question, question.title, "Same body that mentions @aoi and now @kenji too.",
                        "sync windows")
    db.session.flush()
    assert kinds(aoi) == [Kind.MENTION] and kinds(kenji) == [Kind.MENTION]


def test_accepting_notifies_the_answerer_and_self_accept_does_not():
    asker, answerer = make_user(username="asker"), make_user()
    question = make_question(author=asker, title="How do I reset the sync?")
    answer = make_answer(question, author=answerer)
    votes.accept_answer(asker, answer, ReputationRules())
    notification = [n for n in inbox(answerer) if n.kind == Kind.ACCEPTED][0]
    assert notifications.describe(notification).sentence == "asker accepted your answer to: How do I reset the sync?"
    own = make_answer(question, author=asker)
    votes.accept_answer(asker, own, ReputationRules())
    assert Kind.ACCEPTED not in kinds(asker)


def test_an_earned_badge_notifies_with_its_name_and_page():
    user = make_user()
    accounts.update_profile(user, "I fix sync problems for a living.", None)
    [notification] = inbox(user)
    assert (notification.kind, notification.url) == (Kind.BADGE, "/badges/autobiographer")
    assert notifications.describe(notification).sentence == "You earned the “Autobiographer” badge."


def test_a_badge_back_fill_does_not_flood_inboxes():
    users = [make_user() for _ in range(3)]
    for user in users:
        user.about_md = "Filled in before badges existed."
    db.session.flush()
    assert badges.award_all(["autobiographer"]) == {"autobiographer": 3}
    assert db.session.scalar(select(UserBadge.id).where(UserBadge.user_id == users[0].id)) is not None
    assert all(inbox(user) == [] for user in users)


def test_notify_keeps_its_contract_for_other_helpers():
    staff, member = make_user(), make_user()
    assert notifications.notify(member.id, Kind.MODERATION, actor=staff, text="Your post was closed.") is not None
    assert notifications.notify(staff.id, Kind.MODERATION, actor=staff, text="self") is None
    assert notifications.notify(None, Kind.MODERATION, text="nobody") is None
    db.session.flush()
    assert notifications.describe(inbox(member)[0]).sentence == "Your post was closed."


def test_no_mail_is_written_while_e_mail_is_off():
    make_answer(make_question())
    assert db.session.scalar(select(OutgoingEmail.id)) is None


def test_mail_commands_refuse_to_run_while_e_mail_is_off(runner):
    for command in ("send", "digest"):
        result = runner.invoke(args=["mail", command])
        assert result.exit_code != 0 and "MAIL_SERVER is not set" in result.output


def test_reading_one_and_marking_all_read():
    asker = make_user()
    question = make_question(author=asker)
    make_answer(question), make_answer(question)
    first, second = inbox(asker)
    assert notifications.unread_count(asker.id) == 2
    notifications.open_notification(asker, first.id)
    assert notifications.unread_count(asker.id) == 1
    assert notifications.mark_all_read(asker) == 1
    assert notifications.unread_count(asker.id) == 0


def test_someone_elses_notification_is_not_found():
    from forum.services.errors import NotFound
    asker, stranger = make_user(), make_user()
    make_answer(make_question(author=asker))
    with pytest.raises(NotFound):
        notifications.open_notification(stranger, inbox(asker)[0].id)
