"""API benchmark: the JSON API's thread, list and search endpoints beside the HTML pages they mirror, under
gunicorn + wrk, on the database bench/pages.py seeds (a 30-answer, 30-comment thread and 200 more questions).

Run from the checkout: `.venv/bin/python bench/api.py [--duration 10s] [--database-url sqlite|postgresql|URL]`.
Prints requests/s and p50/p99 per pair; writes bench/results/api.json (git-ignored).
"""
import argparse
import json
import shutil
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pages  # noqa: E402  (the seeded database)
import serving  # noqa: E402  (gunicorn, HTTP and wrk)

RESULTS = pages.ROOT / "bench" / "results" / "api.json"


def plan(seeded: dict) -> list[tuple[str, str, str]]:
    question_id = seeded["question_path"].split("/")[2]
    return [
        ("thread, 30 answers", seeded["question_path"], f"/api/v1/questions/{question_id}"),
        ("question list", "/questions", "/api/v1/questions"),
        ("search (keyword)", "/search?q=sync+settings", "/api/v1/search?q=sync+settings"),
        ("search (sentence)", "/search?q=why+does+the+sync+stop+with+an+error",
         "/api/v1/search?q=why+does+the+sync+stop+with+an+error"),
    ]


def run(database_url: str, workdir: Path, args) -> list[dict]:
    seeded = pages.build_database(database_url)
    log_path = workdir / "gunicorn.log"
    port = serving.free_port()
    base = f"http://127.0.0.1:{port}"
    server = serving.start_gunicorn(database_url, port, args.workers, log_path)
    rows = []
    try:
        serving.wait_until_up(server, base, log_path)
        for name, html, api in plan(seeded):
            for kind, path in (("html", html), ("api", api)):
                status, _headers, _body = serving.http_get(base + path)
                if status != 200:
                    raise RuntimeError(f"{path} answered {status}")
                print(f"wrk {args.duration} on {kind} {path} ...", flush=True)
                rows.append({"name": name, "kind": kind, "path": path, **serving.run_wrk(base + path, args)})
    finally:
        server.terminate()
        server.wait(timeout=10)
    return rows


def print_rows(rows: list[dict]) -> None:
    header = f"{'endpoint':<22} {'HTML req/s':>11} {'p50':>7} {'p99':>7}   {'API req/s':>10} {'p50':>7} {'p99':>7}"
    print("\n" + header + "\n" + "-" * len(header))
    for html, api in zip(rows[::2], rows[1::2]):
        print(f"{html['name']:<22} {html['rps']:>11.1f} {html['p50_ms']:>7.1f} {html['p99_ms']:>7.1f}   "
              f"{api['rps']:>10.1f} {api['p50_ms']:>7.1f} {api['p99_ms']:>7.1f}")
    print("(latencies in ms; anonymous requests; wrk shares the machine's CPUs with gunicorn)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", default="10s")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default="sqlite")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        print("wrk is not installed. Install it with:  apt-get install -y wrk", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="kotae-bench-api-"))
    try:
        with pages.database_for(args.database_url, workdir) as database_url:
            rows = run(database_url, workdir, args)
        print_rows(rows)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps({"measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                                       "load_average": pages.load_average(), "rows": rows}, indent=2))
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
