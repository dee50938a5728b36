"""Questions in two languages: posting records the language, lists filter by it (the UI language by default)."""
import re

from forum.extensions import db
from forum.models import Question
from tests.factories import make_question
from tests.helpers import ask, login, post_form, text

JA_TITLE = "同期が五分で止まってしまいます"
JA_BODY = "Windows 11 のアプリで同期を始めると、五分ほどで止まってしまいます。再起動しても直りません。"
EN_TITLE = "Sync stops after five minutes"
EN_BODY = "On Windows 11 the app stops syncing after about five minutes. Restarting does not help."
JA = {"Accept-Language": "ja"}


def _question_id(response) -> int:
    return int(re.match(r"/questions/(\d+)/", response.headers["Location"]).group(1))


def test_asking_records_the_detected_language_or_the_authors_choice(client, factories):
    login(client, factories.user(username="asker"))
    detected = _question_id(ask(client, title=JA_TITLE, body=JA_BODY))
    chosen = _question_id(post_form(client, "/questions/ask", {"title": EN_TITLE, "body": EN_BODY,
                                                               "tags": "sync", "language": "ja"}))
    assert db.session.get(Question, detected).language == "ja"
    assert db.session.get(Question, chosen).language == "ja"


def test_the_author_can_change_the_language_and_an_edit_keeps_it_otherwise(client, factories):
    author = factories.user(username="asker")
    question = make_question(author=author, title=EN_TITLE, body=EN_BODY)
    assert question.language == "en"
    login(client, author)
    page = text(client.get(f"/questions/{question.id}/edit"))
    assert '<option selected value="en">' in page or 'value="en" selected' in page
    data = {"title": EN_TITLE, "body": EN_BODY, "tags": "sync windows", "language": "ja"}
    response = post_form(client, f"/questions/{question.id}/edit", data, page=f"/questions/{question.id}/edit")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Question, question.id).language == "ja"
    data.update(body=EN_BODY + " Any idea?", language="ja")  # the form offers the current language
    post_form(client, f"/questions/{question.id}/edit", data, page=f"/questions/{question.id}/edit")
    db.session.expire_all()
    assert db.session.get(Question, question.id).language == "ja"
    data.update(language="")  # "Detect from the text": detected again
    post_form(client, f"/questions/{question.id}/edit", data, page=f"/questions/{question.id}/edit")
    db.session.expire_all()
    assert db.session.get(Question, question.id).language == "en"


def test_lists_show_the_ui_language_by_default_and_all_languages_one_click_away(client, db):
    make_question(title=JA_TITLE, body=JA_BODY, tags="sync")
    make_question(title=EN_TITLE, body=EN_BODY, tags="sync")
    english = text(client.get("/questions"))
    assert EN_TITLE in english and JA_TITLE not in english
    assert 'href="/questions?lang=all"' in english
    japanese = text(client.get("/questions", headers=JA))
    assert JA_TITLE in japanese and EN_TITLE not in japanese
    everything = text(client.get("/questions?lang=all"))
    assert JA_TITLE in everything and EN_TITLE in everything
    chosen = text(client.get("/questions?lang=ja"))  # the filter wins over the UI language
    assert JA_TITLE in chosen and EN_TITLE not in chosen
    # Tabs (and pages, through the same url_with) keep the choice.
    assert 'href="/questions?lang=all&amp;tab=votes"' in everything or \
        'href="/questions?tab=votes&amp;lang=all"' in everything


def test_tag_pages_filter_by_language_too(client, db):
    make_question(title=JA_TITLE, body=JA_BODY, tags="sync")
    make_question(title=EN_TITLE, body=EN_BODY, tags="sync")
    page = text(client.get("/questions/tagged/sync", headers=JA))
    assert JA_TITLE in page and EN_TITLE not in page
    page = text(client.get("/questions/tagged/sync?lang=all", headers=JA))
    assert JA_TITLE in page and EN_TITLE in page


def test_the_api_filters_by_lang_and_lists_every_language_without_it(client, db):
    ja = make_question(title=JA_TITLE, body=JA_BODY)
    en = make_question(title=EN_TITLE, body=EN_BODY)
    ids = lambda url: [item["id"] for item in client.get(url).get_json()["items"]]  # noqa: E731
    assert set(ids("/api/v1/questions")) == {ja.id, en.id}
    assert ids("/api/v1/questions?lang=ja") == [ja.id]
    assert ids("/api/v1/questions?lang=en") == [en.id]
    assert set(ids("/api/v1/questions?lang=all")) == {ja.id, en.id}
    assert client.get("/api/v1/questions?lang=fr").status_code == 400
    assert {item["language"] for item in client.get("/api/v1/questions").get_json()["items"]} == {"ja", "en"}


def test_faq_category_names_follow_the_ui_language_and_fall_back_to_the_other(app, db):
    from forum.models import FaqCategory
    both = FaqCategory(name="Signing in", name_ja="ログイン")
    english_only = FaqCategory(name="Billing")
    assert (both.display_name("ja"), both.display_name("en")) == ("ログイン", "Signing in")
    assert (english_only.display_name("ja"), english_only.display_name("en")) == ("Billing", "Billing")


def test_staff_give_a_category_both_names(client, factories):
    from forum.models import FaqCategory
    login(client, factories.user(username="staffer", role="admin"))
    response = post_form(client, "/faq/categories", {"name": "Signing in", "name_ja": "ログイン", "description": ""},
                         page="/faq/categories")
    assert response.status_code == 302, text(response)[:300]
    category = db.session.query(FaqCategory).one()
    assert (category.name, category.name_ja) == ("Signing in", "ログイン")


def test_admins_write_guidelines_and_hours_notes_in_both_languages_and_readers_see_theirs(client, factories):
    login(client, factories.user(username="admin", role="admin"))
    assert post_form(client, "/admin/settings/guidelines", {"body": "Be kind, everyone.", "body_ja": "親切にしましょう。"},
                     page="/admin/settings/guidelines").status_code == 302
    assert post_form(client, "/admin/settings/hours", {
        "timezone": "Asia/Tokyo", "days": ["0", "1"], "start": "09:00", "end": "18:00", "holidays": "",
        "note_ja": "年末年始は休みです。", "note_en": ""}, page="/admin/settings/hours").status_code == 302
    form = text(client.get("/admin/settings/guidelines"))
    assert "Be kind, everyone." in form and "親切にしましょう。" in form
    assert "年末年始は休みです。" in text(client.get("/admin/settings/hours"))
    post_form(client, "/logout", page="/help/guidelines")
    assert "Be kind, everyone." in text(client.get("/help/guidelines"))
    japanese = text(client.get("/help/guidelines", headers=JA))
    assert "親切にしましょう。" in japanese and "Be kind, everyone." not in japanese
    # No English note: English readers see the Japanese one.
    assert "年末年始は休みです。" in text(client.get("/help/hours"))
    assert "年末年始は休みです。" in text(client.get("/help/hours", headers=JA))


def test_the_tag_directory_lists_and_counts_the_tags_of_the_chosen_language(client, db):
    make_question(title=JA_TITLE, body=JA_BODY, tags="sync windows")
    make_question(title=EN_TITLE, body=EN_BODY, tags="sync mac")
    make_question(title=EN_TITLE + " again", body=EN_BODY, tags="sync mac")
    tag_cards = lambda page: dict(re.findall(  # noqa: E731
        r'class="tag" href="[^"]*">([^<]+)</a>\s*<span class="muted">\D*(\d+)', text(page)))
    assert tag_cards(client.get("/tags")) == {"sync": "2", "mac": "2"}
    assert tag_cards(client.get("/tags", headers=JA)) == {"sync": "1", "windows": "1"}
    assert tag_cards(client.get("/tags?lang=all")) == {"sync": "3", "mac": "2", "windows": "1"}
    assert 'href="/questions/tagged/sync?lang=all"' in text(client.get("/tags?lang=all"))


def test_an_empty_list_in_one_language_offers_all_languages(client, db):
    make_question(title=JA_TITLE, body=JA_BODY, tags="sync")
    page = text(client.get("/questions/tagged/sync"))
    assert "No questions in this language here yet." in page
    assert 'href="/questions/tagged/sync?lang=all">Show questions in all languages' in page


def test_a_search_typed_in_japanese_finds_japanese_threads_whatever_the_ui_language(client, db):
    client.application.config["PAGE_CACHE_ENABLED"] = False
    japanese = make_question(title=JA_TITLE, body=JA_BODY, tags="sync")
    english = make_question(title=EN_TITLE, body=EN_BODY, tags="sync")
    page = text(client.get("/search", query_string={"q": JA_TITLE}))  # no Accept-Language: an English UI
    assert f"/questions/{japanese.id}/" in page and f"/questions/{english.id}/" not in page
    assert "Nothing in your language matched" not in page


def test_a_search_with_nothing_in_the_default_language_shows_every_language(client, db):
    client.application.config["PAGE_CACHE_ENABLED"] = False
    japanese = make_question(title="Tsumugi のメニューバーアイコンが消えました",
                             body="macOS 版の Tsumugi で、メニューバーのアイコンが表示されなくなりました。")
    page = text(client.get("/search", query_string={"q": "Tsumugi"}))  # English words, English UI
    assert f"/questions/{japanese.id}/" in page and "Nothing in your language matched" in page
    chosen = text(client.get("/search", query_string={"q": "Tsumugi", "lang": "en"}))  # chosen: kept
    assert f"/questions/{japanese.id}/" not in chosen and "Nothing in your language matched" not in chosen
