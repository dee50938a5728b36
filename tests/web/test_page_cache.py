"""Visitors' pages from the page cache: a second anonymous GET is a hit, every change a page shows reaches the next
visitor at once (a signed-in actor through the real views, then an anonymous reader), signed-in readers and
personal state never go through the cache, and the HTTP validators answer 304."""
import html

import pytest

from forum import create_app
from forum.extensions import db
from forum.models import Role
from forum.services.faq import promotion
from tests.databases import make_config
from tests.factories import make_answer, make_comment, make_question, make_user
from tests.helpers import csrf_token, login, post_form, question_url, text


@pytest.fixture
def reader(served_app):
    """An anonymous visitor's browser, beside the signed-in actor's (`client`)."""
    return served_app.test_client()


@pytest.fixture
def thread(app):
    question = make_question(title="Sync stops after five minutes on Windows")
    return question, make_answer(question, body="Turn off the proxy in Settings, then restart the sync.")


def visit(reader, url, **headers):
    response = reader.get(url, headers=headers)
    assert response.status_code in (200, 304), response.status_code
    return response


def page(response) -> str:
    return html.unescape(text(response))


def cached_then_changed(reader, url, change) -> str:
    """Cache the page, make the change, and return the page the next visitor gets (checked not stale)."""
    visit(reader, url)
    assert visit(reader, url).headers["X-Cache"] == "hit"
    change()
    after = visit(reader, url)
    assert after.headers["X-Cache"] == "miss"
    return page(after)


def test_second_anonymous_get_is_a_hit_with_public_headers(reader, thread):
    url = question_url(thread[0])
    first, second = visit(reader, url), visit(reader, url)
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("miss", "hit")
    assert text(first) == text(second)
    assert "public" in second.headers["Cache-Control"] and "s-maxage=5" in second.headers["Cache-Control"]
    assert second.headers["Vary"] == "Accept-Language, Cookie"
    assert second.headers["ETag"] and second.headers["Last-Modified"]
    assert "Set-Cookie" not in first.headers and "csrf_token" not in text(second)


def test_list_tag_search_and_faq_pages_are_cached(reader, thread):
    for url in ("/questions", "/questions?tab=active", "/questions/tagged/sync", "/tags", "/search?q=sync", "/faq"):
        assert visit(reader, url).headers["X-Cache"] == "miss", url
        assert visit(reader, url).headers["X-Cache"] == "hit", url


def test_query_strings_in_any_order_share_one_page(reader, thread):
    visit(reader, "/questions?tab=active&pagesize=15")
    assert visit(reader, "/questions?pagesize=15&tab=active").headers["X-Cache"] == "hit"


def test_a_new_answer_shows_at_once(client, reader, thread):
    question = thread[0]
    login(client, make_user())

    def answer():
        response = post_form(client, f"/questions/{question.id}/answer",
                             {"body": "Reinstalling the desktop app fixed it for me."}, page=question_url(question))
        assert response.status_code == 302
    assert "Reinstalling the desktop app fixed it for me." in cached_then_changed(reader, question_url(question),
                                                                                  answer)


def test_a_new_question_shows_at_once_in_the_lists(client, reader, thread):
    login(client, make_user())

    def ask():
        response = post_form(client, "/questions/ask", {"title": "Printing from the app shows a blank page",
                                                         "body": "Every printout is blank since the last update.",
                                                         "tags": "printing"})
        assert response.status_code == 302
    visit(reader, "/tags")
    assert visit(reader, "/tags").headers["X-Cache"] == "hit"
    assert "Printing from the app shows a blank page" in cached_then_changed(reader, "/questions", ask)
    tags = visit(reader, "/tags")
    assert tags.headers["X-Cache"] == "miss" and "printing" in text(tags)


def test_a_vote_shows_at_once(client, reader, thread):
    question, answer = thread
    login(client, make_user())

    def vote():
        response = post_form(client, f"/posts/{answer.id}/vote", {"value": "1"}, page=question_url(question))
        assert response.status_code == 302
    assert '<span class="score" title="Score">1</span>' in cached_then_changed(reader, question_url(question), vote)


def test_an_accept_shows_at_once(client, reader, thread):
    question, answer = thread
    login(client, question.author)

    def accept():
        response = post_form(client, f"/answers/{answer.id}/accept", page=question_url(question))
        assert response.status_code == 302
    before = page(visit(reader, question_url(question)))
    assert "accepted-label" not in before
    assert "accepted-label" in cached_then_changed(reader, question_url(question), accept)


def test_an_edit_shows_at_once(client, reader, thread):
    question, answer = thread
    login(client, answer.author)

    def edit():
        response = post_form(client, f"/answers/{answer.id}/edit",
                             {"body": "Turn off the proxy in Settings > Network, then restart the sync.",
                              "summary": "where the setting is"}, page=f"/answers/{answer.id}/edit")
        assert response.status_code == 302
    assert "Settings > Network" in cached_then_changed(reader, question_url(question), edit)


def test_a_close_shows_at_once(client, reader, thread):
    question = thread[0]
    login(client, make_user(role=Role.MODERATOR))

    def close():
        response = post_form(client, f"/questions/{question.id}/close", {"reason": "off_topic", "duplicate_of": ""},
                             page=question_url(question))
        assert response.status_code == 302
    assert "This question is closed" in cached_then_changed(reader, question_url(question), close)


def test_a_comment_added_outside_a_request_shows_at_once(app, reader, thread):
    question, answer = thread
    assert "Which build are you on?" in cached_then_changed(
        reader, question_url(question), lambda: make_comment(answer, body="Which build are you on?"))


def test_faq_publication_shows_at_once_on_the_faq_and_the_thread(client, reader, thread):
    question = thread[0]
    staff = make_user(role=Role.MODERATOR)
    entry = promotion.promote(staff, question)
    db.session.commit()
    login(client, staff)

    def publish():
        response = client.post(f"/faq/{entry.id}/publish", data={"csrf_token": csrf_token(client, "/faq")})
        assert response.status_code == 302
    visit(reader, "/faq")
    assert "This thread is in the official FAQ" in cached_then_changed(reader, question_url(question), publish)
    faq = visit(reader, "/faq")
    assert faq.headers["X-Cache"] == "miss" and "Sync stops after five minutes on Windows" in page(faq)


def test_signed_in_readers_never_get_a_cached_page(client, reader, thread):
    url = question_url(thread[0])
    visit(reader, url)
    login(client, make_user())
    for _ in range(2):
        response = visit(client, url)
        assert response.headers["X-Cache"] == "bypass"
        assert response.headers["Cache-Control"] == "private, no-cache"
        assert "csrf_token" in text(response)
    assert visit(client, "/users").headers["Cache-Control"] == "private, no-cache"


def test_japanese_and_english_pages_are_cached_apart(reader, thread):
    url = question_url(thread[0])
    english, japanese = (visit(reader, url, **{"Accept-Language": code}) for code in ("en", "ja"))
    assert (english.headers["X-Cache"], japanese.headers["X-Cache"]) == ("miss", "miss")
    again_en, again_ja = (visit(reader, url, **{"Accept-Language": code}) for code in ("en", "ja"))
    assert (again_en.headers["X-Cache"], again_ja.headers["X-Cache"]) == ("hit", "hit")
    assert '<html lang="en">' in text(again_en) and '<html lang="ja">' in text(again_ja)
    reader.set_cookie("locale", "ja")
    assert '<html lang="ja">' in text(visit(reader, url, **{"Accept-Language": "en"}))


def test_a_current_copy_gets_304(reader, thread):
    url = question_url(thread[0])
    first = visit(reader, url)
    etag = first.headers["ETag"]
    again = reader.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert reader.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304
    assert reader.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_a_304_stops_once_the_page_changes(reader, thread):
    question, answer = thread
    etag = visit(reader, question_url(question)).headers["ETag"]
    make_comment(answer, body="Does it happen on Wi-Fi too?")
    assert reader.get(question_url(question), headers={"If-None-Match": etag}).status_code == 200


def test_a_flash_message_is_shown_to_its_visitor_only(reader, served_app, thread):
    url = question_url(thread[0])
    visit(reader, url)
    with reader.session_transaction() as session:
        session["_flashes"] = [("success", "Only for this visitor")]
    flashed = visit(reader, url)
    assert flashed.headers["X-Cache"] == "bypass" and "Only for this visitor" in text(flashed)
    other = served_app.test_client()
    response = visit(other, url)
    assert response.headers["X-Cache"] == "hit" and "Only for this visitor" not in text(response)
    assert "Only for this visitor" not in text(visit(reader, url))  # shown once


def test_a_visitors_own_feedback_is_not_served_to_others(reader, served_app, thread):
    question = thread[0]
    url = question_url(question)
    visit(reader, url)
    response = reader.post(f"/feedback/thread/{question.id}", data={"outcome": "resolved"},
                           headers={"Origin": "http://localhost"})
    assert response.status_code == 302
    own = visit(reader, url)
    assert own.headers["X-Cache"] == "bypass" and 'aria-pressed="true"' in text(own)
    other = visit(served_app.test_client(), url)
    assert other.headers["X-Cache"] == "hit" and 'aria-pressed="true"' not in text(other)
    visit(reader, "/questions")
    assert visit(reader, "/questions").headers["X-Cache"] == "hit"  # lists read no visitor cookie


def test_errors_and_redirects_are_not_cached(reader, thread):
    question = thread[0]
    assert reader.get(f"/questions/{question.id}/wrong-slug").status_code == 301
    assert reader.get(f"/questions/{question.id}/wrong-slug").status_code == 301
    assert reader.get("/questions/999999/none").status_code == 404


def test_two_instances_sharing_redis_see_each_others_changes(database_url, index_dir, redis_url, thread, tmp_path):
    settings = {"PRIVILEGE_PRESET": "small", "PAGE_CACHE_URI": redis_url, "PAGE_CACHE_KEY_PREFIX": "test-pages:"}
    one, two = (create_app(make_config(database_url, index_dir, **settings)) for _ in range(2))
    question = thread[0]
    url = question_url(question)
    reader_one, reader_two, actor = one.test_client(), two.test_client(), two.test_client()
    assert visit(reader_one, url).headers["X-Cache"] == "miss"
    assert visit(reader_two, url).headers["X-Cache"] == "hit"  # stored by the other instance
    with two.app_context():
        login(actor, make_user())
    response = post_form(actor, f"/questions/{question.id}/answer", {"body": "Both servers see this answer now."},
                         page=url)
    assert response.status_code == 302
    after = visit(reader_one, url)
    assert after.headers["X-Cache"] == "miss" and "Both servers see this answer now." in text(after)
    for served in (one, two):
        with served.app_context():
            db.engine.dispose()


def test_static_files_are_fingerprinted_with_a_long_lifetime(reader, thread):
    body = text(visit(reader, "/questions"))
    start = body.index("/static/css/forum.css?v=")
    link = body[start: body.index('"', start)]
    response = reader.get(link)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    stale = reader.get("/static/css/forum.css?v=000000000000")
    assert "immutable" not in stale.headers.get("Cache-Control", "")


def test_a_page_from_the_cache_still_counts_a_new_readers_view(reader, thread):
    question = thread[0]
    url = question_url(question)
    visit(reader, url, **{"User-Agent": "first browser"})
    for _ in range(2):  # counted once per reader, from the cache or not
        assert visit(reader, url, **{"User-Agent": "second browser"}).headers["X-Cache"] == "hit"
    db.session.expire_all()
    assert db.session.get(type(question), question.id).view_count == 2


def test_a_search_the_index_could_not_run_is_not_kept(reader, thread, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("corrupt segment")

    service = reader.application.extensions["kotae_search"]
    monkeypatch.setattr(service.backend, "search", broken)
    for _ in range(2):
        response = visit(reader, "/search?q=sync")
        assert "could not be run" in text(response) and response.headers["X-Cache"] == "bypass"
    monkeypatch.undo()
    assert visit(reader, "/search?q=sync").headers["X-Cache"] == "miss"


def test_while_one_worker_renders_a_changed_page_the_others_serve_the_previous_one(app, reader, thread):
    from forum import page_cache

    question = thread[0]
    url = question_url(question)
    visit(reader, url)
    make_answer(question, body="A second answer, posted while the page is cached.")
    with reader.application.test_request_context(url):
        key = page_cache._page_key()
        assert page_cache._render_turn(key)  # as if another worker were rendering the changed page right now
    during = visit(reader, url)
    assert during.headers["X-Cache"] == "stale" and "A second answer" not in page(during)
    with reader.application.test_request_context(url):
        page_cache._render_done(key)
    after = visit(reader, url)  # that worker is done: the next reader renders and gets the new answer
    assert after.headers["X-Cache"] == "miss" and "A second answer" in page(after)
    assert visit(reader, url).headers["X-Cache"] == "hit"
