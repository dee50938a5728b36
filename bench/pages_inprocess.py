"""bench/pages.py's database and in-process figures: the seeded community (a 30-answer, 30-comment thread and 200
more questions), the SQL statements each page runs, its CPU time per request through the test client, and a
cProfile of the signed-in thread page."""
import cProfile
import pstats
import random
import re
import tempfile
import time
from contextlib import contextmanager

import flask_migrate
from sqlalchemy import event

from config import Config
from forum import create_app
from forum.extensions import db
from forum.services.community import comments, posts
from forum.services.people import accounts
from serving import PASSWORD, SECRET_KEY, csrf_token_in

TAGS = ["sync", "windows", "macos", "linux", "android", "ios", "billing", "login", "backup", "sharing",
        "offline", "api", "webhooks", "export", "import", "notifications", "security", "sso", "desktop", "mobile"]
_TRANSACTION_CONTROL = re.compile(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.IGNORECASE)


# --------------------------------------------------------------------------- database

def bench_config(database_url: str, page_cache_dir: str | None = None) -> Config:
    """The in-process app: the page cache off (counts and profiles are of rendered pages), unless a directory
    for its files is given (the member's thread page as gunicorn serves it, its posts kept there)."""
    config = Config()
    config.SQLALCHEMY_DATABASE_URI = database_url
    config.SECRET_KEY = SECRET_KEY
    config.RATELIMIT_ENABLED = False
    config.PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # seeding speed only; verification reads the hash
    config.PAGE_CACHE_ENABLED = page_cache_dir is not None
    config.PAGE_CACHE_URI, config.PAGE_CACHE_DIR = "", page_cache_dir or ""
    return config


def seed(rng: random.Random) -> dict:
    """40 members, one 30-answer/30-comment thread, 200 more tagged questions; returns what the runs need."""
    users = [accounts.register_user(f"member{n:02d}", f"member{n:02d}@example.com", PASSWORD) for n in range(40)]
    question = posts.ask_question(
        users[0], "Sync stops after ten minutes with error E1023 on every platform",
        "Since the last update the client stops syncing.\n\n```python\nclient.sync(folder='Documents')\n"
        "# SyncError: E1023 (quota check failed)\n```\n\nI restarted, re-installed and cleared the cache.",
        "sync windows macos",
    )
    answers = [
        posts.post_answer(author, question, f"Answer {n}: open **Settings > Advanced**, clear the cache, then "
                          f"run `client.sync()` again.\n\n```bash\nkotae-sync --reset --verbose {n}\n```\n")
        for n, author in enumerate(users[1:31], start=1)
    ]
    targets = [question] + answers
    commenters = users[30:40]
    for n in range(30):
        post = targets[0] if n % 3 == 0 else rng.choice(answers)
        comments.add_comment(commenters[n % len(commenters)], post, f"Comment {n}: which version are you on?")
    for n in range(200):
        other = posts.ask_question(
            rng.choice(users), f"Question {n:03d} about {rng.choice(TAGS)} and {rng.choice(TAGS)} settings",
            f"Body of question {n}: what I tried, what I expected and the error code E{1000 + n}.",
            " ".join(rng.sample(TAGS, rng.randint(1, 4))),
        )
        if n % 3 == 0:
            posts.post_answer(rng.choice(users), other, f"An answer to question {n} with enough characters.")
    db.session.commit()
    return {"question_path": f"/questions/{question.id}/{question.slug}", "viewer": users[35].username,
            "wrk_user": users[39].username, "poster": users[38].username}


def build_database(database_url: str) -> dict:
    app = create_app(bench_config(database_url))
    with app.app_context():
        flask_migrate.upgrade()
        seeded = seed(random.Random(1234))
        db.session.remove()
        db.engine.dispose()
    return seeded


# --------------------------------------------------------------------------- SQL statements per page

@contextmanager
def counting(engine):
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_client_login(client, username: str) -> None:
    html = client.get("/login").get_data(as_text=True)
    token = csrf_token_in(html)
    response = client.post("/login", data={"login": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, f"test-client login failed: {response.status_code}"


def count_queries(database_url: str, seeded: dict, show_sql: bool) -> tuple[dict, dict, dict]:
    """Queries per page (the question page on its first view, with the view write, and after), the
    transaction-control statements (BEGIN, SAVEPOINT...) counted apart, and the in-process CPU time per
    steady request, which other load on the machine disturbs less than wrk does."""
    app = create_app(bench_config(database_url))
    page = seeded["question_path"]
    with app.app_context():
        engine = db.engine
    plan = [("question_anonymous_first", page, False), ("question_anonymous", page, False),
            ("questions", "/questions", False), ("healthz", "/healthz", False),
            ("question_signed_in_first", page, True), ("question_signed_in", page, True)]
    anonymous, member = app.test_client(), app.test_client()
    test_client_login(member, seeded["viewer"])
    counts, control, cpu_ms = {}, {}, {}
    for name, url, signed_in in plan:
        client = member if signed_in else anonymous
        with counting(engine) as statements:
            response = client.get(url)
        assert response.status_code == 200, f"{url}: {response.status_code}"
        control[name] = sum(1 for statement in statements if _TRANSACTION_CONTROL.match(statement))
        counts[name] = len(statements) - control[name]
        if not name.endswith("_first"):
            cpu_ms[name] = cpu_per_request(client, url)
        if show_sql:
            print(f"\n-- {name} ({url}): {len(statements)} statements")
            for statement in statements:
                print("   ", " ".join(statement.split())[:160])
    # The member's page as served: the thread's posts kept in the page cache and shared by members with the same
    # rights (the row above renders them every time).
    cpu_ms["question_signed_in_rendered"] = cpu_ms["question_signed_in"]
    with tempfile.TemporaryDirectory(prefix="kotae-bench-pages-") as store:
        served = create_app(bench_config(database_url, page_cache_dir=store))
        member = served.test_client()
        test_client_login(member, seeded["viewer"])
        member.get(page)  # the first view keeps the posts
        with served.app_context():
            served_engine = db.engine
        with counting(served_engine) as statements:
            member.get(page)
        counts["question_signed_in_rendered"] = counts["question_signed_in"]
        counts["question_signed_in"] = sum(1 for statement in statements
                                           if not _TRANSACTION_CONTROL.match(statement))
        control["question_signed_in_rendered"] = control["question_signed_in"]
        cpu_ms["question_signed_in"] = cpu_per_request(member, page)
        with served.app_context():
            db.engine.dispose()
    with app.app_context():
        db.engine.dispose()
    return counts, control, cpu_ms


def cpu_per_request(client, url: str, rounds: int = 5, per_round: int = 10) -> float:
    """Best-of-rounds process CPU milliseconds per request through the test client."""
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for _ in range(per_round):
            client.get(url)
        best = min(best, (time.process_time() - started) / per_round * 1000)
    return round(best, 2)


def profile_pages(database_url: str, seeded: dict, renders: int, top: int) -> None:
    """cProfile `renders` test-client requests of the signed-in question page, then of /questions."""
    app = create_app(bench_config(database_url))
    client = app.test_client()
    test_client_login(client, seeded["viewer"])
    for path in (seeded["question_path"], "/questions"):
        client.get(path)  # the view write and template compilation are not steady state
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for _ in range(renders):
            client.get(path)
        profiler.disable()
        elapsed = time.perf_counter() - started
        print(f"\nProfile of {path} signed in: {renders} requests, {elapsed / renders * 1000:.1f} ms each "
              "under the profiler")
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(top)
