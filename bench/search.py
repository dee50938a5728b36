"""Search benchmark: index build rate, index size and query latency on up to 100,000 threads.

Run from the checkout: `.venv/bin/python bench/search.py [--threads 20000] [--procs 2] [--backend postgresql
--database-url postgresql]`. It builds a throw-away database (SQLite by default) in a temp directory: the real Stack Exchange threads in
../shared/datasets/*.stackexchange.com/Posts.xml (when present), then generated Japanese, English and mixed
threads up to --threads (Japanese sentences from the Python FAQ translation in ../shared/datasets/python-docs-ja-faq
plus conjugated support phrases; English sentences from the dumps plus templates). It then runs the real
`flask search reindex` code (`forum.search.reindex_all`) and 200+ mixed Japanese/English queries twice, timing
the warm pass (both backends keep the decoded postings of recent words in memory, 64 MiB per process; the first
pass's backend call, each query's first, shows what reading them costs):

- index: parse, search (top 21: one more tells whether there is a next page) and the page of ids;
- page: the search page's whole service call: index, one SQL fetch of the 20 questions, highlighted titles and
  snippets (everything but template rendering).

Results are printed and written to bench/results/search-<backend>.json (git-ignored), and a table then puts them
beside the other backend's last results (its file, when there is one), so a `--backend postgresql` run shows
Whoosh's figures next to its own and the other way round. The threads and queries
are made in bench/search_corpus.py, timed in bench/search_timing.py. The import rate is measured first
by importing every dump with the real importer (`flask import stackexchange`) into a separate throw-away
database (`--import-only` stops there); the search database itself is loaded with plain inserts, so generated
threads can be mixed in quickly.
"""
import argparse
import json
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import flask_migrate  # noqa: E402
from sqlalchemy import text  # noqa: E402

from config import Config  # noqa: E402
from forum import create_app, search  # noqa: E402
from forum.extensions import db  # noqa: E402
from forum.importers import stackexchange  # noqa: E402
from forum.markup import html_to_text  # noqa: E402
from search_corpus import Generator, dump_threads, load, queries  # noqa: E402
from search_timing import run_queries, run_similar  # noqa: E402

__all__ = ["bench_app", "load"]  # bench/search_quality.py builds its database with these

DATASETS = ROOT.parent / "shared" / "datasets"
RESULTS = ROOT / "bench" / "results" / "search-{backend}.json"
TARGETS = {"reindex_threads_per_s": 600, "page_p95_ms": 50}


def bench_app(workdir: Path, database_url: str | None = None, backend: str = "whoosh"):
    config = Config()
    config.SQLALCHEMY_DATABASE_URI = database_url or f"sqlite:///{workdir / 'bench.db'}"
    config.SECRET_KEY, config.RATELIMIT_ENABLED = "bench", False
    config.SEARCH_INDEX_DIR = str(workdir / "index")
    config.SEARCH_BACKEND = backend
    return create_app(config)


def import_rate(workdir: Path) -> dict:
    """Import every dump with the real importer into its own database; posts/s per dump and overall."""
    folder = workdir / "import"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    app = bench_app(folder)
    per_site, posts, seconds = {}, 0, 0.0
    with app.app_context():
        flask_migrate.upgrade()
        with search.indexing_deferred():
            for dump in sorted(DATASETS.glob("*.stackexchange.com")):
                report = stackexchange.import_dump(dump, rules=app.config["REPUTATION"])
                per_site[dump.name] = {"posts": report.posts, "seconds": round(report.seconds, 1),
                                       "posts_per_s": round(report.rate), "skipped_rows": report.problems.total}
                posts, seconds = posts + report.posts, seconds + report.seconds
                print(f"import {dump.name}: {report.posts} posts in {report.seconds:.1f}s = {report.rate:.0f} posts/s",
                      flush=True)
        db.engine.dispose()
    return {"posts": posts, "seconds": round(seconds, 1), "posts_per_s": round(posts / seconds) if seconds else 0,
            "sites": per_site}


def index_size(app) -> tuple[int, int]:
    """Documents and bytes of the thread index: Whoosh's files, or the PostgreSQL search tables (the postings
    included) with their indexes."""
    backend = app.extensions["kotae_search"].backend
    if not backend.in_transaction:
        return backend.index.doc_count(), backend.index.size_bytes()
    size = db.session.scalar(text("SELECT sum(pg_total_relation_size(name)) FROM unnest(ARRAY['search_documents', "
                                  "'search_postings', 'search_terms', 'search_statistics']::regclass[]) AS name"))
    return backend.doc_count("thread"), int(size)


def queries_only(workdir: Path, database_url: str | None, backend: str) -> None:
    app = bench_app(workdir, database_url, backend)
    with app.app_context():
        latency = run_queries(app, queries(dump_threads()))
        latency["similar_and_related"] = run_similar(app)
        latency["threads"], size = index_size(app)
        latency["index_mib"] = round(size / 2**20, 1)
    latency["load_average"] = os.getloadavg()
    print(json.dumps(latency, indent=2, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=100_000)
    parser.add_argument("--procs", type=int, default=None, help="reindex worker processes (default: all cores)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", default=None, help="keep the database and index here (default: a temp dir)")
    parser.add_argument("--queries-only", action="store_true",
                        help="reuse the database and index already in --workdir; only time the queries")
    parser.add_argument("--import-only", action="store_true", help="only measure the Stack Exchange import rate")
    parser.add_argument("--database-url", default="sqlite", metavar="URL",
                        help="sqlite (a file in --workdir, default), postgresql (a throw-away cluster) or the URL of "
                             "an empty database; the import rate is measured on SQLite only")
    parser.add_argument("--backend", default="whoosh", choices=("whoosh", "postgresql"),
                        help="the search backend (postgresql needs a PostgreSQL --database-url)")
    args = parser.parse_args()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="kotae-search-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    from pages import database_for  # the same throw-away databases as the page benchmark

    with database_for(args.database_url, workdir) as database_url:
        return run(args, workdir, database_url)


def make_threads(count: int, seed: int) -> tuple[list[dict], list[dict]]:
    """The dumps' threads up to `count`, then generated ones, shuffled; and the dumps' threads (for queries)."""
    dump = dump_threads()[:count]
    generator = Generator(seed, [s for t in dump for s in html_to_text(t["body_html"]).split(". ")
                                 if len(s.split()) >= 6][:50_000])
    threads = list(dump)
    n = len(threads)
    while len(threads) < count:
        kind = n % 5
        threads.append(generator.english_thread(n) if kind < 2 else generator.japanese_thread(n, mixed=kind == 4))
        n += 1
    random.Random(seed).shuffle(threads)
    return threads, dump


def run(args, workdir: Path, database_url: str) -> None:
    on_sqlite = database_url.startswith("sqlite")
    if args.queries_only:
        return queries_only(workdir, database_url, args.backend)
    imported = import_rate(workdir) if on_sqlite and args.backend == "whoosh" else None
    if args.import_only:
        return print(json.dumps(imported, indent=2))
    for stale in ("bench.db", "bench.db-wal", "bench.db-shm"):
        (workdir / stale).unlink(missing_ok=True)
    app = bench_app(workdir, database_url, args.backend)
    with app.app_context():
        flask_migrate.upgrade()
        started = time.perf_counter()
        threads, dump = make_threads(args.threads, args.seed)
        generated = time.perf_counter()
        load(threads)
        loaded = time.perf_counter()
        report = search.reindex_all(procs=args.procs)
        _count, size = index_size(app)
        print(f"reindex: {report.threads} threads in {report.seconds:.1f}s = {report.rate:.0f} threads/s "
              f"({report.procs} processes); index {size / 2**20:.1f} MiB", flush=True)
        latency = run_queries(app, queries(dump))
        latency["similar_and_related"] = run_similar(app)
    result = {
        "when": datetime.now().isoformat(timespec="seconds"), "machine": f"{platform.platform()}, {os.cpu_count()} cores",
        "load_average": os.getloadavg(), "threads": len(threads), "dump_threads": len(dump),
        "answers": sum(len(t["answers"]) for t in threads), "comments": sum(len(t["comments"]) for t in threads),
        "generate_s": round(generated - started, 1), "db_load_s": round(loaded - generated, 1),
        "db_load_threads_per_s": round(len(threads) / (loaded - generated)),
        "database": "sqlite" if on_sqlite else "postgresql", "backend": args.backend, "import": imported,
        "reindex": {"seconds": round(report.seconds, 1), "threads_per_s": round(report.rate), "procs": report.procs},
        "index_mib": round(size / 2**20, 1), "latency": latency, "targets": TARGETS,
    }
    output = Path(str(RESULTS).format(backend=args.backend))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print(comparison(args.backend))


def comparison(backend: str) -> str:
    """Both backends' last full runs side by side (this one first): build rate, index size, latency p50 / p95."""
    order = [backend] + [other for other in ("whoosh", "postgresql") if other != backend]
    runs = [json.loads(path.read_text()) for name in order
            if (path := Path(str(RESULTS).format(backend=name))).exists()]
    spread = lambda figures: f"{figures['p50_ms']} / {figures['p95_ms']}"  # noqa: E731
    lines = ["", "| backend | threads | when | load | reindex threads/s | index MiB | backend only, first pass ms | "
                 "backend only ms | search page ms | ja sentences ms | en sentences ms | similar ms | related ms |",
             "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for run in runs:
        latency, kinds = run["latency"], run["latency"]["page_by_language"]
        lines.append(" | ".join([
            f"| {run['backend']}", f"{run['threads']:,}", run["when"], f"{run['load_average'][0]:.1f}",
            str(run["reindex"]["threads_per_s"]), str(run["index_mib"]),
            spread(latency["index_first_pass"]) if "index_first_pass" in latency else "-", spread(latency["index"]),
            spread(latency["page"]), *(spread(kinds[k]) if k in kinds else "-" for k in ("sentence-ja", "sentence-en")),
            spread(latency["similar_and_related"]["similar"]), spread(latency["similar_and_related"]["related"]),
        ]) + " |")
    lines.append(f"(p50 / p95; targets: p95 of the search page at most {TARGETS['page_p95_ms']} ms at 100,000 threads)")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
