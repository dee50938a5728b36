"""The burst test of bench/pages.py: many visitors read one thread while a member answers it.

wrk holds `--burst-connections` connections on the anonymous thread page (the visitors' page cache serves it, and
every new answer makes it stale), a poster answers the thread through the real signed-in form (CSRF and one-time
tokens lifted from the page) `--post-every` seconds after each answer went through (a slow server gets fewer), and a
sampler reads the page as a visitor a few times a second, noting when each answer first shows. Reports wrk's
p50/p99 and, per answer, how long after its POST returned the visitors' page still lacked it (the staleness; the
target: never more than PAGE_CACHE_SECONDS).
"""
import threading
import time
import urllib.error
import urllib.parse
import uuid

from serving import hidden_fields_in, http_get, member_opener, run_wrk

SAMPLE_EVERY = 0.1  # seconds between the sampler's reads


class Burst:
    """Shared state of the poster and the sampler: answers posted (marker -> time the POST returned) and seen."""

    def __init__(self):
        self.stop_posting = threading.Event()
        self.stop = threading.Event()  # the sampler's
        self.lock = threading.Lock()
        self.posted: dict[str, float] = {}
        self.seen: dict[str, float] = {}
        self.post_errors: list[str] = []
        self.post_ms: list[float] = []
        self.samples = 0


def post_answers(burst: Burst, base_url: str, path: str, username: str, every: float) -> None:
    """Answer the thread through the page's own form, as a signed-in member, `every` seconds after each answer."""
    opener = member_opener(base_url, username)
    question_id = path.split("/")[2]
    action = f"/questions/{question_id}/answer"
    number = 0
    while not burst.stop_posting.wait(every):
        number += 1
        marker = f"burst-{number}-{uuid.uuid4().hex[:10]}"
        started = time.monotonic()
        try:
            with opener.open(base_url + path, timeout=30) as response:
                fields = hidden_fields_in(response.read().decode(), action)
            fields["body"] = (f"Answer {marker}: restart the sync client, clear its cache folder and sign in again; "
                              "the E1023 error comes from a stale quota check.")
            opener.open(base_url + action, data=urllib.parse.urlencode(fields).encode(), timeout=30)
            burst.post_errors.append(f"{marker}: no redirect after posting")
        except urllib.error.HTTPError as error:
            if error.code != 302:
                burst.post_errors.append(f"{marker}: {error.code}")
                continue
            done = time.monotonic()
            with burst.lock:
                burst.posted[marker] = done
            burst.post_ms.append((done - started) * 1000)
        except (OSError, RuntimeError) as error:
            burst.post_errors.append(f"{marker}: {error}")


def sample_page(burst: Burst, url: str) -> None:
    """Read the page as a visitor (no cookie) until stopped; note when each posted answer first shows."""
    while not burst.stop.is_set():
        try:
            status, _headers, body = http_get(url)
        except OSError:
            status, body = 0, ""
        now = time.monotonic()
        burst.samples += 1
        if status == 200:
            with burst.lock:
                waiting = [marker for marker in burst.posted if marker not in burst.seen]
            for marker in waiting:
                if marker in body:
                    burst.seen[marker] = now
        time.sleep(SAMPLE_EVERY)


def run_burst(base_url: str, path: str, username: str, args, lifetime: int) -> dict:
    """wrk on the visitors' thread page while answers arrive; wrk's figures plus the staleness of the page."""
    burst = Burst()
    workers = [threading.Thread(target=post_answers, args=(burst, base_url, path, username, args.post_every)),
               threading.Thread(target=sample_page, args=(burst, base_url + path))]
    for worker in workers:
        worker.start()
    try:
        readers = run_wrk(base_url + path, _BurstArgs(args))
    finally:
        burst.stop_posting.set()
        workers[0].join(timeout=60)
        # The sampler goes on until it has seen every answer, or for the page cache's lifetime and a little more.
        deadline = time.monotonic() + lifetime + 2
        while time.monotonic() < deadline and len(burst.seen) < len(burst.posted):
            time.sleep(SAMPLE_EVERY)
        burst.stop.set()
        workers[1].join(timeout=60)
    # An answer never seen counts as stale for as long as it was watched.
    end = time.monotonic()
    staleness = [burst.seen.get(marker, end) - posted for marker, posted in burst.posted.items()]
    unseen = sum(1 for marker in burst.posted if marker not in burst.seen)
    post_ms = sorted(burst.post_ms)
    return {
        **readers, "connections": args.burst_connections, "duration": args.burst_duration,
        "answers_posted": len(burst.posted), "post_errors": burst.post_errors[:10],
        "post_p50_ms": round(post_ms[len(post_ms) // 2], 1) if post_ms else None,
        "samples": burst.samples, "answers_never_seen": unseen,
        "staleness_max_s": round(max(staleness), 3) if staleness else None,
        "staleness_p50_s": round(sorted(staleness)[len(staleness) // 2], 3) if staleness else None,
        "page_cache_seconds": lifetime,
        "fresh_enough": bool(staleness) and max(staleness) <= lifetime and not unseen,
    }


class _BurstArgs:
    """wrk's settings for the burst: one thread page, many connections."""

    def __init__(self, args):
        self.threads = args.threads
        self.connections = args.burst_connections
        self.duration = args.burst_duration
