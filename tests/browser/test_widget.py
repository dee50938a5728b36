"""The help widget in Chromium, embedded in a page served from another port (another origin, as a company's help
site would be): search as the customer types a sentence, open an answer in place, say it solved the problem.
A site nobody allowed gets no answers."""
import re
import shutil
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Feedback, Role
from forum.services import site_settings
from tests.factories import make_answer, make_question, make_user

pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not shutil.which("chromium"):
    pytest.skip("chromium is not installed (apt-get install -y chromium)", allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.browser

HOST_PAGE = """<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>Product help</title><link rel="icon" href="data:,">
<style>* {{ color: red !important; font-size: 40px !important; }}</style></head>
<body><h1>製品ヘルプ</h1><div id="kotae-help"></div>
<script src="{base}/static/widget/kotae-widget.js" data-target="kotae-help" data-lang="ja" defer></script>
</body></html>"""


@pytest.fixture(scope="module")
def help_site(live_server, tmp_path_factory):
    """A static 'company help page' on its own port, embedding the widget from the live server."""
    folder = tmp_path_factory.mktemp("help-site")
    (folder / "index.html").write_text(HOST_PAGE.format(base=live_server.url), encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def thread(live_server, help_site):
    with live_server.app.app_context():
        question = make_question(title="Windowsアプリで同期ができない",
                                 body="アップデートの後、Windowsアプリで同期ができなくなりました。")
        answer = make_answer(question, body="設定画面で「同期をやり直す」を押してから、アプリを再起動してください。")
        question.accepted_answer_id = answer.id
        admin = make_user(role=Role.ADMIN, commit=False)
        db.session.flush()
        site_settings.save_widget_settings(admin, help_site, "https://support.example.com/contact")
        db.session.commit()
        ids = (question.id, answer.id)
        db.session.remove()
    return ids


def support_open(live_server) -> bool:
    from forum.models import utcnow
    from forum.services import business_hours
    with live_server.app.app_context():
        hours = site_settings.get_support_hours()
        db.session.remove()
        return business_hours.is_open(utcnow(), hours)


def test_a_customer_finds_reads_and_resolves_from_the_help_page(page, live_server, help_site, thread):
    question_id, _answer_id = thread
    page.goto(help_site)
    box = page.get_by_role("searchbox", name="どのようなことでお困りですか?")
    box.fill("Windowsアプリで同期ができなくなったのはなぜですか")
    result = page.get_by_role("button", name="Windowsアプリで同期ができない")
    expect(result).to_be_visible()
    ask = page.get_by_role("link", name="コミュニティに質問する")
    expect(ask).to_have_attribute("href", re.compile(re.escape(f"{live_server.url}/questions/ask?title=Windows")))
    expect(page.get_by_role("link", name="サポートに問い合わせる")).to_have_count(
        1 if support_open(live_server) else 0)
    # The host page's aggressive styles do not reach inside the widget.
    assert result.evaluate("node => getComputedStyle(node).fontSize") != "40px"
    box.press("ArrowDown")  # keyboard: from the box to the first result, Enter opens it
    expect(result).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_text("同期をやり直す")).to_be_visible()
    page.get_by_role("button", name="はい、解決しました").click()
    expect(page.get_by_text("ご回答ありがとうございます。")).to_be_visible()
    with live_server.app.app_context():
        outcomes = db.session.execute(select(Feedback.target_type, Feedback.target_id, Feedback.outcome)).all()
        db.session.remove()
    assert outcomes == [("thread", question_id, "resolved")]
    assert page.js_errors == []


def test_a_site_nobody_allowed_gets_no_answers(page, live_server, thread):
    page.goto(f"{live_server.url}/")  # any page of the forum itself, to have an origin to compare with
    status = page.evaluate("""async (base) => {
        const response = await fetch(base + '/api/v1/search?q=sync', {mode: 'cors'});
        return response.headers.get('access-control-allow-origin');
    }""", live_server.url)
    assert status is None  # same origin: no CORS header needed, none sent
    foreign = page.evaluate("""async (base) => {
        try { await fetch(base.replace('127.0.0.1', 'localhost') + '/api/v1/search?q=sync'); return 'read'; }
        catch (error) { return 'refused'; }
    }""", live_server.url)
    assert foreign == "refused"
