"""What pages tell search engines: schema.org JSON-LD (QAPage on threads, FAQPage on the FAQ), canonical links,
OpenGraph and Twitter card tags, and noindex on pages that are not for an index."""
import json
import re

import pytest

from forum.extensions import db
from forum.models import Role, utcnow
from forum.services.community import posts
from forum.services.faq import entries, promotion
from forum.services.reputation import votes
from forum.services.reputation.ledger import ReputationRules
from forum.services.reputation.privileges import SMALL_COMMUNITY_THRESHOLDS
from forum.services.seo.structured_data import ANSWER_TEXT_LENGTH, SUGGESTED_ANSWERS
from tests.factories import PASSWORD, make_answer, make_question, make_user
from tests.helpers import login, question_url, text

SITE = "http://127.0.0.1:5000"  # TestConfig's SITE_URL
POLICY = votes.VotePolicy(rules=ReputationRules(), thresholds=SMALL_COMMUNITY_THRESHOLDS, daily_limit=1000)
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
HOSTILE = "</script><script>alert(1)</script><!-- hi"


def json_ld(response) -> list[dict]:
    """Every JSON-LD block of the page, parsed; a block cut short by a stray </script> fails to parse."""
    return [json.loads(block) for block in JSON_LD.findall(text(response))]


def qa_page(client, question) -> dict:
    response = client.get(question_url(question))
    assert response.status_code == 200
    (data,) = json_ld(response)
    assert data["@context"] == "https://schema.org" and data["@type"] == "QAPage"
    return data["mainEntity"]


def meta(response, attribute: str, name: str) -> str | None:
    """The content of <meta property|name=...>, unescaped; None when the page has none."""
    found = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', text(response))
    return found and found.group(1).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")


def canonical(response) -> str | None:
    links = re.findall(r'<link rel="canonical" href="([^"]*)">', text(response))
    assert len(links) <= 1
    return links[0].replace("&amp;", "&") if links else None


def noindex(response) -> bool:
    return '<meta name="robots" content="noindex">' in text(response)


def upvote(post, times: int) -> None:
    for _ in range(times):
        votes.cast_vote(make_user(commit=False), post, 1, POLICY)
    db.session.commit()


@pytest.fixture
def staff(app):
    return make_user(role=Role.ADMIN)


# --- QAPage -----------------------------------------------------------------------------------------------------

def test_question_page_has_a_qapage_with_accepted_and_suggested_answers(client):
    question = make_question(title="Sync stops after five minutes on Windows")
    top, accepted, low = (make_answer(question, body=f"Answer number {n}: restart the sync service.")
                          for n in (1, 2, 3))
    upvote(question, 1)
    upvote(top, 3)
    upvote(accepted, 1)
    votes.accept_answer(question.author, accepted, ReputationRules())
    db.session.commit()

    entity = qa_page(client, question)
    assert entity["@type"] == "Question"
    assert entity["name"] == question.title
    assert entity["text"] == question.body_md  # plain text already: the same without markup
    assert entity["answerCount"] == 3 and entity["upvoteCount"] == 1
    assert entity["dateCreated"] == question.created_at.isoformat(timespec="seconds") + "Z"
    assert entity["url"] == SITE + question_url(question)
    assert entity["author"] == {"@type": "Person", "name": question.author.username,
                                "url": f"{SITE}/users/{question.author.id}"}
    answer = entity["acceptedAnswer"]
    assert answer["@type"] == "Answer" and answer["text"] == accepted.body_md
    assert answer["upvoteCount"] == 1
    assert answer["url"] == f"{SITE}{question_url(question)}#answer-{accepted.id}"
    assert answer["dateCreated"] == accepted.created_at.isoformat(timespec="seconds") + "Z"
    assert answer["author"]["name"] == accepted.author.username
    assert [a["url"].rsplit("-", 1)[1] for a in entity["suggestedAnswer"]] == [str(top.id), str(low.id)]
    assert [a["upvoteCount"] for a in entity["suggestedAnswer"]] == [3, 0]


def test_accepted_answer_only_when_one_is_accepted(client):
    unanswered = make_question()
    entity = qa_page(client, unanswered)
    assert entity["answerCount"] == 0
    assert "acceptedAnswer" not in entity and "suggestedAnswer" not in entity

    answered = make_question()
    make_answer(answered)
    entity = qa_page(client, answered)
    assert "acceptedAnswer" not in entity and len(entity["suggestedAnswer"]) == 1


def test_only_the_top_voted_answers_are_suggested(client):
    question = make_question()
    answers = [make_answer(question, body=f"Answer {n}: check the proxy settings.", commit=False)
               for n in range(SUGGESTED_ANSWERS + 2)]
    db.session.commit()
    upvote(answers[-1], 2)
    entity = qa_page(client, question)
    assert entity["answerCount"] == SUGGESTED_ANSWERS + 2
    suggested = entity["suggestedAnswer"]
    assert len(suggested) == SUGGESTED_ANSWERS
    assert suggested[0]["url"].endswith(f"#answer-{answers[-1].id}")


def test_deleted_and_hidden_answers_never_appear_even_for_staff(client, staff):
    question = make_question()
    kept = make_answer(question, body="This answer stays: reinstall the desktop app.")
    deleted = make_answer(question, body="This answer is deleted: a wrong idea.")
    hidden = make_answer(question, body="This answer is hidden by flags: spam.")
    posts.delete_post(staff, deleted)
    hidden.hidden_at = utcnow()
    db.session.commit()
    login(client, staff)
    page = client.get(question_url(question))
    assert "a wrong idea" in text(page)  # staff see the deleted answer on the page...
    (data,) = json_ld(page)
    entity = data["mainEntity"]
    assert entity["answerCount"] == 1  # ...but search engines never do
    assert [a["text"] for a in entity["suggestedAnswer"]] == [kept.body_md]
    assert "wrong idea" not in json.dumps(data) and "spam" not in json.dumps(data)


@pytest.mark.parametrize("state", ["deleted", "hidden"])
def test_deleted_or_hidden_question_seen_by_staff_is_noindex_without_structured_data(client, staff, state):
    question = make_question()
    make_answer(question)
    if state == "deleted":
        posts.delete_post(staff, question)
    else:
        question.hidden_at = utcnow()
    db.session.commit()
    login(client, staff)
    page = client.get(question_url(question))
    assert page.status_code == 200
    assert noindex(page) and canonical(page) is None and json_ld(page) == []


def test_structured_data_is_plain_text_and_cannot_close_its_script_element(client):
    question = make_question(title=f"Sync fails with {HOSTILE} in the log",
                             body=f"The log shows `{HOSTILE}` and **nothing else** & stops. See [the docs](https://example.com).")
    answer = make_answer(question, body=f"Escape it: {HOSTILE} <b>bold</b> & done")
    page = client.get(question_url(question))
    blocks = JSON_LD.findall(text(page))
    assert len(blocks) == 1 and "</script>" not in blocks[0] and "<!--" not in blocks[0]
    entity = json.loads(blocks[0])["mainEntity"]
    assert entity["name"] == question.title
    assert entity["text"] == f"The log shows {HOSTILE} and nothing else & stops. See the docs."
    assert entity["suggestedAnswer"][0]["text"] == f"Escape it: {HOSTILE} <b>bold</b> & done"  # as text, not markup
    assert "<strong>" not in blocks[0] and "\\u003cstrong" not in blocks[0]
    assert answer.body_html.count("&lt;b&gt;") == 1


def test_long_texts_are_cut_with_an_ellipsis(client):
    question = make_question()
    make_answer(question, body="word " * 1000)
    answer = qa_page(client, question)["suggestedAnswer"][0]
    assert len(answer["text"]) <= ANSWER_TEXT_LENGTH and answer["text"].endswith("word…")


# --- FAQPage ----------------------------------------------------------------------------------------------------

def faq_entry(staff, title, publish=True):
    question = make_question(title=title)
    make_answer(question, body="Open Settings, choose Sync and press Reset; it rebuilds the sync state.")
    entry = promotion.promote(staff, question)
    if publish:
        entries.publish(staff, entry, 25, "/faq")
    db.session.commit()
    return entry


def test_faq_list_is_an_faqpage_of_published_entries(client, staff):
    first = faq_entry(staff, "How do I reset the sync state?")
    second = faq_entry(staff, f"Why does the log say {HOSTILE}?")
    faq_entry(staff, "A draft that nobody should see", publish=False)
    page = client.get("/faq")
    (data,) = json_ld(page)
    assert data["@context"] == "https://schema.org" and data["@type"] == "FAQPage"
    questions = {q["name"]: q for q in data["mainEntity"]}
    assert set(questions) == {first.title, second.title}
    for entry in (first, second):
        item = questions[entry.title]
        assert item["@type"] == "Question"
        assert item["url"] == f"{SITE}/faq/{entry.id}/{entry.slug}"
        assert item["acceptedAnswer"] == {
            "@type": "Answer", "text": "Open Settings, choose Sync and press Reset; it rebuilds the sync state."}
    assert canonical(page) == f"{SITE}/faq" and not noindex(page)


def test_faq_entry_page_is_an_faqpage_of_that_entry(client, staff):
    entry = faq_entry(staff, "How do I reset the sync state?")
    page = client.get(f"/faq/{entry.id}/{entry.slug}")
    (data,) = json_ld(page)
    assert data["@type"] == "FAQPage"
    (item,) = data["mainEntity"]
    assert item["name"] == entry.title and item["acceptedAnswer"]["@type"] == "Answer"
    assert item["text"] == entry.question_md and item["text"].startswith("Sync stops after a few minutes")
    assert canonical(page) == f"{SITE}/faq/{entry.id}/{entry.slug}"


def test_faq_draft_seen_by_staff_is_noindex_and_faq_search_too(client, staff):
    draft = faq_entry(staff, "A draft that nobody should see", publish=False)
    login(client, staff)
    page = client.get(f"/faq/{draft.id}/{draft.slug}")
    assert page.status_code == 200 and noindex(page) and json_ld(page) == []
    assert noindex(client.get("/faq?q=sync")) and not noindex(client.get("/faq"))


# --- Canonical links --------------------------------------------------------------------------------------------

def test_question_canonical_is_the_slugged_url_whatever_was_asked(client):
    question = make_question(title="Sync stops after five minutes on Windows")
    expected = SITE + question_url(question)
    for asked in (f"/questions/{question.id}", f"/questions/{question.id}/an-old-title?page=2"):
        assert canonical(client.get(asked, follow_redirects=True)) == expected
    assert canonical(client.get(question_url(question) + "?page=3&sort=votes&utm_source=x")) == expected


def test_japanese_slug_is_percent_encoded_in_the_canonical_link(client):
    question = make_question(title="Windowsアプリで同期ができなくなりました")
    link = canonical(client.get(question_url(question), follow_redirects=True))
    assert link.isascii() and link.startswith(f"{SITE}/questions/{question.id}/windows%E3%82%A2")


def test_canonical_uses_the_request_host_without_site_url(client, served_app):
    served_app.config["SITE_URL"] = ""
    question = make_question()
    assert canonical(client.get(question_url(question))) == "http://localhost" + question_url(question)
    robots = client.get("/robots.txt").get_data(as_text=True)
    assert "Sitemap: http://localhost/sitemap.xml" in robots


def test_list_pages_keep_tab_and_page_but_not_the_page_size(client):
    make_question(tags="sync windows")
    assert canonical(client.get("/", follow_redirects=True)) == f"{SITE}/questions"
    assert canonical(client.get("/questions?tab=newest&pagesize=50&page=1")) == f"{SITE}/questions"
    assert canonical(client.get("/questions/tagged/sync?pagesize=15")) == f"{SITE}/questions/tagged/sync"
    assert canonical(client.get("/questions/tagged/sync?tab=votes&page=2")) == \
        f"{SITE}/questions/tagged/sync?page=2&tab=votes"


def test_user_page_canonical_and_private_votes_tab(client):
    user = make_user()
    assert canonical(client.get(f"/users/{user.id}/{user.username}?tab=activity")) == f"{SITE}/users/{user.id}"
    assert canonical(client.get(f"/users/{user.id}?tab=reputation")) == f"{SITE}/users/{user.id}?tab=reputation"
    login(client, user)
    votes_tab = client.get(f"/users/{user.id}?tab=votes")
    assert votes_tab.status_code == 200 and noindex(votes_tab) and canonical(votes_tab) is None


# --- OpenGraph and Twitter cards --------------------------------------------------------------------------------

def test_question_page_has_opengraph_and_twitter_tags(client):
    question = make_question(title="Sync & backup stop after five minutes")
    page = client.get(question_url(question))
    assert meta(page, "property", "og:title") == question.title
    assert meta(page, "property", "og:description") == question.excerpt
    assert meta(page, "property", "og:url") == SITE + question_url(question)
    assert meta(page, "property", "og:type") == "article"
    assert meta(page, "property", "og:site_name") == "Kotae"
    assert meta(page, "property", "og:locale") == "en_US"
    assert meta(page, "name", "twitter:card") == "summary"
    assert meta(page, "name", "twitter:title") == question.title
    assert meta(page, "name", "twitter:description") == question.excerpt
    assert meta(page, "name", "description") == question.excerpt
    japanese = client.get(question_url(question), headers={"Accept-Language": "ja"})
    assert meta(japanese, "property", "og:locale") == "ja_JP"


def test_every_page_has_at_least_a_title_card(client):
    page = client.get("/help/privileges")
    assert meta(page, "property", "og:title") and meta(page, "property", "og:site_name") == "Kotae"


# --- noindex ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/search?q=sync", "/search", "/login", "/register", "/users?filter=ab",
                                 "/tags?filter=sy"])
def test_search_results_and_sign_in_are_noindex(client, url):
    make_question()
    page = client.get(url)
    assert page.status_code == 200 and noindex(page)


@pytest.mark.parametrize("url", ["/users/settings", "/users/password", "/users/sessions", "/inbox", "/admin/",
                                 "/review", "/review/suggested-edits", "/faq/candidates", "/faq/review",
                                 "/faq/categories", "/questions/ask"])
def test_settings_staff_and_moderation_pages_are_noindex(client, staff, url):
    login(client, staff)
    page = client.get(url)
    assert page.status_code == 200 and noindex(page)


def test_public_pages_are_indexable(client):
    question = make_question(tags="sync")
    for url in (question_url(question), "/questions", "/questions/tagged/sync", f"/users/{question.author_id}",
                "/faq", "/tags", "/users", "/badges", "/help/privileges"):
        page = client.get(url)
        assert page.status_code == 200 and not noindex(page), url


def test_an_erased_authors_name_is_the_placeholder_without_a_profile_link(client):
    from forum.services.people import deletion

    author = make_user(username="tanaka")
    question = make_question(author=author)
    deletion.delete_own_account(author, PASSWORD, ReputationRules())
    db.session.commit()
    person = qa_page(client, question)["author"]
    assert person == {"@type": "Person", "name": f"deleted user {author.id}"}
