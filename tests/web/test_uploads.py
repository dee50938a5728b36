"""Uploading images for posts over HTTP: signed-in members only, CSRF and rate limits on, friendly JSON refusals,
and stored files served with headers that let them be nothing but images."""
import io

import pytest

from tests.factories import make_user
from tests.helpers import csrf_token, login, text
from tests.images import png

JSON = {"Accept": "application/json"}


def upload(client, data: bytes, filename="shot.png", token=True, **kwargs):
    headers = dict(JSON)
    if token:
        headers["X-CSRFToken"] = csrf_token(client, "/questions/ask")
    return client.post("/uploads/images", data={"image": (io.BytesIO(data), filename)}, headers=headers,
                       content_type="multipart/form-data", **kwargs)


@pytest.fixture
def member(client, factories):
    user = make_user()
    login(client, user)
    return user


def test_upload_answers_with_the_url_and_the_file_is_served_safely(client, member):
    response = upload(client, png(text={"Comment": "<script>alert(1)</script>"}))
    assert response.status_code == 201, text(response)
    url = response.get_json()["url"]
    assert url.startswith("/uploads/") and url.endswith(".png")
    served = client.get(url)
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Security-Policy"] == "default-src 'none'"
    assert served.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert b"<script" not in served.data
    client.get("/logout")
    assert client.get(url).status_code == 200  # images in posts are public like the posts


def test_upload_needs_a_signed_in_member(client, factories):
    response = upload(client, png())
    assert response.status_code == 401
    assert response.get_json()["status"] == 401


def test_upload_needs_the_csrf_token(client, member):
    response = upload(client, png(), token=False)
    assert response.status_code == 400
    assert "Reload the page" in response.get_json()["message"]


def test_refusals_are_json_with_a_message_for_the_member(client, member):
    response = upload(client, b"<html><script>alert(1)</script></html>", filename="evil.png")
    assert response.status_code == 400
    assert "not an image we accept" in response.get_json()["message"]
    missing = client.post("/uploads/images", data={}, headers={**JSON, "X-CSRFToken": csrf_token(client, "/")})
    assert missing.status_code == 400 and "Choose an image" in missing.get_json()["message"]


@pytest.mark.parametrize("app_config", [{"PRIVILEGE_PRESET": "small", "UPLOAD_MAX_BYTES": 1000}])
def test_too_big_is_413(client, member):
    response = upload(client, png(size=(300, 300), color=None) + b"\0" * 2000)
    assert response.status_code == 413
    assert "at most 1 KB" in response.get_json()["message"]


@pytest.mark.parametrize("app_config", [{"PRIVILEGE_PRESET": "small", "RATELIMIT_ENABLED": True,
                                         "UPLOAD_RATE_LIMIT": "2 per minute"}])
def test_uploads_are_rate_limited(client, member):
    assert [upload(client, png(color=(i, 0, 0))).status_code for i in range(3)] == [201, 201, 429]


@pytest.mark.parametrize("name", ["b" * 64 + ".png", "../../etc/passwd", "x.png", "a" * 64 + ".svg"])
def test_unknown_or_odd_names_are_404(client, name):
    assert client.get(f"/uploads/{name}").status_code == 404


@pytest.mark.parametrize("app_config", [{"PRIVILEGE_PRESET": "small", "UPLOAD_MAX_BYTES": 1000}])
def test_a_body_far_over_the_limit_is_refused_before_it_is_read(client, member):
    response = upload(client, b"\0" * 200_000)
    assert response.status_code == 413
