"""Two worker processes committing at the same moment: both land in the index and neither sees a LockError."""
import multiprocessing

from sqlalchemy import func, select

from forum import create_app
from forum.extensions import db
from forum.models import SearchOutbox, User
from tests.conftest import make_config
from tests.factories import make_question, make_user

from .conftest import found

POSTS_PER_WORKER = 6


def _worker(database_url, index_dir, settings, name, barrier, results):
    app = create_app(make_config(database_url, index_dir, **settings))
    with app.app_context():
        try:
            author = make_user(username=f"writer_{name}", email=f"{name}@example.com")
            barrier.wait(timeout=30)
            for n in range(POSTS_PER_WORKER):
                make_question(author=author, title=f"Concurrent post {n} from worker {name}",
                              body=f"Both workers write to the index at once; this is {name} number {n}.")
            results.put((name, "ok"))
        except BaseException as error:  # noqa: BLE001 -- report it to the parent process
            results.put((name, repr(error)))
        finally:
            db.session.remove()
            db.engine.dispose()


def test_two_processes_writing_at_once_both_land(app, database_url, index_dir, app_config):
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(2), context.Queue()
    # Each commit waits its turn for the index lock. The default 2 s wait is for a web request; on a CI machine
    # busy with other tests one Whoosh commit can take longer, and the post would then (correctly) wait in the
    # outbox for a retry instead of being indexed at once, which is what this test checks.
    settings = {**app_config, "SEARCH_WRITE_TIMEOUT": 30.0}
    workers = [context.Process(target=_worker, args=(database_url, index_dir, settings, name, barrier, results))
               for name in "ab"]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    outcomes = dict(results.get(timeout=5) for _ in workers)
    assert outcomes == {"a": "ok", "b": "ok"}
    assert len(found("concurrent")) == 2 * POSTS_PER_WORKER
    for name in "ab":
        author_id = db.session.scalar(select(User.id).where(User.username == f"writer_{name}"))
        assert len(found(f"concurrent user:{author_id}")) == POSTS_PER_WORKER
    assert db.session.scalar(select(func.count(SearchOutbox.id))) == 0  # indexed at once, not by a retry
