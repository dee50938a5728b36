from tests.helpers import login, post_form, text


def test_ask_answer_comment_flow(client, factories):
    asker = factories.user(username="asker")
    other = factories.user(username="helper")
    login(client, asker)
    response = post_form(client, "/questions/ask", {
        "title": "Sync fails with error E1023 on Windows",
        "body": "When I open the app, sync stops.\n\n```python\nprint('hi')\n```\n",
        "tags": "sync, Windows",
    })
    assert response.status_code == 302, text(response)
    page = client.get(response.headers["Location"], follow_redirects=True)
    assert "Sync fails with error E1023" in text(page)
