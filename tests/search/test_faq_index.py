"""Published FAQ entries are indexed (their own index, same outbox) and found by `search.faq_entries()`."""
import logging

from sqlalchemy import func, select, update

from forum import search
from forum.extensions import db
from forum.markup import render_markdown
from forum.services.community.language import detect_language
from forum.models import FaqEntry, FaqStatus, SearchOutbox
from forum.search.backend import FAQ
from forum.services.faq import categories
from forum.unit_of_work import changes
from tests.factories import make_user

from .conftest import add_ghost, backend_of, document_version, remove_document


def make_entry(title="How do I reset my password?", question="I forgot my password and cannot sign in.",
               answer="Open the sign-in page and choose **Forgot password**; we email you a reset link.",
               status=FaqStatus.PUBLISHED, author=None, commit=True) -> FaqEntry:
    entry = FaqEntry(title=title, question_md=question, question_html=render_markdown(question), answer_md=answer,
                     answer_html=render_markdown(answer), status=status,
                     language=detect_language(title, f"{question}\n{answer}"),
                     created_by_id=(author or make_user(commit=False)).id)
    db.session.add(entry)
    db.session.flush()
    if commit:
        db.session.commit()
    return entry


def outbox(kind="faq") -> int:
    return db.session.scalar(select(func.count(SearchOutbox.id)).where(SearchOutbox.kind == kind))


def test_a_published_entry_is_found_in_english_and_japanese(app):
    english = make_entry()
    japanese = make_entry(title="パスワードを再設定するには", question="パスワードを忘れてログインできません。",
                          answer="ログイン画面の「パスワードを忘れた」から再設定のメールを受け取ってください。")
    assert search.faq_entries("reset password") == [english.id]
    assert search.faq_entries("passwords") == [english.id]  # stemmed like threads
    assert search.faq_entries("パスワード再設定") == [japanese.id]  # no spaces
    assert search.faq_entries("ログインできない") == [japanese.id]  # inflected form
    assert set(search.faq_entries("password パスワード")) == set()  # every word must match
    assert outbox() == 0


def test_best_match_comes_first_and_limit_is_respected(app):
    weak = make_entry(title="Changing your email address", question="Where do I change my email?",
                      answer="In settings. If you also want a new password, use the password page.")
    strong = make_entry(title="Password rules", question="What makes a valid password?",
                        answer="A password needs twelve characters; a passphrase is a good password.")
    assert search.faq_entries("password") == [strong.id, weak.id]
    assert search.faq_entries("password", limit=1) == [strong.id]


def test_blank_malformed_or_operator_only_queries_return_nothing(app):
    make_entry()
    for text in ("", "   ", None, '"', "[", "the", "score:abc", "closed:yes", "-password", "\x00\x01"):
        assert search.faq_entries(text) == [], text


def test_drafts_unpublished_retired_and_deleted_entries_are_not_found(app):
    draft = make_entry(title="Draft about invoices", status=FaqStatus.DRAFT)
    assert search.faq_entries("invoices") == []
    draft.status = FaqStatus.PUBLISHED
    db.session.commit()
    assert search.faq_entries("invoices") == [draft.id]
    for status in (FaqStatus.UNPUBLISHED, FaqStatus.RETIRED):
        draft.status = status
        db.session.commit()
        assert search.faq_entries("invoices") == []
        draft.status = FaqStatus.PUBLISHED
        db.session.commit()
        assert search.faq_entries("invoices") == [draft.id]
    db.session.delete(draft)
    db.session.commit()
    assert search.faq_entries("invoices") == []
    assert outbox() == 0


def test_editing_an_entry_reindexes_it_and_counts_do_not(app):
    entry = make_entry()
    version = document_version(app, FAQ, entry.id)
    entry.view_count += 1
    entry.helpful_count += 1
    db.session.commit()
    assert document_version(app, FAQ, entry.id) == version
    entry.title = "Recovering a locked account"
    entry.answer_html = render_markdown("Ask support to unlock it.")
    db.session.commit()
    assert search.faq_entries("locked unlock") == [entry.id]
    assert search.faq_entries("forgot") == [entry.id]  # the question text stayed
    assert search.faq_entries("reset link") == []


def test_deleting_a_category_rewrites_the_documents_of_its_entries(app):
    staff = make_user(role="moderator")
    category = categories.create_category(staff, "Accounts")
    entry = make_entry()
    entry.category_id = category.id
    db.session.commit()
    categories.delete_category(staff, category)  # moves the entries with one bulk UPDATE, which it records
    db.session.commit()
    assert db.session.get(FaqEntry, entry.id).category_id is None
    assert search.check().faq.stale == [] and outbox() == 0
    assert search.faq_entries("password") == [entry.id]


def test_a_bulk_update_a_service_records_reindexes_the_entries_it_names(app):
    entry = make_entry()
    db.session.execute(update(FaqEntry).where(FaqEntry.id == entry.id).values(status=FaqStatus.RETIRED))
    changes().faq_entries([entry.id], "status")
    db.session.commit()
    assert search.faq_entries("password") == []


def test_a_rollback_leaves_the_faq_index_alone(app):
    make_entry(title="A rolled back entry about scanners", commit=False)
    db.session.rollback()
    assert search.faq_entries("scanners") == []
    assert outbox() == 0


def test_a_failing_index_write_keeps_the_entry_and_a_retry_indexes_it(app, monkeypatch, runner):
    monkeypatch.setattr(logging.getLogger("forum.search.indexer"), "disabled", False)
    backend = backend_of(app)
    real_writer = backend.writer

    def broken_writer(kind, *args, **kwargs):
        if kind == FAQ:
            raise OSError("disk full")
        return real_writer(kind, *args, **kwargs)

    def broken_in_transaction(connection, kind, documents):
        if kind == FAQ:
            raise OSError("disk full")
        return real_in_transaction(connection, kind, documents)

    real_in_transaction = getattr(backend, "write_documents", None)
    monkeypatch.setattr(backend, "writer", broken_writer)
    if real_in_transaction is not None:  # PostgreSQL writes in the entry's own transaction
        monkeypatch.setattr(backend, "write_documents", broken_in_transaction)
    entry = make_entry(title="Saved although the FAQ index is broken")
    assert db.session.get(FaqEntry, entry.id) is not None
    assert search.faq_entries("broken") == []
    assert outbox() == 1
    monkeypatch.undo()
    result = runner.invoke(args=["search", "retry"])
    assert result.exit_code == 0, result.output
    assert search.faq_entries("broken") == [entry.id]
    assert outbox() == 0


def test_reindex_and_check_cover_faq_entries(app, runner):
    entry = make_entry()
    make_entry(title="Unpublished entry about refunds", status=FaqStatus.UNPUBLISHED)
    assert runner.invoke(args=["search", "check"]).exit_code == 0
    # The FAQ index misses an entry changed behind the hooks' back (indexing deferred).
    with search.indexing_deferred():
        entry.title = "Password help"
        db.session.commit()
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1 and f"1 FAQ entries stale: {entry.id}" in result.output
    result = runner.invoke(args=["search", "reindex", "--procs", "1"])
    assert result.exit_code == 0 and "Indexed 1 published FAQ entries" in result.output
    assert runner.invoke(args=["search", "check"]).exit_code == 0
    assert search.faq_entries("help") == [entry.id]
    assert search.faq_entries("refunds") == []


def test_check_reports_missing_and_extra_faq_documents(app, runner):
    entry = make_entry()
    remove_document(app, FAQ, entry.id)
    add_ghost(app, FAQ, 999)
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1
    assert f"1 FAQ entries missing: {entry.id}" in result.output and "1 FAQ entries extra (deleted): 999" in result.output
