"""An index removed, emptied or damaged while the app serves: every search page still works, the loss is noticed
(a notice on the search pages, a line on the staff dashboard), and a rebuild from the database restores it."""
import pytest
from sqlalchemy import select

from forum import create_app, search
from forum.extensions import db
from forum.models import Role, SiteSetting
from forum.search import indexer
from forum.search.backend import FAQ
from forum.search.whoosh.index import SearchIndex
from tests.databases import make_config
from tests.factories import make_question, make_user
from tests.helpers import counted_statements, login, question_url, text

from .conftest import lose_index
from .test_faq_index import make_entry
from tests.helpers import result_ids

NOTICE = "Search is being rebuilt; results may be incomplete."
AUTO_REBUILD = pytest.mark.search_config(SEARCH_AUTO_REBUILD=True, SEARCH_HEALTH_SECONDS=0)


def community() -> list:
    """Three threads about sync and a published FAQ entry, all indexed."""
    questions = [make_question(title=f"Sync stops after five minutes, case {n}",
                               body=f"The sync stops after five minutes on Windows with error E{n}.")
                 for n in range(3)]
    make_entry()
    return questions


def later(*apps) -> None:
    """As if SEARCH_HEALTH_SECONDS had passed: the next search page counts again."""
    for app in apps:
        app.extensions["kotae_search"].health.forget()


def entry_points(question) -> list[str]:
    return ["/search?q=sync", "/search?q=sync&sort=newest", "/search?q=sync+-windows", "/search?q=password",
            "/search?q=[sync]&page=2", "/faq?q=password", "/faq", question_url(question), "/questions/ask"]


def test_every_search_entry_point_works_after_the_index_directory_is_deleted(app, client, index_dir):
    questions = community()
    login(client, make_user())
    for url in entry_points(questions[0]) + ["/search/similar?title=reset+my+password+sync"]:
        assert client.get(url).status_code == 200  # searchers opened and cached, as on a running server
    lose_index(app, index_dir)
    # The next commit's writer makes a new directory holding only a thread index, with one document.
    make_question(title="Another question about the desktop app", body="It crashes whenever I open the settings.")
    check_every_entry_point(client, questions[0])
    lose_index(app, index_dir)  # and no directory at all
    check_every_entry_point(client, questions[0])


def check_every_entry_point(client, question) -> None:
    for url in entry_points(question):
        assert client.get(url).status_code == 200, url
    similar = client.get("/search/similar", query_string={"title": "reset my password sync stops"})
    assert similar.status_code == 200
    assert similar.get_json() == {"faq": [], "questions": [], "html": ""}


def test_a_damaged_index_gives_empty_results_not_errors(client, database_url, index_dir, monkeypatch, whoosh_only):
    questions = community()
    for toc in index_dir.glob("_*.toc"):
        toc.write_bytes(b"\x00not an index")
    for segment in index_dir.glob("*.seg"):
        segment.write_bytes(b"garbage")
    monkeypatch.setattr(SearchIndex, "_instances", {})  # a worker started after the damage opens it afresh
    restarted_app = create_app(make_config(database_url, index_dir, PRIVILEGE_PRESET="small"))
    restarted = restarted_app.test_client()
    try:
        login(restarted, make_user())
        for url in entry_points(questions[0]):
            assert restarted.get(url).status_code == 200, url
        assert NOTICE in text(restarted.get("/search?q=sync"))  # nothing readable: not presented as "no results"
        similar = restarted.get("/search/similar", query_string={"title": "reset my password sync stops"})
        assert similar.status_code == 200 and similar.get_json() == {"faq": [], "questions": [], "html": ""}
    finally:
        with restarted_app.app_context():
            db.engine.dispose()


def staff_client(client):
    login(client, make_user(role=Role.ADMIN))
    return client


def search_health_section(page: str) -> str:
    return page.split('id="search-health"', 1)[1].split("</section>", 1)[0]


def test_an_emptied_index_is_noticed_and_a_rebuild_restores_the_results(app, client, served_app, runner, index_dir):
    questions = community()
    staff = staff_client(client)
    response = client.get("/search?q=sync")
    assert NOTICE not in text(response) and set(result_ids(response)) == {q.id for q in questions}
    dashboard = search_health_section(text(staff.get("/admin")))
    assert "Complete" in dashboard and "Incomplete" not in dashboard

    lose_index(app, index_dir)
    newcomer = make_question(title="Sync stops again after the update", body="Sync stops after the update to version 5.")
    later(served_app)
    response = client.get("/search?q=sync")
    assert NOTICE in text(response)  # not presented as the whole answer
    assert result_ids(response) == [newcomer.id]
    assert NOTICE in text(client.get("/faq?q=password"))
    dashboard = search_health_section(text(staff.get("/admin")))
    assert "Incomplete" in dashboard
    assert "<td class=\"num\">1</td><td class=\"num\">4</td>" in dashboard  # 1 document of 4 questions
    assert "<td class=\"num\">0</td><td class=\"num\">1</td>" in dashboard  # the FAQ index: 0 of 1 entry

    result = runner.invoke(args=["search", "reindex", "--procs", "1"])
    assert result.exit_code == 0, result.output
    later(served_app)
    response = client.get("/search?q=sync")
    assert NOTICE not in text(response) and set(result_ids(response)) == {q.id for q in questions} | {newcomer.id}
    faq_page = text(client.get("/faq?q=password"))
    assert NOTICE not in faq_page and "How do I reset my password?" in faq_page
    assert "Incomplete" not in search_health_section(text(staff.get("/admin")))


def test_the_japanese_notice(app, client, served_app, index_dir):
    community()
    lose_index(app, index_dir)
    page = text(client.get("/search?q=sync", headers={"Accept-Language": "ja"}))
    assert "検索インデックスを再構築中です" in page


def count_queries(statements) -> int:
    return sum("count(" in s.lower() and "posts" in s.lower() for s in statements)


def test_the_health_check_is_cached(client, served_app):
    served_app.config["PAGE_CACHE_ENABLED"] = False  # count rendered pages, not ones from the page cache
    community()
    with counted_statements() as first:
        assert client.get("/search?q=sync").status_code == 200
    assert count_queries(first) == 1  # the visible questions, counted once...
    with counted_statements() as following:
        for url in ("/search?q=sync", "/search?q=windows", "/faq?q=password", "/search?q=sync&page=2"):
            assert client.get(url).status_code == 200
    assert count_queries(following) == 0  # ...and not again on each page
    assert len(following) < 4 * len(first)
    later(served_app)
    with counted_statements() as again:
        client.get("/search?q=sync")
    assert count_queries(again) == 1  # once the cache expires


@AUTO_REBUILD
def test_an_incomplete_index_is_rebuilt_once_in_the_background(client, app, served_app, index_dir, monkeypatch):
    questions = community()
    rebuilds = []
    real = indexer.reindex_all

    outcomes = []

    def counting(service, **kwargs):
        rebuilds.append(service)
        try:
            report = real(service, **kwargs)
        except Exception as error:  # the thread only logs it; say it in the assertion
            outcomes.append(repr(error))
            raise
        outcomes.append("rebuilt")
        return report

    monkeypatch.setattr(indexer, "reindex_all", counting)
    lose_index(app, index_dir)
    newcomer = make_question(title="Sync stops again after the update", body="Sync stops after the update to version 5.")
    workers = (app, served_app)  # two app instances on one database and index: two gunicorn workers
    for _ in range(3):
        assert client.get("/search?q=sync").status_code == 200
        search.health()  # the other worker's search page
    for worker in workers:
        worker.extensions["kotae_search"].health.join(timeout=60)
    assert not any(worker.extensions["kotae_search"].health.rebuilding for worker in workers)
    assert len(rebuilds) == 1 and outcomes == ["rebuilt"], outcomes  # one rebuild, whichever worker claimed it
    claimed = db.session.scalar(select(SiteSetting.value).where(SiteSetting.key == "job:search.rebuild"))
    assert claimed is not None

    response = client.get("/search?q=sync")
    assert NOTICE not in text(response) and set(result_ids(response)) == {q.id for q in questions} | {newcomer.id}
    assert "How do I reset my password?" in text(client.get("/faq?q=password"))

    lose_index(app, index_dir)  # lost again within the cooldown: noticed, but not rebuilt again
    make_question(title="Sync stops once more after the update", body="Sync stops after the update to version 5.")
    assert NOTICE in text(client.get("/search?q=sync"))
    for worker in workers:
        worker.extensions["kotae_search"].health.join(timeout=60)
    assert len(rebuilds) == 1


@AUTO_REBUILD
def test_only_the_faq_index_is_rebuilt_when_only_it_is_lost(app, client, served_app, index_dir, monkeypatch):
    community()
    rebuilt_all = []
    monkeypatch.setattr(indexer, "reindex_all", lambda service, **kwargs: rebuilt_all.append(service))
    lose_index(app, index_dir, kinds=(FAQ,))
    assert NOTICE in text(client.get("/faq?q=password"))
    served_app.extensions["kotae_search"].health.join(timeout=60)
    assert rebuilt_all == []
    page = text(client.get("/faq?q=password"))
    assert NOTICE not in page and "How do I reset my password?" in page


def test_search_health_is_part_of_the_facade(app):
    community()
    health = search.health()
    assert health.complete and (health.threads.indexed, health.threads.expected) == (3, 3)
    assert (health.faq.indexed, health.faq.expected) == (1, 1) and not health.rebuilding
