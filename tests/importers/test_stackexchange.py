"""The Stack Exchange importer on a real dump (conlang meta, imported once for the module) and on a broken one."""
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from forum import create_app, search
from forum.extensions import db
from forum.importers import aftercare, stackexchange
from forum.models import Answer, Comment, ImportSource, PostLink, Question, Reason, ReputationEvent, User, Vote
from forum.services.reputation import audit
from forum.services.community.search import fetch_questions
from tests.conftest import make_config

DUMP = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "conlang.meta.stackexchange.com"
SITE = DUMP.name


def xml_rows(name: str) -> list[dict]:
    return [dict(row.attrib) for row in ET.parse(DUMP / name).getroot().iter("row")]


def count_table(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture(scope="module")
def imported(databases, tmp_path_factory):
    """One app on a database with the conlang dump imported through the CLI command."""
    if not DUMP.is_dir():
        pytest.skip("the conlang.meta.stackexchange.com dump is not in ../shared/datasets")
    workdir = tmp_path_factory.mktemp("conlang")
    url = databases.create(workdir)
    app = create_app(make_config(url, workdir / "search-index", PRIVILEGE_PRESET="small"))
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["import", "stackexchange", str(DUMP)])
        assert result.exit_code == 0, result.output
        yield app, result.output
        db.session.remove()
        db.engine.dispose()
    databases.drop(url)


def test_counts_match_the_dump(imported):
    posts = Counter(row.get("PostTypeId") for row in xml_rows("Posts.xml"))
    assert count_table(Question) == posts["1"] == 54
    assert count_table(Answer) == posts["2"] == 115
    assert db.session.scalar(select(func.count(User.id)).where(User.origin_site == SITE)) >= len(xml_rows("Users.xml"))
    assert db.session.scalar(select(func.count()).where(
        ImportSource.source == SITE, ImportSource.kind == "user", ImportSource.external_id != "ghost")) \
        == len(xml_rows("Users.xml"))
    assert count_table(Comment) == len(xml_rows("Comments.xml"))
    assert count_table(Vote) == 0  # votes are anonymous in the dump: only scores and ledger events


def test_accepted_answers_scores_dates_and_tags(imported):
    assert db.session.scalar(select(func.count(Question.id)).where(Question.accepted_answer_id.is_not(None))) == 11
    row = next(row for row in xml_rows("Posts.xml") if row["Id"] == "3")
    question = db.session.scalar(select(Question).where(Question.origin_url == f"https://{SITE}/q/3"))
    assert question.title == 'Is the icon for this site supposed to be "art"?'
    assert question.score == int(row["Score"]) and question.view_count == int(row["ViewCount"])
    assert question.created_at.isoformat().startswith("2018-02-06T20:26:23")
    assert [tag.name for tag in question.tags] == ["support"]
    assert question.answer_count == int(row["AnswerCount"])
    assert question.accepted_answer_id is not None
    assert question.language == "en"  # detected on import, as when asking
    assert db.session.scalar(select(func.count(Question.id)).where(Question.language.is_(None))) == 0


def test_a_duplicate_link_is_stored_when_the_dump_has_one(imported):
    duplicates = [row for row in xml_rows("PostLinks.xml") if row["LinkTypeId"] == "3"]
    stored = db.session.scalar(select(func.count(PostLink.id)).where(PostLink.link_type == PostLink.DUPLICATE))
    assert (stored > 0) == bool(duplicates)


def test_imported_reputation_has_no_drift(imported):
    app, output = imported
    assert "no drift" in output
    assert db.session.scalar(select(func.count(ReputationEvent.id)).where(ReputationEvent.reason == Reason.IMPORTED))
    assert audit.find_drift(app.config["REPUTATION"]) == []
    result = app.test_cli_runner().invoke(args=["reputation", "recompute", "--check"])
    assert result.exit_code == 0 and "No drift" in result.output


def test_the_question_page_shows_the_attribution(imported):
    app, _ = imported
    question = db.session.scalar(select(Question).where(Question.origin_url == f"https://{SITE}/q/3"))
    page = app.test_client().get(f"/questions/{question.id}", follow_redirects=True).get_data(as_text=True)
    assert f"Imported from {SITE}" in page
    assert f'href="https://{SITE}/q/3"' in page
    assert f'href="https://{SITE}/a/' in page  # the answers carry their own line
    assert f'href="https://{SITE}/users/' in page
    assert "https://creativecommons.org/licenses/by-sa/" in page


@pytest.mark.parametrize("words, title", [
    ("Esperanto on-topic", "Is Esperanto on-topic here?"),
    ("main site chatroom called", "What should our main site chatroom be called?"),
    ("icon art", 'Is the icon for this site supposed to be "art"?'),
    ("language symbols generators", "Language symbols generators list"),
    ("Mand'oa relex", "Is Mand'oa, essentially a relex, on topic here?"),
])
def test_searching_a_titles_words_finds_that_question_first(imported, words, title):
    expected = db.session.scalar(select(Question.id).where(Question.title == title))
    results = search.search(words, fetch=fetch_questions, per_page=5).items
    assert results and results[0].id == expected


def test_running_the_import_again_creates_nothing(imported):
    app, _ = imported
    before = {model: count_table(model) for model in (User, Question, Answer, Comment, PostLink, ReputationEvent)}
    report, after = aftercare.import_and_finish(DUMP, rules=app.config["REPUTATION"])
    assert report.posts == 0 and report.counts.get("users", 0) == 0 and report.counts.get("comments", 0) == 0
    assert report.counts["already imported"] > 0
    assert {model: count_table(model) for model in before} == before
    assert after.drifted == 0 and after.badges == 0


# -- a tiny hand-made dump with broken rows ---------------------------------------------------------------------

BOM = "\ufeff"


def write_dump(folder: Path, files: dict[str, list[str]]) -> Path:
    folder.mkdir()
    for name, rows in files.items():
        root = name.removesuffix(".xml").lower()
        body = "\n".join(f"  {row}" for row in rows)
        (folder / name).write_text(f'{BOM}<?xml version="1.0" encoding="utf-8"?>\n<{root}>\n{body}\n</{root}>\n',
                                   encoding="utf-8")
    return folder


def test_malformed_rows_are_reported_and_skipped(app, tmp_path):
    body = "&lt;p&gt;My widget stops working &lt;b&gt;every&lt;/b&gt; morning.&lt;/p&gt;&lt;script&gt;x()&lt;/script&gt;"
    folder = write_dump(tmp_path / "tiny.stackexchange.com", {
        "Users.xml": [
            '<row Id="1" CreationDate="2020-01-01T10:00:00.000" DisplayName="Ann Example" AboutMe="&lt;p&gt;hi&lt;/p&gt;" />',
            '<row CreationDate="2020-01-01T10:00:00.000" DisplayName="No Id" />',
            '<row Id="2" CreationDate="yesterday" DisplayName="Bad Date" />',
            '<row Id="3" CreationDate="2020-01-02T10:00:00.000" DisplayName="A" />',
        ],
        "Posts.xml": [
            (f'<row Id="10" PostTypeId="1" CreationDate="2020-02-01T10:00:00.000" Score="2" ViewCount="7" '
             f'Body="{body}" OwnerUserId="1" Title="Widget stops every morning" Tags="&lt;widgets&gt;&lt;bad_tag&gt;" '
             f'AcceptedAnswerId="11" />'),
            ('<row Id="11" PostTypeId="2" ParentId="10" CreationDate="2020-02-02T10:00:00.000" Score="1" '
             'Body="&lt;p&gt;Restart it.&lt;/p&gt;" OwnerUserId="3" />'),
            ('<row Id="12" PostTypeId="2" ParentId="99" CreationDate="2020-02-02T10:00:00.000" Score="0" '
             'Body="&lt;p&gt;Orphan.&lt;/p&gt;" OwnerUserId="3" />'),
            '<row Id="13" PostTypeId="1" CreationDate="2020-13-45" Body="x" Title="Bad date question" />',
            '<row Id="14" PostTypeId="1 CreationDate="2020-02-01T10:00:00.000" Body="x" Title="Broken" />',
            ('<row Id="15" PostTypeId="1" CreationDate="2020-02-03T10:00:00.000" Score="0" '
             'Body="&lt;p&gt;After the broken row.&lt;/p&gt;" Title="Still imported after a broken row" />'),
        ],
        "Comments.xml": [
            '<row Id="100" PostId="10" Score="0" Text="Which OS?" CreationDate="2020-02-01T11:00:00.000" UserId="3" />',
            '<row Id="101" PostId="77" Score="0" Text="On a missing post" CreationDate="2020-02-01T11:00:00.000" />',
        ],
        "Votes.xml": [
            '<row Id="1" PostId="10" VoteTypeId="2" CreationDate="2020-02-01T00:00:00.000" />',
            '<row Id="2" PostId="10" VoteTypeId="2" CreationDate="2020-02-01T00:00:00.000" />',
            '<row Id="3" PostId="11" VoteTypeId="3" CreationDate="2020-02-02T00:00:00.000" />',
        ],
    })
    rules = app.config["REPUTATION"]
    report = stackexchange.import_dump(folder, rules=rules)
    db.session.commit()

    assert report.counts["users"] == 2 and report.counts["questions"] == 2 and report.counts["answers"] == 1
    assert report.counts["comments"] == 1 and report.counts["accepted answers"] == 1
    assert report.problems.counts == {"Users.xml": 2, "Posts.xml": 3, "Comments.xml": 1}
    text = "\n".join(report.problems.examples)
    assert "missing Id" in text and "bad CreationDate" in text and "bad XML" in text
    question = db.session.scalar(select(Question).where(Question.title == "Widget stops every morning"))
    assert "<script>" not in question.body_html and "<b>every</b>" in question.body_html
    assert [tag.name for tag in question.tags] == ["widgets"]
    ann = db.session.get(User, question.author_id)
    assert ann.username == "Ann_Example" and ann.email == "se-tiny.stackexchange.com-1@import.invalid"
    assert ann.origin_url == "https://tiny.stackexchange.com/users/1"
    assert ann.reputation_total == 2 * 10 + 2  # two upvotes, and accepting an answer
    assert db.session.scalar(select(Comment.body).where(Comment.post_id == question.id)) == "Which OS?"
    assert audit.find_drift(rules) == []
