"""`lang:` and the search page's language filter, on each backend."""
import re

from forum.search.query import parse
from tests.factories import make_question
from tests.helpers import result_ids, text

from .conftest import found

JA = {"title": "同期エラー E1023 が出ます", "body": "Windows でアプリの sync が E1023 で止まってしまいます。どうすれば直りますか。"}
EN = {"title": "Sync error E1023 on Windows", "body": "The app stops syncing with E1023 on Windows. How do I fix it?"}


def test_lang_is_parsed_and_bad_values_explain_themselves():
    assert parse("sync lang:ja").language == "ja"
    assert parse("sync lang:EN").language == "en"
    assert parse("sync lang:all").language is None and parse("sync lang:all").language_typed
    assert "lang: takes ja or en" in str(parse("sync lang:fr").messages[0])


def test_lang_operator_narrows_threads(app, search_backend):
    ja, en = make_question(**JA), make_question(**EN)
    assert sorted(found("E1023")) == sorted([ja.id, en.id])
    assert found("E1023 lang:ja") == [ja.id]
    assert found("E1023 lang:en") == [en.id]
    assert found("E1023", language="ja") == [ja.id]
    assert sorted(found("E1023 lang:all", language="ja")) == sorted([ja.id, en.id])  # typed wins
    assert found("E1023 lang:en", language="ja") == [en.id]
    assert found("lang:ja") == []  # a language alone is no search


def test_the_search_page_defaults_to_the_ui_language_with_all_languages_a_click_away(client, search_backend):
    ja, en = make_question(**JA), make_question(**EN)
    assert result_ids(client.get("/search?q=E1023")) == [en.id]
    assert result_ids(client.get("/search?q=E1023", headers={"Accept-Language": "ja"})) == [ja.id]
    page = client.get("/search?q=E1023&lang=all")
    assert sorted(result_ids(page)) == sorted([ja.id, en.id])
    assert 'name="lang" value="all"' in text(page)  # a new search keeps the choice
    assert 'href="/search?q=E1023&amp;lang=ja"' in text(page)


def test_the_api_search_accepts_lang(client, search_backend):
    ja, en = make_question(**JA), make_question(**EN)
    ids = lambda url: [item["id"] for item in client.get(url).get_json()["items"]]  # noqa: E731
    assert sorted(ids("/api/v1/search?q=E1023")) == sorted([ja.id, en.id])
    assert ids("/api/v1/search?q=E1023&lang=ja") == [ja.id]


def test_faq_search_and_the_faq_page_filter_by_language(client, search_backend):
    from .test_faq_index import make_entry
    english = make_entry()
    japanese = make_entry(title="パスワードを再設定するには", question="パスワードを忘れてログインできません。",
                          answer="ログイン画面の「パスワードを忘れた」から password の再設定メールを受け取ってください。")
    assert (english.language, japanese.language) == ("en", "ja")
    faq_ids = lambda page: [int(i) for i in re.findall(r'id="entry-(\d+)"', text(page))]  # noqa: E731
    assert faq_ids(client.get("/faq?q=password")) == [english.id]
    assert faq_ids(client.get("/faq?q=password", headers={"Accept-Language": "ja"})) == [japanese.id]
    assert sorted(faq_ids(client.get("/faq?q=password&lang=all"))) == sorted([english.id, japanese.id])
    assert faq_ids(client.get("/faq?q=password lang:ja")) == [japanese.id]
    assert faq_ids(client.get("/faq")) == [english.id]
    assert faq_ids(client.get("/faq", headers={"Accept-Language": "ja"})) == [japanese.id]
    assert sorted(faq_ids(client.get("/faq?lang=all"))) == sorted([english.id, japanese.id])


def test_changing_a_questions_language_reindexes_it(app, search_backend):
    from forum.extensions import db
    from forum.services.community import posts
    question = make_question(**EN)
    assert found("E1023 lang:en") == [question.id]
    assert posts.edit_question(question.author, question, question.title, question.body_md, "sync windows",
                               language="ja")  # only the language changed: still a change
    db.session.commit()
    assert found("E1023 lang:ja") == [question.id] and found("E1023 lang:en") == []
