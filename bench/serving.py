"""Serving the benchmarked app: gunicorn on a free port, plain HTTP with cookies, and wrk's figures.
Shared by bench/pages.py and bench/api.py."""
import html as html_lib
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
USER_AGENT = "kotae-bench/1"  # the same for login and wrk, so Flask-Login's session protection stays quiet
SECRET_KEY = "bench-only-secret-key"
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
_INPUT = re.compile(r"<input\b[^>]*>")
_ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')
PASSWORD = "bench password 123"

# --------------------------------------------------------------------------- gunicorn and HTTP

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(database_url: str, port: int, workers: int, log_path: Path,
                   extra_env: dict | None = None) -> subprocess.Popen:
    # development, not production: production sets SESSION_COOKIE_SECURE, which plain http would drop.
    # The page cache beside the log, not in the checkout's instance/: a page kept from an earlier run's database
    # must never be served.
    env = dict(os.environ, FORUM_ENV="development", DATABASE_URL=database_url,
               SECRET_KEY=SECRET_KEY, RATELIMIT_ENABLED="0", FORUM_PAGE_CACHE_DIR=str(log_path.parent / "page-cache"),
               **(extra_env or {}))
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class", "sync",
               "--bind", f"127.0.0.1:{port}", "wsgi:app"]
    log = open(log_path, "wb")
    try:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    finally:
        log.close()


def wait_until_up(process: subprocess.Popen, base_url: str, log_path: Path, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer within {timeout}s:\n{log_path.read_text()[-3000:]}")


def http_get(url: str, cookie: str | None = None):
    """GET without following redirects; returns (status, headers, body)."""
    headers = {"User-Agent": USER_AGENT}
    if cookie:
        headers["Cookie"] = f"session={cookie}"
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode(errors="replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def log_in_over_http(base_url: str, username: str) -> str:
    """GET /login for the token and cookie, POST the form; returns the signed-in session cookie."""
    jar = http.cookiejar.CookieJar()
    member_opener(base_url, username, jar)
    cookie = next((c.value for c in jar if c.name == "session"), None)
    if not cookie:
        raise RuntimeError("login set no session cookie")
    return cookie


def member_opener(base_url: str, username: str, jar: http.cookiejar.CookieJar | None = None):
    """A signed-in browser: an opener that keeps the session cookie as the server updates it, and does not follow
    redirects (a 302 arrives as an HTTPError)."""
    jar = jar if jar is not None else http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    opener.addheaders = [("User-Agent", USER_AGENT)]
    with opener.open(f"{base_url}/login", timeout=10) as response:
        token = csrf_token_in(response.read().decode())
    form = urllib.parse.urlencode({"login": username, "password": PASSWORD, "csrf_token": token}).encode()
    try:
        opener.open(f"{base_url}/login", data=form, timeout=10)
        raise RuntimeError("login did not redirect (wrong password or CSRF token?)")
    except urllib.error.HTTPError as error:
        if error.code != 302:
            raise RuntimeError(f"login answered {error.code}") from None
    return opener


def anonymous_cookies(base_url: str, paths: list[str]) -> dict:
    """Set-Cookie headers a first-time anonymous visitor receives on each page."""
    return {path: http_get(base_url + path)[1].get_all("Set-Cookie") or [] for path in paths}


def hidden_fields_in(html: str, action: str) -> dict[str, str]:
    """The hidden inputs (CSRF and one-time submission tokens) of the form posting to `action`."""
    start = html.find(f'action="{action}"')
    if start < 0:
        raise RuntimeError(f"no form posting to {action}")
    form = html[start:html.find("</form>", start)]
    fields = {}
    for tag in _INPUT.findall(form):
        attributes = dict(_ATTRIBUTE.findall(tag))
        if attributes.get("type") == "hidden" and "name" in attributes:
            fields[attributes["name"]] = html_lib.unescape(attributes.get("value", ""))
    return fields


def csrf_token_in(html: str) -> str:
    match = _TOKEN.search(html)
    if not match:
        raise RuntimeError("no CSRF token on the login page")
    return match.group(1) or match.group(2)


# --------------------------------------------------------------------------- wrk

def run_wrk(url: str, args, cookie: str | None = None) -> dict:
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}", "--latency",
               "-H", f"User-Agent: {USER_AGENT}"]
    if cookie:
        command += ["-H", f"Cookie: session={cookie}"]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    return parse_wrk(output)


def parse_wrk(output: str) -> dict:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s*50%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    p99 = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    total = re.search(r"(\d+) requests in", output)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors:(.*)", output)
    if not (rps and p50 and p99):
        raise RuntimeError(f"could not parse wrk output:\n{output}")
    return {
        "rps": float(rps.group(1)), "p50_ms": _ms(*p50.groups()), "p99_ms": _ms(*p99.groups()),
        "requests": int(total.group(1)) if total else None, "non_2xx_3xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(1).strip() if errors else "",
    }


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
