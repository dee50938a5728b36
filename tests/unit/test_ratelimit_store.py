"""The shared rate-limit store: which store a database gets, and fixed-window counting in SQL."""
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from forum.ratelimit_store import DatabaseStorage, default_uri


def test_the_embedded_database_gets_a_sqlite_file_beside_it_and_postgresql_its_own_database():
    assert default_uri("sqlite:////srv/kotae/instance/kotae.db") == \
        "sql+sqlite:////srv/kotae/instance/kotae.ratelimits.sqlite"
    assert default_uri("sqlite://") == "memory://"
    assert default_uri("postgresql://kotae:s3cret@db.internal/kotae") == \
        "sql+postgresql+psycopg://kotae:s3cret@db.internal/kotae"


def test_counts_hits_per_key_until_the_limit_and_forgets_a_cleared_key(tmp_path):
    storage = storage_from_string(f"sql+sqlite:///{tmp_path / 'limits.sqlite'}")
    assert isinstance(storage, DatabaseStorage) and storage.check()
    limiter, limit = FixedWindowRateLimiter(storage), parse("3 per minute")
    assert [limiter.hit(limit, "ip", "192.0.2.1") for _ in range(4)] == [True, True, True, False]
    assert limiter.hit(limit, "ip", "192.0.2.2")  # another key has its own counter
    assert limiter.get_window_stats(limit, "ip", "192.0.2.1").remaining == 0
    limiter.clear(limit, "ip", "192.0.2.1")
    assert limiter.hit(limit, "ip", "192.0.2.1")


def test_a_window_that_has_passed_starts_again_from_one(tmp_path):
    storage = DatabaseStorage(f"sql+sqlite:///{tmp_path / 'limits.sqlite'}")
    assert storage.incr("k", expiry=0) == 1
    assert storage.incr("k", expiry=60) == 1  # the first window ended at once
    assert storage.incr("k", expiry=60) == 2
    assert storage.get("k") == 2 and storage.get("missing") == 0
    assert storage.reset() == 1 and storage.get("k") == 0
