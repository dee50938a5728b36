"""bench/pages.py's verdicts and printed tables: the targets of issue 14, one table per database, the burst test's
summary, and the databases side by side."""
import os

TARGETS = {"question_signed_in_rps": 225, "questions_rps": 300, "question_max_queries": 8,
           "cached_share_of_floor": 0.40, "burst_p99_ms": 100}


def print_table(rows: dict[str, dict]) -> None:
    header = f"{'page':<40} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'SQL':>4} {'CPU ms':>7}  target"
    print("\n" + header + "\n" + "-" * (len(header) + 30))
    for row in rows.values():
        print(f"{row['name']:<40} {row['rps']:>8.1f} {row['p50_ms']:>8.2f} {row['p99_ms']:>8.2f} {row['sql']:>4} "
              f"{row['cpu_ms']:>7.2f}  {row['target']}")
        if row["non_2xx_3xx"] or row["socket_errors"]:
            print(f"{'':<40} !! non-2xx/3xx: {row['non_2xx_3xx']}  socket errors: {row['socket_errors']}")
    print("(SQL: queries per steady view, BEGIN/SAVEPOINT/RELEASE not counted. CPU ms: one request through the\n"
          " test client, in process; under wrk, wrk itself shares the CPUs with gunicorn. The visitors' rows show the\n"
          " SQL and CPU of a rendered page; a cached one runs none. The signed-in row's CPU is the page as served:\n"
          " its posts kept in the page cache for members with the same rights.)")


def print_burst(share: float, burst: dict | None) -> None:
    print(f"\ncached visitors' thread page: {share:.0%} of /healthz in the same run "
          f"(target >= {TARGETS['cached_share_of_floor']:.0%})")
    if burst is None:
        return
    print(f"burst: {burst['connections']} connections on the visitors' thread page for {burst['duration']}, "
          f"{burst['answers_posted']} answers posted meanwhile (POST p50 {burst['post_p50_ms']} ms)\n"
          f"  readers: {burst['rps']:.1f} req/s, p50 {burst['p50_ms']:.2f} ms, p99 {burst['p99_ms']:.2f} ms "
          f"(target p99 < {TARGETS['burst_p99_ms']} ms); non-2xx/3xx {burst['non_2xx_3xx']}, "
          f"socket errors: {burst['socket_errors'] or 'none'}\n"
          f"  staleness: max {burst['staleness_max_s']} s, p50 {burst['staleness_p50_s']} s over "
          f"{burst['samples']} visitor reads; answers never seen: {burst['answers_never_seen']} "
          f"(limit PAGE_CACHE_SECONDS = {burst['page_cache_seconds']} s)")
    if burst["post_errors"]:
        print(f"  !! posting failed: {burst['post_errors']}")


def verdicts(rows: dict[str, dict], burst: dict | None) -> dict[str, bool]:
    limit = TARGETS["question_max_queries"]
    passed = {
        "question_signed_in_rps": rows["question_signed_in"]["rps"] >= TARGETS["question_signed_in_rps"],
        "questions_rps": rows["questions"]["rps"] >= TARGETS["questions_rps"],
        "question_max_queries": max(rows["question_anonymous"]["sql"], rows["question_signed_in"]["sql"]) <= limit,
        "cached_share_of_floor": floor_share(rows) >= TARGETS["cached_share_of_floor"],
    }
    if burst is not None:
        passed["burst_p99_ms"] = burst["p99_ms"] < TARGETS["burst_p99_ms"]
        passed["burst_fresh_enough"] = burst["fresh_enough"]
    return passed


def floor_share(rows: dict[str, dict]) -> float:
    """The cached visitors' thread page's req/s as a share of /healthz's, both from this run."""
    return rows["question_anonymous"]["rps"] / rows["healthz"]["rps"] if rows["healthz"]["rps"] else 0.0


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def warn_if_busy(load: float) -> None:
    if load > 0.5 * (os.cpu_count() or 1):
        print(f"Warning: load average {load} on {os.cpu_count()} CPUs before the run; other processes compete "
              "with gunicorn and wrk, so req/s will read low.")


def print_side_by_side(reports: list[dict]) -> None:
    names = [report["database"] for report in reports]
    header = f"{'page (req/s, p99 ms)':<34}" + "".join(f"{name:>24}" for name in names)
    print("\n" + header + "\n" + "-" * len(header))
    for position, page in enumerate(reports[0]["pages"]):
        cells = "".join(f"{report['pages'][position]['rps']:>14.1f} {report['pages'][position]['p99_ms']:>9.2f}"
                        for report in reports)
        print(f"{page['name']:<34}{cells}")
