"""Ids and page numbers too large for the database are a 404, on every route, never a 500."""
from urllib.parse import urlencode

import pytest
from werkzeug.routing import IntegerConverter

from forum.models import Role
from forum.routing import MAX_ID
from tests.factories import make_user
from tests.helpers import login

TOO_BIG = 2**63  # 9223372036854775808, the id of the attack run
HUGE_PAGE = "99999999999999999999"
MARKER = 424242424242


def _plain_value(converter):
    items = getattr(converter, "items", None)  # `<any(a, b):...>` only builds with one of its words
    return sorted(items)[0] if items else "x"


def routes_with_ids(app):
    """Each rule with an `<int:...>` part, as a URL with 2^63 in every int slot and a plain word elsewhere."""
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        int_args = {name for name, conv in rule._converters.items() if isinstance(conv, IntegerConverter)}
        if not int_args:
            continue
        # Werkzeug refuses to build a URL with an out-of-range id, so build with a marker and swap it in.
        values = {name: MARKER if name in int_args else _plain_value(rule._converters.get(name))
                  for name in rule.arguments}
        url = adapter.build(rule.endpoint, values, method=sorted(rule.methods - {"HEAD", "OPTIONS"})[0])
        yield rule, url.replace(str(MARKER), str(TOO_BIG))


def test_every_route_with_an_id_answers_404_for_an_id_of_2_to_the_63(app, client):
    login(client, make_user(role=Role.ADMIN))
    checked = 0
    for rule, url in routes_with_ids(app):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code == 404, (method, url, response.status_code)
            checked += 1
    assert checked > 40, "the route table should have many id routes"


@pytest.mark.parametrize("too_big", [MAX_ID + 1, 2**63 - 1, 2**64])
def test_ids_just_past_the_column_are_404_too(client, too_big):
    assert client.get(f"/questions/{too_big}").status_code == 404


def test_the_largest_real_id_still_reaches_the_view(client):
    """The largest id passes the converter: the view queries it (no driver overflow) and finds no such question."""
    for url in (f"/questions/{MAX_ID}", f"/users/{MAX_ID}", f"/answers/{MAX_ID}"):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("page", [HUGE_PAGE, str(TOO_BIG), "1000001", "１２"])
def test_page_numbers_past_any_list_are_a_404_on_every_list(app, client, page):
    login(client, make_user(role=Role.ADMIN))
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments or rule.endpoint == "static":
            continue
        url = adapter.build(rule.endpoint, {})
        query = urlencode({"page": page, "pagesize": page, "weeks": page})
        response = client.get(f"{url}{'&' if '?' in url else '?'}{query}")
        assert response.status_code in (200, 302, 400, 401, 404), (url, response.status_code)  # 401: /api/v1/me


@pytest.mark.parametrize("url", ["/questions", "/search?q=sync", "/users", "/tags", "/questions/tagged/sync"])
def test_a_huge_page_number_is_not_found(client, url):
    response = client.get(f"{url}{'&' if '?' in url else '?'}page={HUGE_PAGE}")
    assert response.status_code == 404


def test_an_ordinary_page_number_still_works(client):
    assert client.get("/questions?page=2").status_code == 200
    assert client.get("/questions?page=abc").status_code == 200  # not a number: the first page, as before
