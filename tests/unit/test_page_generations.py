"""Which cached pages a transaction's record of changes drops (forum/page_cache.note_changed)."""
from forum.page_cache import ALL_THREADS, FORGET, LISTS, MANY_THREADS, note_changed, thread_generation
from forum.unit_of_work import CREATED, Changes, PostChange


def noted(record: Changes) -> set[str]:
    note_changed(None, record)  # no comments in these records: no query, so no session needed
    return record.notes.get(FORGET, set())


def test_an_answer_drops_its_thread_and_the_lists():
    record = Changes(posts={7: PostChange(question_id=3, is_question=False, columns={CREATED})})
    assert noted(record) == {thread_generation(3), LISTS}


def test_a_view_count_alone_drops_nothing():
    record = Changes(posts={3: PostChange(question_id=3, is_question=True, columns={"view_count"})})
    assert noted(record) == set()


def test_an_faq_change_drops_every_thread_page():
    record = Changes(faq={1: {"status"}})
    assert noted(record) == {ALL_THREADS, LISTS}


def test_a_change_to_many_threads_drops_every_thread_page_with_one_write():
    record = Changes(posts={n: PostChange(question_id=n, is_question=True, columns={"tags"})
                            for n in range(1, MANY_THREADS + 2)})
    assert noted(record) == {ALL_THREADS, LISTS}
