"""Page benchmark: SQL queries per page (test client) and throughput under gunicorn + wrk.

Run from the checkout: `.venv/bin/python bench/pages.py [--duration 10s] [--quick] [--database-url sqlite
--database-url postgresql]`. It builds a throw-away database (a SQLite file in a temp directory by default,
or a throw-away PostgreSQL cluster, or an empty database you name): migrations, then seeding through the
service functions. It counts the SQL queries each page runs, serves the same database with gunicorn and
loads it with wrk: the framework floor (/healthz), the list, the visitors' thread page from the page cache and
rendered every time (a second server with PAGE_CACHE_ENABLED=0), the signed-in thread page, then the burst test
(bench/burst.py: many visitors on the thread while a member answers it). With several databases it prints their
figures side by side. Results are printed and written to bench/results/pages.json (git-ignored).
"""
import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # config.py sits at the top of the checkout, outside the package

from sqlalchemy import make_url  # noqa: E402

from forum.database import normalised_url  # noqa: E402
from serving import (  # noqa: E402  (gunicorn, HTTP and wrk, shared with bench/api.py)
    anonymous_cookies, free_port, http_get, log_in_over_http, run_wrk, start_gunicorn, wait_until_up,
)
from burst import run_burst  # noqa: E402
from pages_inprocess import build_database, count_queries, profile_pages  # noqa: E402  (seeding, in-process figures)
from pages_report import (  # noqa: E402
    TARGETS, floor_share, load_average, print_burst, print_side_by_side, print_table, verdicts, warn_if_busy,
)

RESULTS = ROOT / "bench" / "results" / "pages.json"


# --------------------------------------------------------------------------- report

def check_page(base_url: str, path: str, cookie: str | None, signed_in: bool, cache: str | None = None) -> None:
    """Refuse to benchmark a redirect or the wrong state; also records the view before wrk starts. `cache`:
    the X-Cache header the second read must carry (hit: served from the page cache; None: not checked)."""
    status, headers, body = http_get(base_url + path, cookie)
    if status != 200 or ("Log out" in body) != signed_in:
        raise RuntimeError(f"{path} answered {status}, signed in: {'Log out' in body}, expected {signed_in}")
    if cache is not None and (found := http_get(base_url + path, cookie)[1].get("X-Cache")) != cache:
        raise RuntimeError(f"{path}: X-Cache {found!r} on a second read, expected {cache!r}")


def benchmark(base_url: str, seeded: dict, counts: dict, cpu_ms: dict, args) -> dict[str, dict]:
    """wrk on each page; rows keyed like `counts`."""
    cookie = log_in_over_http(base_url, seeded["wrk_user"])
    page = seeded["question_path"]
    queries = f"<= {TARGETS['question_max_queries']} SQL"
    share = f">= {TARGETS['cached_share_of_floor']:.0%} of /healthz"
    plan = [
        ("healthz", "/healthz (framework floor)", "/healthz", None, "-"),
        ("questions", "/questions", "/questions", None, f">= {TARGETS['questions_rps']} req/s"),
        ("question_anonymous", "question, 30 answers, visitor, cached", page, None, share),
        ("question_signed_in", "question, 30 answers, signed in", page, cookie,
         f">= {TARGETS['question_signed_in_rps']} req/s, {queries}"),
    ]
    rows = {}
    for key, name, path, session, target in plan:
        if path != "/healthz":
            check_page(base_url, path, session, signed_in=session is not None,
                       cache="hit" if key == "question_anonymous" else None)
        rows[key] = wrk_row(base_url, key, name, path, session, target, counts, cpu_ms, args)
    return rows


def wrk_row(base_url: str, key: str, name: str, path: str, session: str | None, target: str, counts: dict,
            cpu_ms: dict, args) -> dict:
    print(f"wrk {args.duration} on {name} ...", flush=True)
    return {"name": name, "url": path, "signed_in": session is not None, "sql": counts[key], "cpu_ms": cpu_ms[key],
            "target": target, **run_wrk(base_url + path, args, session)}


def cold_row(database_url: str, workdir: Path, seeded: dict, counts: dict, cpu_ms: dict, args) -> dict:
    """The visitors' thread page rendered for every request: a second server with PAGE_CACHE_ENABLED=0."""
    port, log_path = free_port(), workdir / "gunicorn-cold.log"
    process = start_gunicorn(database_url, port, args.workers, log_path, extra_env={"PAGE_CACHE_ENABLED": "0"})
    base_url, page = f"http://127.0.0.1:{port}", seeded["question_path"]
    try:
        wait_until_up(process, base_url, log_path)
        check_page(base_url, page, None, signed_in=False, cache="bypass")
        return wrk_row(base_url, "question_anonymous", "question, 30 answers, visitor, cold", page, None,
                       "(rendered each time)", counts, cpu_ms, args)
    finally:
        stop(process)


def write_json(report: dict) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")


# --------------------------------------------------------------------------- main

def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", default="10s", help="wrk duration per page (default 10s)")
    parser.add_argument("--burst-duration", default="30s", help="wrk duration of the burst test (default 30s)")
    parser.add_argument("--burst-connections", type=int, default=64,
                        help="wrk connections on the visitors' thread page during the burst (default 64)")
    parser.add_argument("--post-every", type=float, default=0.5, metavar="SECONDS",
                        help="during the burst, a new answer SECONDS after the last went through (default 0.5)")
    parser.add_argument("--no-burst", action="store_true", help="skip the burst test")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 5 s per page and for the burst")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--show-sql", action="store_true", help="print every statement each page runs")
    parser.add_argument("--profile", type=int, metavar="N", default=0,
                        help="also cProfile N signed-in requests of the question page and /questions (e.g. 200)")
    parser.add_argument("--keep", action="store_true", help="keep the temp directory (database, gunicorn log)")
    parser.add_argument("--database-url", action="append", metavar="URL",
                        help="run on this database; repeat to compare side by side. 'sqlite' (the default) is a "
                             "temp file, 'postgresql' a throw-away cluster, else an empty database's URL")
    args = parser.parse_args(argv)
    if args.quick:
        args.duration = args.burst_duration = "5s"
    return args


def measure_in_process(database_url: str, seeded: dict, args) -> tuple[dict, dict, dict]:
    counts, control, cpu_ms = count_queries(database_url, seeded, args.show_sql)
    print("\nThrough the test client: SQL queries per page (+ BEGIN/SAVEPOINT/...), CPU ms per steady request")
    for name, count in counts.items():
        print(f"  {name:<26} {count:>3} (+{control[name]})   {cpu_ms.get(name, '')}")
    print("  (question_signed_in is the page as served, its posts kept in the page cache; "
          "question_signed_in_rendered renders every post)")
    if args.profile:
        profile_pages(database_url, seeded, args.profile, top=30)
    return counts, control, cpu_ms


def measure_served(database_url: str, workdir: Path, seeded: dict, counts: dict, cpu_ms: dict, args) -> dict:
    """Serve the database with gunicorn, check anonymous cookies, run wrk on each page, the cold visitors' page on
    a second server, then the burst test (last: it adds answers to the thread); returns the report."""
    port, log_path = free_port(), workdir / "gunicorn.log"
    base_url = f"http://127.0.0.1:{port}"
    process = start_gunicorn(database_url, port, args.workers, log_path)
    try:
        wait_until_up(process, base_url, log_path)
        print(f"\ngunicorn ({args.workers} sync workers) on {base_url}", flush=True)
        cookies = anonymous_cookies(base_url, ["/healthz", "/questions", seeded["question_path"]])
        print("Set-Cookie on anonymous first views (should be none):")
        for path, values in cookies.items():
            print(f"  {path:<72} {'; '.join(v.split(';')[0][:40] + '...' for v in values) or 'none'}")
        load_before = load_average()
        warn_if_busy(load_before)
        rows = benchmark(base_url, seeded, counts, cpu_ms, args)
        rows["question_anonymous_cold"] = cold_row(database_url, workdir, seeded, counts, cpu_ms, args)
        burst = None
        if not args.no_burst:
            print(f"burst: wrk {args.burst_duration}, {args.burst_connections} connections, an answer every "
                  f"{args.post_every} s ...", flush=True)
            burst = run_burst(base_url, seeded["question_path"], seeded["poster"], args, page_cache_seconds())
    finally:
        stop(process)
    return {"anonymous_set_cookie": cookies, "rows": rows, "burst": burst,
            "load_average": [load_before, load_average()]}


def page_cache_seconds() -> int:
    """The lifetime the served app runs with (bench/serving.py starts it with the development settings)."""
    from config import DevelopmentConfig
    return DevelopmentConfig.PAGE_CACHE_SECONDS


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def run_on(database_url: str, workdir: Path, args) -> dict:
    """Seed one database, count queries, serve it and load it; returns this database's report."""
    print(f"Seeding {make_url(database_url).render_as_string(hide_password=True)} ...", flush=True)
    seeded = build_database(database_url)
    counts, control, cpu_ms = measure_in_process(database_url, seeded, args)
    served = measure_served(database_url, workdir, seeded, counts, cpu_ms, args)
    rows, burst = served["rows"], served["burst"]
    passed = verdicts(rows, burst)
    print_table(rows)
    print_burst(floor_share(rows), burst)
    print(f"load average before/after wrk: {served['load_average']}")
    print("Targets: " + ", ".join(f"{name} {'met' if ok else 'MISSED'}" for name, ok in passed.items()))
    if any(served["anonymous_set_cookie"].values()):
        print("Note: an anonymous first view set a session cookie (see above); every new visitor gets one.")
    return {"database": make_url(database_url).get_backend_name(), "targets_met": passed, "sql_queries": counts,
            "transaction_control_statements": control, "cpu_ms_per_request": cpu_ms,
            "anonymous_set_cookie": served["anonymous_set_cookie"], "pages": list(rows.values()),
            "cached_share_of_floor": round(floor_share(rows), 3), "burst": burst,
            "load_average_before_after": served["load_average"]}


@contextmanager
def database_for(choice: str, workdir: Path):
    """`sqlite`: a file in the temp directory; `postgresql`: a throw-away cluster (tests/pgcluster.py);
    anything else: the SQLAlchemy URL of an empty database you provide (e.g. postgresql://kotae@/bench)."""
    if choice == "sqlite":
        yield f"sqlite:///{workdir / 'bench.db'}"
        return
    if choice != "postgresql":
        yield normalised_url(choice)
        return
    from tests.pgcluster import start_cluster
    cluster = start_cluster(port=free_port())
    try:
        yield cluster.url()
    finally:
        cluster.stop()


def main(argv=None) -> int:
    args = parse_args(argv)
    if not shutil.which("wrk"):
        print("wrk is not installed. Install it with:  apt-get install -y wrk", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="kotae-bench-"))
    try:
        reports = []
        for choice in args.database_url or ["sqlite"]:
            with database_for(choice, workdir) as database_url:
                reports.append(run_on(database_url, workdir, args))
        if len(reports) > 1:
            print_side_by_side(reports)
        write_json({
            "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                        "platform": platform.platform()},
            "wrk": {"threads": args.threads, "connections": args.connections, "duration": args.duration},
            "burst": None if args.no_burst else {"connections": args.burst_connections, "duration": args.burst_duration,
                                                 "post_every_s": args.post_every},
            "gunicorn": {"workers": args.workers, "worker_class": "sync"},
            "targets": TARGETS, "databases": reports,
        })
        print(f"Wrote {RESULTS.relative_to(ROOT)}")
        return 0
    finally:
        if args.keep:
            print(f"Kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
