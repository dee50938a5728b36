"""The search benchmarks' threads and queries: real Stack Exchange threads, generated support threads in Japanese,
English and both, and the mixed query list (see bench/search.py)."""
import html
import random
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import bindparam, insert, update

from forum.extensions import db
from forum.markup import html_to_text
from forum.models import Comment, Post, Tag, User, question_tags
from forum.services.community.language import detect_language

DATASETS = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets"

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
    text = html_to_text(body_html)
    return {"id": pid, "post_type": kind, "question_id": question_id, "author_id": author, "title": title,
            "body_md": "", "body_html": body_html, "excerpt": text[:200] if title else "",
            "score": score, "answer_count": answers, "created_at": created, "last_activity_at": created,
            "accepted_answer_id": None, "view_count": 0, "comment_count": 0,
            "language": detect_language(title, text) if kind == "question" else None}  # as posting does


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
