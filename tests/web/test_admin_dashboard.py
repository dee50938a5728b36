"""/admin: the support dashboard through HTTP, its CSVs, its charts, and who may see it."""
import csv
import html
import io
import re
import xml.etree.ElementTree as ET

import pytest

from forum.extensions import db
from forum.models import Role, Tag
from forum.services import site_settings
from tests.factories import make_question, make_user
from tests.helpers import counted_statements, login, text
from tests.services.test_dashboard import community  # noqa: F401  (the hand-made community fixture)

PERIOD_ARGS = "start=2026-03-01&end=2026-03-14"
CSV_NAMES = ("questions_per_day", "response", "unanswered", "contributors", "tags")


@pytest.fixture
def staff_client(client):
    """An admin, with the support team on UTC so the hand-made community's days are the ones written there."""
    admin = make_user(username="hikari", role=Role.ADMIN)
    site_settings.save_support_hours(admin, "UTC", (0, 1, 2, 3, 4), "09:00", "18:00")
    db.session.commit()
    login(client, admin)
    return client


def card(page: str, card_id: str) -> str:
    match = re.search(rf'<div class="stat-card" id="{card_id}">(.*?)</div>', page, re.DOTALL)
    assert match, card_id
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", match.group(1)))).strip()


def read_csv(response) -> list[list[str]]:
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")  # the BOM, so Excel reads UTF-8
    return list(csv.reader(io.StringIO(body[1:])))


def table_after(page: str, heading: str) -> list[list[str]]:
    """The cells of the first table after a heading, as text."""
    section = page[page.index(heading):]
    table = section[section.index("<tbody>"):section.index("</tbody>")]
    return [[html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
             for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)]
            for row in re.findall(r"<tr>(.*?)</tr>", table, re.DOTALL)]


# --- who may see it -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/admin", "/admin/"] + [f"/admin/dashboard/{name}.csv" for name in CSV_NAMES])
def test_members_and_visitors_are_refused(client, url):
    assert client.get(url).status_code == 403
    login(client, make_user())
    response = client.get(url)
    assert response.status_code == 403
    assert "Support dashboard" not in text(response)


def test_members_get_no_admin_link(client):
    login(client, make_user())
    assert 'href="/admin/"' not in text(client.get("/questions"))


def test_staff_get_an_admin_link(staff_client):
    page = text(staff_client.get("/questions"))
    assert 'href="/admin/"' in page and ">Admin<" in page


# --- the figures --------------------------------------------------------------------------------------------

def test_dashboard_shows_the_known_figures(staff_client, community):  # noqa: F811
    page = text(staff_client.get(f"/admin?{PERIOD_ARGS}"))
    assert card(page, "card-within-24h").startswith("50% Answered within 24 hours 2 of 4")
    assert card(page, "card-median").startswith("3 hours Median time to first answer 1 question not answered")
    assert card(page, "card-accepted").startswith("25% With an accepted answer 1 of 4")
    assert card(page, "card-self-resolution").startswith("50% Self-resolution rate 2 of 4")
    assert card(page, "card-helpfulness").startswith("75%")
    assert table_after(page, "Top contributors")[:2] == [["bea", "+25", "2"], ["cho", "+10", "1"]]
    assert table_after(page, "Tags on the rise") == [["sync", "3", "0", "+3"], ["windows", "1", "0", "+1"]]
    queue = table_after(page, "Unanswered queue")
    assert [row[0] for row in queue] == [community["waiting_before"].title, community["q4"].title]
    assert all(re.fullmatch(r"\d+ (days|months)", row[2]) for row in queue), queue  # how long each has waited
    assert 'href="/questions?tab=unanswered"' in page


def test_every_csv_holds_the_figures_on_the_page(staff_client, community):  # noqa: F811
    page = text(staff_client.get(f"/admin?{PERIOD_ARGS}"))
    for name in CSV_NAMES:
        assert f"/admin/dashboard/{name}.csv?start=2026-03-01&amp;end=2026-03-14" in page
    responses = {name: staff_client.get(f"/admin/dashboard/{name}.csv?{PERIOD_ARGS}") for name in CSV_NAMES}
    for name, response in responses.items():
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert response.headers["Content-Disposition"] == (
            f'attachment; filename="{name}_2026-03-01_2026-03-14.csv"')

    per_day = read_csv(responses["questions_per_day"])
    assert per_day[0] == ["date", "questions"]
    assert per_day[1:] == table_after(page, "Questions per day")
    assert len(per_day) == 15 and ["2026-03-02", "2"] in per_day

    response = read_csv(responses["response"])
    total = dict(zip(response[0], response[-1]))
    assert total["week"] == "total"
    assert (total["questions"], total["answered_within_24h"], total["share_answered_within_24h"]) == ("4", "2", "0.5")
    assert (total["accepted"], total["share_accepted"], total["median_hours_to_first_answer"]) == ("1", "0.25", "3.0")
    assert [row[0] for row in response[1:-1]] == ["2026-02-23", "2026-03-02", "2026-03-09"]

    assert read_csv(responses["tags"])[1:] == [["sync", "3", "0", "3"], ["windows", "1", "0", "1"]]
    assert read_csv(responses["contributors"])[1:3] == [
        [str(community["bea"].id), "bea", "25", "2"], [str(community["cho"].id), "cho", "10", "1"]]
    unanswered = read_csv(responses["unanswered"])
    assert [row[1] for row in unanswered[1:]] == [row[0] for row in table_after(page, "Unanswered queue")]


def test_charts_are_well_formed_svg(staff_client, community):  # noqa: F811
    page = text(staff_client.get(f"/admin?{PERIOD_ARGS}"))
    svgs = re.findall(r"<svg .*?</svg>", page, re.DOTALL)
    assert len(svgs) == 2
    bars = ET.fromstring(svgs[0])
    assert bars.get("role") == "img" and bars.get("aria-label") == "Questions per day"
    assert len(bars.findall("{http://www.w3.org/2000/svg}rect")) == 14
    line = ET.fromstring(svgs[1])
    assert line.find("{http://www.w3.org/2000/svg}title").text == "Share answered within 24 hours, per week"
    assert ' style="' not in page  # the CSP forbids inline styles


def test_tag_names_are_escaped_everywhere(staff_client):
    question = make_question(commit=False)
    question.tags.append(Tag(name="<script>x</script>"))
    db.session.commit()
    page = text(staff_client.get("/admin?days=7"))
    assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    rows = read_csv(staff_client.get("/admin/dashboard/tags.csv?days=7"))
    assert ["<script>x</script>", "1", "0", "1"] in rows


def test_default_period_is_the_last_30_days(staff_client):
    make_question()
    page = text(staff_client.get("/admin"))
    assert 'aria-current="page">30 days<' in page
    assert card(page, "card-within-24h").startswith("—")  # the only question is too recent to tell
    assert "1 still inside its first 24 hours" in card(page, "card-within-24h")


@pytest.mark.parametrize("query, message", [
    ("start=2026-02-30&end=2026-03-01", "2026-02-30"),
    ("start=2026-03-02&end=2026-03-01", "must not be after"),
    ("days=12", "7, 30, 90 or 365"),
])
def test_bad_periods_answer_400_with_a_message(staff_client, query, message):
    for url in (f"/admin?{query}", f"/admin/dashboard/response.csv?{query}"):
        response = staff_client.get(url)
        assert response.status_code == 400
        assert message in html.unescape(text(response))


def test_unknown_csv_is_404(staff_client):
    assert staff_client.get("/admin/dashboard/passwords.csv").status_code == 404


def test_dashboard_queries_do_not_grow_with_questions(staff_client):
    def queries() -> int:
        staff_client.get("/admin?days=7")
        with counted_statements() as statements:
            assert staff_client.get("/admin?days=7").status_code == 200
        return len(statements)

    for _ in range(3):
        make_question(commit=False)
    db.session.commit()
    few = queries()
    for n in range(27):
        make_question(author=make_user(commit=False), tags=f"tag{n % 5} sync", commit=False)
    db.session.commit()
    assert queries() == few <= 12


def test_days_follow_the_support_teams_time_zone(client):
    """Tokyo's Tuesday starts at 15:00 UTC on Monday: a question asked then counts on Tuesday."""
    admin = make_user(role=Role.ADMIN)
    site_settings.save_support_hours(admin, "Asia/Tokyo", (0, 1, 2, 3, 4), "09:00", "18:00")
    question = make_question()
    question.created_at = question.created_at.replace(2026, 3, 2, 16, 30, 0, 0)  # Tue 01:30 in Tokyo
    db.session.commit()
    login(client, admin)
    page = text(client.get("/admin?start=2026-03-02&end=2026-03-03"))
    assert "Asia/Tokyo" in page
    assert table_after(page, "Questions per day")[:2] == [["2026-03-02", "0"], ["2026-03-03", "1"]]
