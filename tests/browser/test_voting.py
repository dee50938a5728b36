"""Voting without a reload (optimistic, rolled back with the server's explanation) and accepting, in Chromium."""
import shutil

import pytest

from tests.factories import make_answer, make_question, make_user

pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not shutil.which("chromium"):
    pytest.skip("chromium is not installed (apt-get install -y chromium)", allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

from forum.extensions import db  # noqa: E402
from forum.models import Reason, Role  # noqa: E402
from forum.services.moderation import suspensions  # noqa: E402
from forum.services.reputation import ledger  # noqa: E402
from tests.browser.test_ask_answer_comment import log_in, log_out  # noqa: E402

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def thread(live_server):
    """A question by a new asker with an answer; 'voter' has 50 reputation: enough to vote up, not down."""
    with live_server.app.app_context():
        asker, answerer, voter = make_user(username="asker"), make_user(username="answerer"), make_user(username="voter")
        ledger.record(voter.id, Reason.BONUS, 50)
        question = make_question(author=asker, title="How do I export every note to Markdown at once?",
                                 tags="sync desktop")
        answer = make_answer(question, author=answerer,
                             body="Use `tsumugi export --format md --all`; it writes one file per note.")
        db.session.commit()
        ids = {"question": question.id, "answer": answer.id, "url": f"/questions/{question.id}/{question.slug}"}
        db.session.remove()
    return ids


def test_vote_up_updates_in_place_and_persists(page, live_server, thread):
    log_in(page, live_server.url, "voter")
    page.goto(live_server.url + thread["url"])
    page.evaluate("window.__notReloaded = true")
    widget = page.locator("#question .votes")
    with page.expect_response(lambda response: response.url.endswith("/vote")):  # reload only once it is saved
        widget.locator("button.vote-up").click()
        expect(widget.locator(".score")).to_have_text("1")
    expect(widget.locator("button.vote-up")).to_have_class("vote vote-up on")
    assert page.evaluate("window.__notReloaded === true"), "the page reloaded"
    page.reload()
    expect(page.locator("#question .votes .score")).to_have_text("1")
    expect(page.locator("#question .votes button.vote-up")).to_have_attribute("aria-pressed", "true")
    assert page.js_errors == []


def test_refused_vote_rolls_back_and_explains(page, live_server, thread):
    log_in(page, live_server.url, "voter")
    page.goto(live_server.url + thread["url"])
    widget = page.locator(f"#answer-{thread['answer']} .votes")
    before = widget.locator(".score").inner_text()
    widget.locator("button.vote-down").click()
    expect(widget.locator(".vote-message")).to_contain_text("You need 125 reputation to vote down")
    expect(widget.locator(".score")).to_have_text(before)
    expect(widget.locator("button.vote-down")).not_to_have_class("vote vote-down on")


def test_asker_accepts_an_answer(page, live_server, thread):
    log_in(page, live_server.url, "asker")
    page.goto(live_server.url + thread["url"])
    page.locator(f"#answer-{thread['answer']} button.accept").click()
    expect(page.locator(f"#answer-{thread['answer']} .accepted-label")).to_have_text("Accepted answer")
    expect(page.locator(f"#answer-{thread['answer']} button.accept")).to_have_attribute("aria-pressed", "true")
    log_out(page)
    page.goto(live_server.url + "/questions")
    expect(page.locator(".question-row .stat.accepted").first).to_be_visible()


@pytest.mark.parametrize("width", [1280, 390])
def test_refusal_is_readable_beside_the_vote_column(page, live_server, thread, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url, "voter")
    page.goto(live_server.url + thread["url"])
    widget = page.locator(f"#answer-{thread['answer']} .votes")
    widget.locator("button.vote-down").click()
    message = widget.locator(".vote-message")
    expect(message).to_contain_text("You need 125 reputation to vote down")
    box, column = message.bounding_box(), widget.bounding_box()
    assert box["width"] >= 160, box  # it was squeezed into the 36-48 px column, a word or two a line
    assert box["height"] <= 80, box  # two or three lines
    assert box["x"] >= column["x"] + column["width"] - 1, (box, column)  # beside the buttons, not over them
    assert box["x"] + box["width"] <= width, box
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    message.click()
    expect(message).to_be_hidden()


@pytest.fixture(scope="module")
def suspended(live_server):
    """Members suspended by a moderator, and the end as the site's clock reads it."""
    with live_server.app.test_request_context():
        moderator = make_user(username="moderator", role=Role.MODERATOR)
        ends = {}
        for width in (1280, 390):
            member = make_user(username=f"suspended{width}")
            suspensions.suspend(moderator, member, 3, "Rude replies")
            ends[width] = suspensions.format_until(member.suspended_until)
        db.session.commit()
        db.session.remove()
    return ends


@pytest.mark.parametrize("width", [1280, 390])
def test_a_suspension_ends_at_one_time_in_every_message(page, live_server, thread, suspended, width):
    page.set_viewport_size({"width": width, "height": 900})
    until = suspended[width]
    assert until.endswith(" JST")  # the site's zone (the support team's), named
    log_in(page, live_server.url, f"suspended{width}")
    page.goto(live_server.url + thread["url"])
    expect(page.locator(".suspension-banner")).to_contain_text(f"suspended until {until}: Rude replies")
    widget = page.locator("#question .votes")
    widget.locator("button.vote-up").click()
    expect(widget.locator(".vote-message")).to_contain_text(f"suspended until {until}: Rude replies")
    assert page.locator(".suspension-banner").bounding_box()["width"] <= width
