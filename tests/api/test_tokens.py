"""Tokens on the settings page and the staff page: created with the secret shown once, listed, revoked."""
import re

from sqlalchemy import select

from forum.extensions import db
from forum.models import ApiToken, AuditLogEntry, Role
from tests.factories import make_user
from tests.helpers import csrf_token, login, post_form, text

from .conftest import bearer, new_token


def test_a_member_creates_a_token_sees_it_once_and_it_works(client):
    user = make_user()
    login(client, user)
    response = post_form(client, "/users/tokens", {"name": "support bot", "scope": "read",
                                                   "expires_in_days": "30"}, page="/users/tokens")
    page = text(response)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    secret = re.search(r"data-token>(kotae_[A-Za-z0-9_-]+)<", page).group(1)
    stored = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert stored.token_hash != secret and secret not in str(stored.__dict__)
    assert "support bot" in page and secret not in text(client.get("/users/tokens"))  # shown once
    assert client.get("/api/v1/me", headers=bearer(secret)).get_json()["scope"] == "read"


def test_a_bad_token_form_keeps_nothing_and_says_why(client):
    login(client, make_user())
    response = post_form(client, "/users/tokens", {"name": "", "scope": "admin", "expires_in_days": "5"},
                         page="/users/tokens")
    assert response.status_code == 400
    assert db.session.scalar(select(ApiToken)) is None


def test_revoking_needs_the_owner_or_staff_and_csrf(client):
    owner, secret = new_token()
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == owner.id))
    login(client, make_user())
    assert post_form(client, f"/users/tokens/{token.id}/revoke", page="/users/tokens").status_code == 404
    assert client.post(f"/users/tokens/{token.id}/revoke").status_code == 400  # no CSRF token
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    client = client.application.test_client()  # another browser
    login(client, make_user(role=Role.MODERATOR))
    page = text(client.get("/admin/tokens"))
    assert token.prefix in page and owner.username in page
    response = post_form(client, f"/admin/tokens/{token.id}/revoke", page="/admin/tokens")
    assert response.status_code == 302
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401
    entry = db.session.scalar(select(AuditLogEntry).where(AuditLogEntry.action == "api_token.revoke"))
    assert entry is not None and secret not in str(entry.detail)


def test_members_cannot_see_the_staff_token_page(client):
    login(client, make_user())
    assert client.get("/admin/tokens").status_code == 403
    assert csrf_token(client, "/users/tokens")
