"""Search benchmark: index build rate, index size and query latency on up to 100,000 threads.

Run from the checkout: `.venv/bin/python bench/search.py [--threads 20000] [--procs 2]`. It builds a
throw-away SQLite database in a temp directory: the real Stack Exchange threads in
../shared/datasets/*.stackexchange.com/Posts.xml (when present), then generated Japanese, English and mixed
threads up to --threads (Japanese sentences from the Python FAQ translation in ../shared/datasets/python-docs-ja-faq
plus conjugated support phrases; English sentences from the dumps plus templates). It then runs the real
`flask search reindex` code (`forum.search.reindex_all`) and 200+ mixed Japanese/English queries twice, timing
the warm pass:

- index: parse, search (top 21: one more tells whether there is a next page) and the page of ids;
- page: the search page's whole service call: index, one SQL fetch of the 20 questions, highlighted titles and
  snippets (everything but template rendering).

Results are printed and written to bench/results/search.json (git-ignored). The import rate is measured first
by importing every dump with the real importer (`flask import stackexchange`) into a separate throw-away
database (`--import-only` stops there); the search database itself is loaded with plain inserts, so generated
threads can be mixed in quickly.
"""
import argparse
import html
import json
import os
import platform
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import flask_migrate  # noqa: E402
from sqlalchemy import bindparam, func, insert, select, update  # noqa: E402

from config import Config  # noqa: E402
from forum import create_app, search  # noqa: E402
from forum.extensions import db  # noqa: E402
from forum.importers import stackexchange  # noqa: E402
from forum.markup import html_to_text  # noqa: E402
from forum.models import Comment, Post, Question, Tag, User, question_tags  # noqa: E402
from forum.search import searching  # noqa: E402
from forum.search.query import parse  # noqa: E402
from forum.services.community.search import search_questions  # noqa: E402

DATASETS = ROOT.parent / "shared" / "datasets"
RESULTS = ROOT / "bench" / "results" / "search.json"
TARGETS = {"reindex_threads_per_s": 600, "page_p95_ms": 50}

# -- text sources -----------------------------------------------------------------------------------------------

JA_SUBJECTS = ["アプリ", "スマホ版", "デスクトップ版", "同期", "バックアップ", "通知", "カレンダー", "請求書", "管理画面",
               "サーバー", "ユーザー", "プリンター", "共有フォルダ", "メール", "パスワード", "二段階認証", "検索", "エクスポート",
               "インポート", "ファイル", "アカウント", "ライセンス", "プラグイン", "APIキー", "Webhook", "ダークモード"]
JA_PROBLEMS = ["ログインできない", "ログインができません", "ログインできませんでした", "起動しない", "起動しません",
               "同期が止まる", "同期が止まってしまいます", "表示されない", "表示されません", "保存できない",
               "保存できませんでした", "届かない", "届きません", "文字化けする", "文字化けしています", "遅い", "とても遅いです",
               "エラーになる", "エラーが出ます", "消えてしまった", "消えてしまいました", "再設定したい", "変更できない"]
JA_CONTEXT = ["昨日から", "アップデート後に", "Windows 11で", "macOSで", "iPhoneから", "Androidで", "社内ネットワークでは",
              "VPN経由だと", "Ｐｙｔｈｏｎ３．１１のスクリプトから", "ﾌﾞﾗｳｻﾞから", "管理者アカウントで", "新しいPCで"]
JA_TAILS = ["どうすればいいですか。", "解決方法を教えてください。", "同じ症状の方はいますか。", "困っています。",
            "サポートに問い合わせる前に確認したいです。", "再起動しても直りません。", "キャッシュを削除しても変わりません。"]
JA_ANSWERS = ["設定画面から{s}をオフにしてから、もう一度オンにしてみてください。", "{s}のキャッシュを削除すると直ることがあります。",
              "最新版にアップデートすると解決しました。", "管理者に権限を確認してもらってください。",
              "一度ログアウトしてから再度ログインしてください。", "ネットワークの設定でプロキシを無効にしてみてください。"]
EN_SUBJECTS = ["sync", "backup", "calendar", "invoice", "printer", "dashboard", "login", "password", "export",
               "import", "notification", "webhook", "API key", "plugin", "license", "dark mode", "search",
               "shared folder", "two-factor authentication", "mobile app", "desktop app", "CSV export"]
EN_PROBLEMS = ["stops after a few minutes", "fails with error E{n}", "does not start", "is very slow",
               "shows the wrong timezone", "loses accents", "keeps resetting", "crashes on startup",
               "never arrives", "duplicates every entry", "cannot be saved", "returns a 500 error"]
EN_CONTEXT = ["on Windows 11", "on macOS Sonoma", "after the last update", "behind a corporate proxy",
              "with Python 3.11", "in Chrome", "on Android", "for admin users", "since yesterday"]
CODE = ["Traceback (most recent call last):\n  File \"sync.py\", line {n}, in run\nKeyError: 'token'",
        "System.IO.IOException: The process cannot access the file",
        "os.path.join(base, name) returned None", "ImportError: cannot import name 'Client'",
        "ERROR 1045 (28000): Access denied for user", "npm ERR! code ERESOLVE",
        "C# client throws HttpRequestException", "C++ SDK: undefined reference to `kotae::Client::sync()`"]


def dump_threads() -> list[dict]:
    """Questions with their answers from every Stack Exchange dump found (Posts.xml, via iterparse)."""
    threads = []
    for posts_xml in sorted(DATASETS.glob("*.stackexchange.com/Posts.xml")):
        questions, answers = {}, []
        for _, row in ET.iterparse(posts_xml):
            if row.tag != "row":
                continue
            kind = row.get("PostTypeId")
            if kind == "1":
                questions[row.get("Id")] = {
                    "title": row.get("Title") or "", "body_html": row.get("Body") or "", "answers": [],
                    "tags": re.findall(r"[<|]([^<>|]+)", row.get("Tags") or ""), "score": int(row.get("Score") or 0),
                    "accepted": row.get("AcceptedAnswerId"), "comments": [], "site": posts_xml.parent.name,
                }
            elif kind == "2":
                answers.append((row.get("ParentId"), row.get("Id"), row.get("Body") or "", int(row.get("Score") or 0)))
            row.clear()
        for parent, answer_id, body, score in answers:
            if parent in questions:
                questions[parent]["answers"].append({"body_html": body, "score": score,
                                                     "accepted": questions[parent]["accepted"] == answer_id})
        threads.extend(questions.values())
    return threads


def faq_sentences() -> tuple[list[str], list[str]]:
    """English and Japanese sentences from the Python FAQ translation (real text, PSF licence)."""
    english, japanese = [], []
    for po in sorted((DATASETS / "python-docs-ja-faq").glob("*.po")):
        text = po.read_text(encoding="utf-8")
        for msgid, msgstr in re.findall(r'msgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)', text):
            source = "".join(re.findall(r'"(.*)"', msgid)).replace('\\"', '"')
            target = "".join(re.findall(r'"(.*)"', msgstr)).replace('\\"', '"')
            english += [s.strip() + "." for s in source.split(". ") if len(s.split()) >= 5]
            japanese += [s.strip() + "。" for s in target.split("。") if len(s.strip()) >= 8]
    return english, japanese


class Generator:
    def __init__(self, seed: int, dump_english: list[str]):
        self.random = random.Random(seed)
        faq_en, self.faq_ja = faq_sentences()
        self.english = dump_english + faq_en

    def japanese_thread(self, n: int, mixed: bool) -> dict:
        r = self.random
        subject, problem = r.choice(JA_SUBJECTS), r.choice(JA_PROBLEMS)
        title = f"{r.choice(JA_CONTEXT)}{subject}に{problem}"
        sentences = [f"{r.choice(JA_CONTEXT)}{subject}が{problem.replace('ない', 'ません')}。"]
        sentences += r.sample(self.faq_ja, 3) if self.faq_ja else []
        sentences.append(r.choice(JA_TAILS))
        body = "<p>" + "".join(sentences) + "</p>"
        if mixed:
            body += f"<pre><code>{html.escape(r.choice(CODE).format(n=n))}</code></pre>"
        answers = [{"body_html": "<p>" + r.choice(JA_ANSWERS).format(s=subject) + "".join(r.sample(self.faq_ja, 2))
                    + "</p>", "score": r.randint(-1, 8), "accepted": False} for _ in range(r.choice((0, 1, 1, 2, 3)))]
        comments = [r.choice(["同じ症状です。", "バージョンはいくつですか？", "解決しました、ありがとうございます！"])
                    for _ in range(r.choice((0, 0, 1, 2)))]
        return self._thread(title, body, answers, comments, [subject.lower()[:20], "日本語", r.choice(["windows", "mac"])])

    def english_thread(self, n: int) -> dict:
        r = self.random
        subject = r.choice(EN_SUBJECTS)
        title = f"{subject.capitalize()} {r.choice(EN_PROBLEMS).format(n=n % 5000)} {r.choice(EN_CONTEXT)}"
        body = "<p>" + " ".join(r.sample(self.english, 4)) + "</p>"
        if r.random() < 0.3:
            body += f"<pre><code>{html.escape(r.choice(CODE).format(n=n))}</code></pre>"
        answers = [{"body_html": "<p>" + " ".join(r.sample(self.english, 3)) + "</p>", "score": r.randint(-1, 12),
                    "accepted": False} for _ in range(r.choice((0, 1, 1, 2, 3, 4)))]
        comments = [" ".join(r.sample(self.english, 1)) for _ in range(r.choice((0, 1, 2)))]
        return self._thread(title, body, answers, comments, [subject.split()[0].lower(), r.choice(EN_CONTEXT).split()[-1].lower()])

    def _thread(self, title, body, answers, comments, tags) -> dict:
        if answers and self.random.random() < 0.4:
            self.random.choice(answers)["accepted"] = True
        return {"title": title[:150], "body_html": body, "answers": answers, "comments": comments,
                "tags": tags, "score": self.random.randint(-2, 25)}


# -- loading the database ---------------------------------------------------------------------------------------

def load(threads: list[dict], users: int = 500) -> None:
    """Plain inserts (the importer will do this properly): users, tags, posts, comments, question tags."""
    now = datetime(2026, 11, 1)
    db.session.execute(insert(User), [
        {"id": i, "username": f"bench{i}", "username_key": f"bench{i}", "email": f"bench{i}@example.com",
         "password_hash": "x", "created_at": now} for i in range(1, users + 1)])
    tag_ids: dict[str, int] = {}
    post_id, comment_id = 0, 0
    rows, answer_rows, comment_rows, tag_rows, accepted = [], [], [], [], []
    rng = random.Random(7)
    for n, thread in enumerate(threads):
        post_id += 1
        qid, created = post_id, now - timedelta(minutes=len(threads) - n)
        accepted_id = None
        for answer in thread["answers"]:
            post_id += 1
            answer_rows.append(_post(post_id, "answer", qid, rng.randint(1, users), None, answer["body_html"],
                                     answer["score"], created + timedelta(hours=1), 0))
            accepted_id = post_id if answer["accepted"] else accepted_id
            for body in thread["comments"][:1]:
                comment_id += 1
                comment_rows.append(_comment(comment_id, post_id, rng.randint(1, users), body, created))
        rows.append(_post(qid, "question", None, rng.randint(1, users), thread["title"], thread["body_html"],
                          thread["score"], created, len(thread["answers"])))
        if accepted_id:
            accepted.append({"qid": qid, "aid": accepted_id})
        for body in thread["comments"][1:]:
            comment_id += 1
            comment_rows.append(_comment(comment_id, qid, rng.randint(1, users), body, created))
        for name in dict.fromkeys(t[:35] for t in thread["tags"] if t):
            tag_rows.append({"question_id": qid, "tag_id": tag_ids.setdefault(name, len(tag_ids) + 1)})
    db.session.execute(insert(Tag), [{"id": i, "name": name, "created_at": now} for name, i in tag_ids.items()])
    connection = db.session.connection()
    for table, batch in ((Post.__table__, rows), (Post.__table__, answer_rows), (Comment.__table__, comment_rows),
                         (question_tags, tag_rows)):
        for start in range(0, len(batch), 5000):
            connection.execute(insert(table), batch[start:start + 5000])
    posts = Post.__table__
    if accepted:
        connection.execute(update(posts).where(posts.c.id == bindparam("qid"))
                           .values(accepted_answer_id=bindparam("aid")), accepted)
    db.session.commit()
    # Planner statistics, as a long-running database has them (`PRAGMA optimize`): without them SQLite reads
    # `id IN (...) AND post_type = 'question'` through ix_posts_type_* and fetching 20 results costs 12 ms.
    db.session.connection().exec_driver_sql("ANALYZE")
    db.session.commit()


def _post(pid, kind, question_id, author, title, body_html, score, created, answers) -> dict:
    return {"id": pid, "post_type": kind, "question_id": question_id, "author_id": author, "title": title,
            "body_md": "", "body_html": body_html, "excerpt": html_to_text(body_html)[:200] if title else "",
            "score": score, "answer_count": answers, "created_at": created, "last_activity_at": created,
            "accepted_answer_id": None, "view_count": 0, "comment_count": 0}


def _comment(cid, post_id, author, body, created) -> dict:
    return {"id": cid, "post_id": post_id, "author_id": author, "body": body[:600],
            "body_html": html.escape(body[:600]), "created_at": created}


# -- queries ----------------------------------------------------------------------------------------------------

def queries(dump: list[dict], seed: int = 11) -> list[tuple[str, str]]:
    r = random.Random(seed)
    english = [("en", w) for w in ["python import error", "passwords", "reset password", "sync stops", "KeyError",
                                   "os.path.join", "C#", "C++ undefined reference", "timezone calendar",
                                   "printer offline", '"access denied"', "invoice -calendar", "[sync] windows",
                                   "export csv accents", "webhook 500 error", "dark mode", "backup proxy",
                                   "score:3 login", "answers:0 plugin", "hasaccepted:yes sync"]]
    for _ in range(60):
        words = re.findall(r"[A-Za-z]{5,}", r.choice(dump)["title"]) if dump else []
        english.append(("en", " ".join(r.sample(words, min(2, len(words)))) if words else r.choice(EN_SUBJECTS)))
    english += [("en", f"{r.choice(EN_SUBJECTS)} {r.choice(['error', 'slow', 'crash', 'update'])}") for _ in range(20)]
    japanese = [("ja", w) for w in ["ログインできない", "ログイン できない", "パスワード 再設定", "パスワード再設定",
                                    "同期が止まる", "メール 届かない", "文字化け", "サーバー 接続", "ユーザ", "京都",
                                    "起動しない", "二段階認証", "通知 表示されない", "請求書 エクスポート"]]
    japanese += [("ja", f"{r.choice(JA_SUBJECTS)} {r.choice(JA_PROBLEMS)}") for _ in range(66)]
    mixed = [("mixed", w) for w in ["docker 起動しない", "python エラー", "Windows 11 ログインできない", "KeyError 同期",
                                    "API キー 変更できない", "VPN 遅い", "iPhone 通知", "csv 文字化け"]]
    mixed += [("mixed", f"{r.choice(EN_SUBJECTS)} {r.choice(JA_PROBLEMS)}") for _ in range(22)]
    return english + japanese + mixed + sentences(dump, r)


def sentences(dump: list[dict], r: random.Random) -> list[tuple[str, str]]:
    """Questions typed as sentences, matched on any of their words (the slowest kind of query): support-style
    sentences in both languages, and question sentences from the dumps' bodies."""
    found = [("sentence-ja", f"{r.choice(JA_CONTEXT)}{r.choice(JA_SUBJECTS)}が{r.choice(JA_PROBLEMS)}のはなぜですか")
             for _ in range(20)]
    found += [("sentence-ja", f"{r.choice(JA_SUBJECTS)}を{r.choice(['設定', '変更', '削除', '共有'])}する方法を教えてください")
              for _ in range(10)]
    found += [("sentence-en", f"why does the {r.choice(EN_SUBJECTS)} {r.choice(EN_PROBLEMS).format(n=r.randint(1, 99))} "
                              f"{r.choice(EN_CONTEXT)}?") for _ in range(15)]
    asked = [s.strip() for t in dump for s in re.findall(r"[^.?!\n]+\?", html_to_text(t["body_html"]))
             if 6 <= len(s.split()) <= 30]
    found += [("sentence-en", s) for s in r.sample(asked, min(15, len(asked)))]
    return found


def run_similar(app, samples: int = 100) -> dict:
    """Similar titles (the ask page, per keystroke pause) and related threads (question page, uncached)."""
    service = app.extensions["kotae_search"]
    rng = random.Random(5)
    top = db.session.scalar(select(func.max(Question.id)))
    ids = rng.sample(range(1, top + 1), min(top, samples * 4))
    questions = db.session.scalars(select(Question).where(Question.id.in_(ids))).all()[:samples]
    timings: dict[str, list] = {"similar": [], "related": []}
    for question in questions:
        started = time.perf_counter()
        searching.similar(service.backend, question.title)
        middle = time.perf_counter()
        searching.uncached_related(service.backend, question, 5)
        timings["similar"].append(middle - started)
        timings["related"].append(time.perf_counter() - middle)
    db.session.remove()
    return {name: percentiles(values) for name, values in timings.items()}


def percentiles(values: list[float]) -> dict:
    ordered = sorted(values)
    pick = lambda p: ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]  # noqa: E731
    return {"p50_ms": round(statistics.median(ordered) * 1000, 1), "p95_ms": round(pick(0.95) * 1000, 1),
            "max_ms": round(ordered[-1] * 1000, 1)}


def run_queries(app, query_list) -> dict:
    service = app.extensions["kotae_search"]
    timings: dict[str, list] = {"index": [], "page": []}
    by_language: dict[str, list] = {}
    zero = 0
    for warm in (False, True):
        for language, text in query_list:
            started = time.perf_counter()
            service.backend.search(parse(text), "relevance", 20)  # the top 21, the count, the ids of 20
            middle = time.perf_counter()
            with app.test_request_context("/search"):
                outcome = search_questions(text, per_page=20)
            ended = time.perf_counter()
            db.session.remove()
            if warm:
                timings["index"].append(middle - started)
                timings["page"].append(ended - middle)
                by_language.setdefault(language, []).append(ended - middle)
                zero += outcome.total == 0
    return {"queries": len(query_list), "zero_hit_queries": zero,
            "index": percentiles(timings["index"]), "page": percentiles(timings["page"]),
            "page_by_language": {k: percentiles(v) for k, v in by_language.items()}}


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


def queries_only(workdir: Path, database_url: str | None = None) -> None:
    app = bench_app(workdir, database_url)
    with app.app_context():
        index = app.extensions["kotae_search"].backend.index
        latency = run_queries(app, queries(dump_threads()))
        latency["similar_and_related"] = run_similar(app)
        latency["threads"], latency["index_mib"] = index.doc_count(), round(index.size_bytes() / 2**20, 1)
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
    args = parser.parse_args()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="kotae-search-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    from pages import database_for  # the same throw-away databases as the page benchmark

    with database_for(args.database_url, workdir) as database_url:
        return run(args, workdir, database_url)


def run(args, workdir: Path, database_url: str) -> None:
    on_sqlite = database_url.startswith("sqlite")
    if args.queries_only:
        return queries_only(workdir, database_url)
    imported = import_rate(workdir) if on_sqlite else None
    if args.import_only:
        return print(json.dumps(imported, indent=2))
    for stale in ("bench.db", "bench.db-wal", "bench.db-shm"):
        (workdir / stale).unlink(missing_ok=True)
    app = bench_app(workdir, database_url)
    with app.app_context():
        flask_migrate.upgrade()
        started = time.perf_counter()
        dump = dump_threads()[: args.threads]
        generator = Generator(args.seed, [s for t in dump for s in html_to_text(t["body_html"]).split(". ")
                                          if len(s.split()) >= 6][:50_000])
        threads = list(dump)
        n = len(threads)
        while len(threads) < args.threads:
            kind = n % 5
            threads.append(generator.english_thread(n) if kind < 2 else generator.japanese_thread(n, mixed=kind == 4))
            n += 1
        random.Random(args.seed).shuffle(threads)
        generated = time.perf_counter()
        load(threads)
        loaded = time.perf_counter()
        report = search.reindex_all(procs=args.procs)
        size = app.extensions["kotae_search"].backend.index.size_bytes()
        print(f"reindex: {report.threads} threads in {report.seconds:.1f}s = {report.rate:.0f} threads/s "
              f"({report.procs} processes); index {size / 2**20:.1f} MiB", flush=True)
        query_list = queries(dump)
        latency = run_queries(app, query_list)
        latency["similar_and_related"] = run_similar(app)
    result = {
        "when": datetime.now().isoformat(timespec="seconds"), "machine": f"{platform.platform()}, {os.cpu_count()} cores",
        "load_average": os.getloadavg(), "threads": len(threads), "dump_threads": len(dump),
        "answers": sum(len(t["answers"]) for t in threads), "comments": sum(len(t["comments"]) for t in threads),
        "generate_s": round(generated - started, 1), "db_load_s": round(loaded - generated, 1),
        "db_load_threads_per_s": round(len(threads) / (loaded - generated)),
        "database": "sqlite" if on_sqlite else "postgresql", "import": imported,
        "reindex": {"seconds": round(report.seconds, 1), "threads_per_s": round(report.rate), "procs": report.procs},
        "index_mib": round(size / 2**20, 1), "latency": latency, "targets": TARGETS,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
