"""/admin/audit: staff only, newest first, filters, target links, constant queries."""
import pytest

from forum.extensions import db
from forum.models import Role, Webhook
from forum.services.moderation import suspensions
from forum.services.audit_log import log_action
from tests.factories import make_answer, make_question, make_user
from tests.helpers import counted_statements, login, post_form, text


@pytest.mark.parametrize("role", [None, Role.MEMBER])
def test_audit_log_is_403_for_visitors_and_members(client, role):
    if role:
        login(client, make_user(role=role))
    assert client.get("/admin/audit").status_code == 403


def test_staff_action_shows_who_what_target_reason_and_when(client):
    moderator = make_user(username="modmina", role=Role.MODERATOR)
    user = make_user(username="spammysam")
    login(client, moderator)
    post_form(client, f"/users/{user.id}/suspend", {"days": "3", "reason": "Posting spam links"},
              page=f"/users/{user.id}")
    page = text(client.get("/admin/audit"))
    row = page[page.index('data-action="user.suspend"'):]
    row = row[:row.index("</tr>")]
    assert "modmina" in row and "User suspended" in row and "Posting spam links" in row
    assert f'href="/users/{user.id}"' in row and "spammysam" in row
    assert "<time datetime=" in row and "days: 3" in row
    assert "Audit log" in page  # the staff area's navigation links here


def test_newest_first_and_filters_by_action_and_actor(client):
    first, second = make_user(username="firstmod", role=Role.MODERATOR), make_user(username="secondmod",
                                                                                  role=Role.ADMIN)
    question = make_question(title="A question the moderators acted on")
    log_action(first, "post.close", question, "Off topic")
    log_action(second, "post.reopen", question, "Edited into shape")
    log_action(second, "post.close", question, "Duplicate again")
    db.session.commit()
    login(client, first)
    page = text(client.get("/admin/audit"))
    assert page.index("Duplicate again") < page.index("Edited into shape") < page.index("Off topic")
    assert f'href="/questions/{question.id}"' in page and "A question the moderators acted on" in page
    page = text(client.get("/admin/audit?action=post.close"))
    assert "Duplicate again" in page and "Off topic" in page and "Edited into shape" not in page
    page = text(client.get("/admin/audit?action=post.close&actor=SecondMod"))
    assert "Duplicate again" in page and "Off topic" not in page and "Edited into shape" not in page
    page = text(client.get("/admin/audit?actor=nobody"))
    assert "No entries match these filters." in page


def test_unknown_actions_show_their_raw_name_and_system_entries_no_actor(client):
    log_action(None, "custom.thing", None, "Nightly job")
    db.session.commit()
    login(client, make_user(role=Role.ADMIN))
    page = text(client.get("/admin/audit"))
    assert "custom.thing" in page and "System" in page and "Nightly job" in page


def test_webhook_targets_show_their_name_and_link_to_the_webhooks_page(client):
    admin = make_user(role=Role.ADMIN)
    hook = Webhook(name="mods channel", url="https://hooks.example/x", events="flag.new")
    db.session.add(hook)
    db.session.flush()
    log_action(admin, "webhook.create", hook)
    db.session.commit()
    login(client, admin)
    page = text(client.get("/admin/audit"))
    assert "mods channel" in page and 'href="/admin/webhooks"' in page and "Webhook added" in page


def test_audit_queries_do_not_grow_with_entries(client):
    admin = make_user(role=Role.ADMIN)
    login(client, admin)

    def add_entries(n):
        for _ in range(n):
            question = make_question(commit=False)
            answer = make_answer(question, commit=False)
            member = make_user(commit=False)
            log_action(admin, "post.close", question, "Off topic")
            log_action(admin, "post.delete", answer, "Spam")
            suspensions.suspend(admin, member, 1, "Spam")
            hook = Webhook(name="mods channel", url="https://hooks.example/x", events="flag.new")
            db.session.add(hook)
            db.session.flush()
            log_action(admin, "webhook.create", hook)
            log_action(admin, "faq.publish", None, "", entry=1)
        db.session.commit()

    add_entries(1)
    client.get("/admin/audit")
    with counted_statements() as few:
        assert client.get("/admin/audit").status_code == 200
    add_entries(10)
    with counted_statements() as many:
        assert client.get("/admin/audit").status_code == 200
    assert len(many) == len(few)
