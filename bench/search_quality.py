"""Search quality on questions typed as sentences: recall@1, recall@5 and MRR@10 for queries with a known right thread.

Run from the checkout: `.venv/bin/python bench/search_quality.py [--database-url sqlite|postgresql|URL]
[--backend whoosh|postgresql]` (the PostgreSQL backend needs a PostgreSQL database). It builds a
throw-away database and index from real text in ../shared/datasets (nothing generated), then types every query into
the search page's own service call (`search_questions`, what `/search` runs, minus the template) and looks for the
right thread among the results.

Query sets (each split by a stable hash into a tuning part and a kept-out part, about 30 %, reported apart; tune on
the first, judge on the second):

- `ja-faq`: the Japanese Python FAQ. Each question sentence (「Python で…するにはどうしますか？」) is a query; its
  answer is the thread's body, and the thread is titled with the answer's first sentence, not with the question.
- `en-faq`: the same FAQ in English (the PO files' source text), built the same way.
- `se-sentence`: Stack Exchange threads from every dump. The query is a sentence of the question's body (a
  question sentence when there is one), and that sentence is taken out of the indexed body, so the thread has to be
  found by what the rest of it says, as when a customer describes a problem in their own words.
- `se-duplicate`: "similar questions" while asking. The title of each question a site closed as a duplicate is
  typed as a new question's title; the question it duplicates should be among the five listed under it.
- `se-keyword`, `ja-keyword`: keyword queries (two words of a title; two nouns of a Japanese question), the kind
  of search that worked before sentence ranking, to show it is no worse.
- `ja-paragraph` (run on its own, `--sets ja-paragraph`: its threads repeat the FAQ threads' text): every Japanese
  paragraph of the FAQ that is not a question (424) is a thread of its own, titled with its chapter's name, beside
  the Stack Exchange threads; the queries are 293 natural Japanese questions written for this benchmark, each
  answered by one paragraph, as a reading-comprehension set is written (bench/data/ja-paragraph-questions.jsonl:
  the paragraph's key and the question). Nothing was tuned on them.

Every set's threads are in one index together, so each query also competes with all the other threads. Results
are printed as a table and written to bench/results/search_quality-<backend>.json (git-ignored).
"""
import argparse
import hashlib
import html
import json
import random
import re
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import flask_migrate  # noqa: E402

from forum import search  # noqa: E402
from forum.extensions import db  # noqa: E402
from forum.markup import html_to_text  # noqa: E402
from forum.services.community.search import search_questions, similar_questions  # noqa: E402

DATASETS = ROOT.parent / "shared" / "datasets"
RESULTS = ROOT / "bench" / "results" / "search_quality-{backend}.json"
KEPT_OUT_SHARE = 0.3
SIMILAR_SHOWN = 5  # similar questions the asking page lists (views/questions.py asks for 5)
PARAGRAPH_QUESTIONS = ROOT / "bench" / "data" / "ja-paragraph-questions.jsonl"
_PO_ENTRY = re.compile(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)', re.MULTILINE)
_RST = re.compile(r":\w+:`~?([^`<]*?)(?:\s*<[^>]*>)?`|``([^`]*)``|`([^`<]*?)(?:\s*<[^>]*>)?`_*")


def kept_out(key: str) -> bool:
    """A stable split: the same queries are kept out of tuning on every run and machine."""
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < KEPT_OUT_SHARE


def _po_text(quoted: str) -> str:
    text = "".join(re.findall(r'"(.*)"', quoted)).replace('\\"', '"').replace("\\n", "\n")
    return _RST.sub(lambda m: next(g for g in m.groups() if g is not None), text).strip()


def faq_pairs() -> list[dict]:
    """(question, answer) pairs of the Python FAQ in both languages: a question is a short paragraph ending in '?',
    its answer every paragraph after it up to the next question."""
    pairs = []
    for po in sorted((DATASETS / "python-docs-ja-faq").glob("*.po")):
        current = None
        for msgid, msgstr in _PO_ENTRY.findall(po.read_text(encoding="utf-8")):
            english, japanese = _po_text(msgid), _po_text(msgstr)
            if not english:
                continue
            if english.endswith("?") and len(english) < 200:
                current = {"key": f"{po.stem}:{english}", "en_q": english, "ja_q": japanese, "en": [], "ja": []}
                pairs.append(current)
            elif current is not None:
                current["en"].append(english)
                if japanese:
                    current["ja"].append(japanese)
    return [p for p in pairs if p["ja_q"] and len("".join(p["ja"])) >= 40 and len(" ".join(p["en"])) >= 60]


def paragraph_threads() -> tuple[list[dict], dict]:
    """`ja-paragraph`: each Japanese paragraph that is not a question, a thread titled with its chapter's name
    (the PO file's first entry), keyed by its PO file and English source text; the questions written for them."""
    threads, ids = [], {}
    for po in sorted((DATASETS / "python-docs-ja-faq").glob("*.po")):
        entries = [(_po_text(msgid), _po_text(msgstr))
                   for msgid, msgstr in _PO_ENTRY.findall(po.read_text(encoding="utf-8"))]
        chapter = next((japanese for english, japanese in entries if english and japanese), po.stem)
        for english, japanese in entries:
            if english and len(japanese) >= 60 and not (english.endswith("?") and len(english) < 200):
                threads.append(_thread(chapter, [japanese], tags=["python", "faq-ja"]))
                ids[f"{po.stem}:{hashlib.sha256(english.encode()).hexdigest()[:10]}"] = len(threads)
    questions = [json.loads(line) for line in PARAGRAPH_QUESTIONS.read_text(encoding="utf-8").splitlines() if line]
    return threads, {"ja-paragraph": [(q["key"], q["question"], ids[q["key"]]) for q in questions if q["key"] in ids]}


def _first_sentence(text: str, stop: str) -> str:
    head = text.split(stop)[0].strip()
    return (head[:80] + "…") if len(head) > 80 else head


def _thread(title: str, paragraphs: list[str], answers=(), tags=()) -> dict:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs if p)
    return {"title": title[:150] or "?", "body_html": body, "answers": list(answers), "comments": [],
            "tags": list(tags), "score": 0}


def faq_sets(pairs: list[dict]) -> tuple[list[dict], dict]:
    threads, sets = [], {"ja-faq": [], "en-faq": [], "ja-keyword": []}
    for pair in pairs:
        threads.append(_thread(_first_sentence(pair["ja"][0], "。"), pair["ja"], tags=["python", "faq-ja"]))
        sets["ja-faq"].append((pair["key"], pair["ja_q"], len(threads)))
        words = _japanese_nouns(pair["ja_q"])
        if len(words) >= 2:
            sets["ja-keyword"].append((pair["key"], " ".join(words[:2]), len(threads)))
        threads.append(_thread(_first_sentence(pair["en"][0], ". "), pair["en"], tags=["python", "faq-en"]))
        sets["en-faq"].append((pair["key"], pair["en_q"], len(threads)))
    return threads, sets


def _japanese_nouns(text: str) -> list[str]:
    """The two longest nouns of a sentence, as someone typing keywords would pick them."""
    from sudachipy import Dictionary, SplitMode

    tokenizer = _japanese_nouns.__dict__.setdefault("tokenizer", Dictionary().tokenizer(mode=SplitMode.C))
    nouns = [m.surface() for m in tokenizer.tokenize(text)
             if m.part_of_speech()[0] == "名詞" and m.part_of_speech()[1] != "数詞" and len(m.surface()) >= 2]
    return sorted(dict.fromkeys(nouns), key=len, reverse=True)


_SENTENCE = re.compile(r"[^.?!\n]+[.?!]")


def stack_exchange_sets(first_id: int) -> tuple[list[dict], dict]:
    """Threads from every dump; a sentence of each question body is its query (and is taken out of the body)."""
    threads, sets = [], {"se-sentence": [], "se-keyword": [], "se-duplicate": []}
    for posts_xml in sorted(DATASETS.glob("*.stackexchange.com/Posts.xml")):
        questions, answers, thread_ids = {}, [], {}
        for _, row in ET.iterparse(posts_xml):
            if row.tag == "row" and row.get("PostTypeId") == "1":
                questions[row.get("Id")] = dict(row.attrib, answers=[])
            elif row.tag == "row" and row.get("PostTypeId") == "2":
                answers.append(dict(row.attrib))
            row.clear()
        for answer in answers:
            if answer.get("ParentId") in questions:
                questions[answer["ParentId"]]["answers"].append(answer)
        for question in questions.values():
            key = f"{posts_xml.parent.name}:{question['Id']}"
            paragraphs = [p.strip() for p in html_to_text(question.get("Body") or "").split("\n") if p.strip()]
            sentences = [s.strip() for p in paragraphs for s in _SENTENCE.findall(p) if 6 <= len(s.split()) <= 40]
            asking = [s for s in sentences if s.endswith("?")]
            query = (asking or sentences or [None])[0]
            if query is not None:
                paragraphs = [p.replace(query, " ").strip() for p in paragraphs]
                query = query.strip(" \"'()[]:-")  # as typed: no stray quotes or brackets cut from around it
            answer_list = [{"body_html": a.get("Body") or "", "score": int(a.get("Score") or 0),
                            "accepted": a.get("Id") == question.get("AcceptedAnswerId")} for a in question["answers"]]
            tags = re.findall(r"[<|]([^<>|]+)", question.get("Tags") or "")
            threads.append(_thread(question.get("Title") or "", paragraphs, answer_list, tags))
            thread_id = first_id + len(threads)  # ids are given in order by load(): question, then its answers
            first_id += len(answer_list)
            thread_ids[question["Id"]] = thread_id
            if query is not None and sum(c.isalpha() for c in query) >= 20:
                sets["se-sentence"].append((key, query, thread_id))
            words = [w for w in re.findall(r"[A-Za-z][A-Za-z-]{4,}", question.get("Title") or "")]
            if len(words) >= 2:
                picked = random.Random(key).sample(words, 2)
                sets["se-keyword"].append((key, " ".join(picked), thread_id))
        sets["se-duplicate"] += _duplicates(posts_xml.parent, questions, thread_ids)
    return threads, sets


def _duplicates(site: Path, questions: dict, thread_ids: dict) -> list[tuple]:
    """`se-duplicate`: each question the site closed as a duplicate, its title typed while asking (the query), the
    question it duplicates (the right thread) and its own thread (left out of what is found: it is being asked)."""
    found = []
    for _, row in ET.iterparse(site / "PostLinks.xml"):
        duplicate, original = row.get("PostId"), row.get("RelatedPostId")
        if row.tag == "row" and row.get("LinkTypeId") == "3" and duplicate in thread_ids and original in thread_ids:
            found.append((f"{site.name}:{duplicate}", questions[duplicate].get("Title") or "", thread_ids[original],
                          thread_ids[duplicate]))
        row.clear()
    return found


def measure(app, queries: list[tuple[str, str, int]], ranks_out: list | None = None) -> dict:
    """recall@1, recall@5, MRR@10 (a right thread below 10th counts 0), with the split kept apart."""
    parts = {"tuning": [], "kept-out": []}
    for key, text, right, *asked in queries:
        with app.test_request_context("/search"):
            if asked:  # a title typed while asking: the similar questions shown under it (the asked one left out)
                found = [item["id"] for item in similar_questions(text, limit=SIMILAR_SHOWN + 1) if item["id"] != asked[0]]
                found = found[:SIMILAR_SHOWN]
            else:
                found = [question.id for question in search_questions(text, per_page=10).items]
        db.session.remove()
        rank = found.index(right) + 1 if right in found else None
        parts["kept-out" if kept_out(key) else "tuning"].append(rank)
        if ranks_out is not None:
            ranks_out.append({"key": key, "query": text, "rank": rank})
    return {name: _scores(ranks) for name, ranks in parts.items()}


def _scores(ranks: list) -> dict:
    n = len(ranks) or 1
    return {"queries": len(ranks),
            "recall@1": round(sum(r == 1 for r in ranks) / n, 3),
            "recall@5": round(sum(r is not None and r <= 5 for r in ranks) / n, 3),
            "mrr@10": round(sum(1 / r for r in ranks if r is not None) / n, 3)}


def query_sets(paragraphs: bool = False) -> tuple[list[dict], dict]:
    """Every thread to load, in order, and the query sets {name: [(key, query, right thread id)]}: the FAQ sets'
    threads, or with `paragraphs` the ja-paragraph set's, then the Stack Exchange threads."""
    faq_threads, sets = paragraph_threads() if paragraphs else faq_sets(faq_pairs())
    se_threads, se_sets = stack_exchange_sets(len(faq_threads))  # FAQ threads have no answers: ids 1..n
    sets.update(se_sets)
    return faq_threads + se_threads, sets


def prepare(workdir: Path, database_url: str, reuse: bool = False, backend: str = "whoosh",
            paragraphs: bool = False):
    """The app over a database and index holding every set's threads (built unless `reuse`), and the sets."""
    from search import bench_app, load  # plain inserts, as the latency benchmark loads its threads

    threads, sets = query_sets(paragraphs)
    app = bench_app(workdir, database_url, backend)
    if not reuse:
        with app.app_context():
            flask_migrate.upgrade()
            load(threads)
            started = time.perf_counter()
            search.reindex_all(procs=1)  # one process: the same document order, so ties break the same way
            print(f"{len(threads)} threads indexed in {time.perf_counter() - started:.1f} s", flush=True)
    return app, sets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="sqlite", metavar="URL",
                        help="sqlite (a temp file, default), postgresql (a throw-away cluster) or an empty database's URL")
    parser.add_argument("--backend", default="whoosh", choices=("whoosh", "postgresql"),
                        help="the search backend (postgresql needs a PostgreSQL --database-url)")
    parser.add_argument("--sets", default="ja-faq,en-faq,se-sentence,ja-keyword,se-keyword,se-duplicate")
    parser.add_argument("--ranks", metavar="FILE", help="also write every query's rank here (JSON), to study misses")
    parser.add_argument("--workdir", help="keep the database and index here (default: a temp dir)")
    parser.add_argument("--reuse", action="store_true", help="reuse the database and index in --workdir (tuning)")
    args = parser.parse_args()
    if not (DATASETS / "python-docs-ja-faq").is_dir():
        sys.exit(f"{DATASETS} is missing: the quality benchmark needs the shared datasets")
    names = args.sets.split(",")
    paragraphs = "ja-paragraph" in names
    if paragraphs and len(names) > 1:
        sys.exit("run ja-paragraph on its own (--sets ja-paragraph): its threads repeat the FAQ threads' text")
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="kotae-quality-"))
    workdir.mkdir(parents=True, exist_ok=True)
    from pages import database_for  # the same throw-away databases as the page benchmark

    with database_for(args.database_url, workdir) as database_url:
        app, sets = prepare(workdir, database_url, reuse=args.reuse, backend=args.backend, paragraphs=paragraphs)
        ranks: list = []
        results = {}
        with app.app_context():
            for name in names:
                started = time.perf_counter()
                results[name] = measure(app, sets[name], ranks)
                results[name]["seconds"] = round(time.perf_counter() - started, 1)
    print_table(results)
    output = Path(str(RESULTS).format(backend=args.backend + ("-ja-paragraph" if paragraphs else "")))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps({"when": datetime.now().isoformat(timespec="seconds"),
                                   "database": args.database_url, "backend": args.backend, "results": results}, indent=2, ensure_ascii=False))
    if args.ranks:
        Path(args.ranks).write_text(json.dumps(ranks, indent=1, ensure_ascii=False))


def print_table(results: dict) -> None:
    print(f"\n| set | part | queries | recall@1 | recall@5 | MRR@10 |\n|---|---|---:|---:|---:|---:|")
    for name, parts in results.items():
        for part in ("tuning", "kept-out"):
            s = parts[part]
            print(f"| {name} | {part} | {s['queries']} | {s['recall@1']:.3f} | {s['recall@5']:.3f} | {s['mrr@10']:.3f} |")


if __name__ == "__main__":
    main()
