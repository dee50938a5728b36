"""Tag suggestions for the ask form: existing tags by prefix with their counts, and why a new tag is refused."""
import pytest

from forum.extensions import db
from tests.factories import make_question, make_user
from tests.helpers import login

STANDARD = {"PRIVILEGE_PRESET": "standard"}


def test_prefix_match_any_case_most_used_first_at_most_eight(client, factories):
    make_question(tags="sync windows")
    make_question(tags="sync synology")
    make_question(tags="sync")
    for n in range(9):
        make_question(tags=f"syntax{n}")
    found = client.get("/tags/suggest?q=SYN").get_json()["tags"]
    assert found[:2] == [{"name": "sync", "count": 3, "label": "3 questions"},
                         {"name": "synology", "count": 1, "label": "1 question"}]
    assert len(found) == 8 and all(tag["name"].startswith("syn") for tag in found)
    assert [t["name"] for t in client.get("/tags/suggest?q=ＷＩＮ").get_json()["tags"]] == ["windows"]  # full-width
    assert client.get("/tags/suggest?q=").get_json() == {"tags": [], "refusal": None}
    assert client.get("/tags/suggest?q=%25").get_json()["tags"] == []  # LIKE wildcards are literal


@pytest.mark.parametrize("app_config", [STANDARD])
def test_a_member_without_the_reputation_hears_why_a_new_tag_is_refused(client, factories):
    make_question(tags="sync")
    member = make_user()
    member.reputation = 12
    db.session.commit()
    login(client, member)
    refusal = client.get("/tags/suggest?q=brandnew").get_json()["refusal"]
    assert refusal == "Creating a new tag needs 300 reputation; you have 12. Please pick an existing tag."
    assert client.get("/tags/suggest?q=sync").get_json()["refusal"] is None  # it exists
    assert client.get("/tags/suggest?q=syn").get_json()["refusal"] is not None  # not (yet) a whole tag


@pytest.mark.parametrize("app_config", [STANDARD])
def test_no_refusal_at_the_threshold_or_for_visitors(client, factories):
    member = make_user()
    member.reputation = 300
    db.session.commit()
    assert client.get("/tags/suggest?q=brandnew").get_json()["refusal"] is None
    login(client, member)
    assert client.get("/tags/suggest?q=brandnew").get_json()["refusal"] is None
