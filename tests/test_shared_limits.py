"""Rate limits hold across four gunicorn workers: the counters are shared (in the database's store by default, or in
Redis), so the limit bites at the configured count however the requests are spread over the workers."""
import http.cookiejar
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.factories import PASSWORD, make_user
from tests.servers import free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 4
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def serve(database_url: str, index_dir: Path, settings: dict) -> tuple[subprocess.Popen, str]:
    port = free_port()
    # The test app's own page cache (tests/databases.py), not the checkout's instance folder, which would serve
    # pages another test session stored.
    env = dict(os.environ, FORUM_ENV="test", FORUM_SQLALCHEMY_DATABASE_URI=database_url,
               FORUM_SEARCH_INDEX_DIR=str(index_dir), FORUM_RATELIMIT_ENABLED="true",
               FORUM_PAGE_CACHE_DIR=str(Path(index_dir).parent / "page-cache"),
               **{f"FORUM_{key}": value for key, value in settings.items()})
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_for_port(port, process)
    return process, f"http://127.0.0.1:{port}"


@pytest.fixture
def gunicorn(database_url, index_dir, app):
    """Start the app under gunicorn with some settings; every server started is stopped afterwards."""
    started = []

    def start(**settings) -> str:
        process, url = serve(database_url, index_dir, settings)
        started.append(process)
        return url

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=20)


class Browser:
    """A visitor with its own cookies, speaking HTTP to the server like a browser does."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  NoRedirects())

    def submit(self, page: str, fields: dict) -> int:
        html = self.opener.open(self.base + page, timeout=30).read().decode()
        data = dict(fields, csrf_token=TOKEN.search(html).group(1))
        try:
            return self.opener.open(self.base + page, urllib.parse.urlencode(data).encode(), timeout=30).status
        except urllib.error.HTTPError as error:
            return error.code


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def statuses(codes) -> dict:
    return {code: list(codes).count(code) for code in sorted(set(codes))}


STORES = ["database", "redis"]


def store_settings(store: str, request) -> dict:
    if store == "redis":
        return {"RATELIMIT_STORAGE_URI": request.getfixturevalue("redis_url")}
    return {}  # the default: the shared store beside the forum's database


@pytest.mark.parametrize("store", STORES)
def test_wrong_passwords_from_one_address_get_the_configured_number_of_checks(gunicorn, store, request):
    username = make_user().username
    base = gunicorn(LOGIN_RATE_LIMIT="10 per minute", **store_settings(store, request))

    def attempt(n):  # a different name each time, so only the per-address limit applies (the per-account limit
        # on one address is 5: had some of these named the real user, whichever came sixth would be refused by it)
        login = f"someone{n}"
        return Browser(base).submit("/login", {"login": login, "password": "wrong password"})

    with ThreadPoolExecutor(max_workers=8) as pool:  # several at once, so every worker takes some
        codes = list(pool.map(attempt, range(60)))
    assert statuses(codes) == {400: 10, 429: 50}
    assert Browser(base).submit("/login", {"login": username, "password": PASSWORD}) == 429


@pytest.mark.parametrize("store", STORES)
def test_wrong_passwords_against_one_account_stop_at_the_account_limit(gunicorn, store, request):
    username = make_user().username
    base = gunicorn(LOGIN_RATE_LIMIT="100 per minute", LOGIN_ACCOUNT_ADDRESS_RATE_LIMIT="5 per 5 minutes",
                    **store_settings(store, request))

    def attempt(_):
        return Browser(base).submit("/login", {"login": username, "password": "wrong password"})

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(attempt, range(20)))
    assert statuses(codes) == {400: 5, 429: 15}


@pytest.mark.parametrize("store", STORES)
def test_registrations_from_one_address_stop_at_the_limit(gunicorn, store, request):
    base = gunicorn(REGISTER_RATE_LIMIT="5 per hour", **store_settings(store, request))

    def register(n):
        return Browser(base).submit("/register", {"username": f"newcomer{n}", "email": f"newcomer{n}@example.com",
                                                  "password": PASSWORD, "confirm": PASSWORD})

    with ThreadPoolExecutor(max_workers=4) as pool:
        codes = list(pool.map(register, range(12)))
    assert statuses(codes) == {302: 5, 429: 7}
