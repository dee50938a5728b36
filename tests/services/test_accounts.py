"""Accounts: registering, signing in, passwords and profiles."""
import pytest

from forum.models import Role
from forum.services.people import accounts
from forum.services.errors import Conflict, Invalid
from tests.factories import PASSWORD


def test_register_creates_a_member_with_a_lowercased_email(db):
    user = accounts.register_user("  Aoi  ", "  Aoi@Example.COM ", "long enough pw")
    assert user.id is not None
    assert user.username == "Aoi"
    assert user.username_key == "aoi"
    assert user.email == "aoi@example.com"
    assert user.role == Role.MEMBER


def test_username_is_unique_regardless_of_case(factories):
    factories.user(username="Aoi")
    with pytest.raises(Conflict) as error:
        accounts.register_user("aOI", "other@example.com", PASSWORD)
    assert error.value.field == "username"


def test_email_is_unique_regardless_of_case(factories):
    factories.user(email="aoi@example.com")
    with pytest.raises(Conflict) as error:
        accounts.register_user("someone", "AOI@Example.com", PASSWORD)
    assert error.value.field == "email"


@pytest.mark.parametrize("username", ["ab", "a" * 31, "has space", "semi;colon", "<script>", "at@sign", ""])
def test_invalid_usernames_are_refused(db, username):
    with pytest.raises(Invalid) as error:
        accounts.register_user(username, "x@example.com", PASSWORD)
    assert error.value.field == "username"


@pytest.mark.parametrize("username", ["aoi.sato", "kenji-2", "mi_ka", "さくら"])
def test_letters_digits_dots_dashes_underscores_and_japanese_are_accepted(db, username):
    assert accounts.register_user(username, f"{len(username)}x@example.com", PASSWORD).username == username


def test_short_password_is_refused(db):
    with pytest.raises(Invalid) as error:
        accounts.register_user("shorty", "shorty@example.com", "1234567")
    assert error.value.field == "password"


def test_unknown_role_is_refused(db):
    with pytest.raises(Invalid):
        accounts.register_user("rolly", "rolly@example.com", PASSWORD, role="superuser")


def test_password_is_stored_hashed_not_in_clear(factories):
    user = factories.user(password="my secret password")
    assert "my secret password" not in user.password_hash
    assert user.password_hash.startswith(("pbkdf2:", "scrypt:"))


def test_authenticate_by_username_or_email_ignoring_case(factories):
    user = factories.user(username="Kenji", email="kenji@example.com")
    for login in ("Kenji", "kenji", "KENJI", "kenji@example.com", "Kenji@Example.COM", "  kenji  "):
        assert accounts.authenticate(login, PASSWORD) == user, login


def test_authenticate_with_wrong_password_or_unknown_user_returns_none(factories):
    factories.user(username="kenji")
    assert accounts.authenticate("kenji", "wrong password") is None
    assert accounts.authenticate("kenji", PASSWORD.upper()) is None
    assert accounts.authenticate("nobody", PASSWORD) is None
    assert accounts.authenticate("", "") is None


def test_change_password_replaces_the_old_one(factories):
    user = factories.user(username="changer")
    accounts.change_password(user, PASSWORD, "a brand new password")
    assert accounts.authenticate("changer", "a brand new password") == user
    assert accounts.authenticate("changer", PASSWORD) is None


def test_change_password_with_wrong_current_password_is_refused(factories):
    user = factories.user(username="changer")
    old_hash = user.password_hash
    with pytest.raises(Invalid) as error:
        accounts.change_password(user, "not my password", "a brand new password")
    assert error.value.field == "current_password"
    assert user.password_hash == old_hash


def test_change_password_to_a_short_one_is_refused(factories):
    user = factories.user()
    with pytest.raises(Invalid) as error:
        accounts.change_password(user, PASSWORD, "short")
    assert error.value.field == "new_password"


def test_update_profile_renders_markdown(factories):
    user = factories.user()
    accounts.update_profile(user, "I work on **sync** at [Example](https://example.com).", "ja")
    assert "<strong>sync</strong>" in user.about_html
    assert 'href="https://example.com"' in user.about_html
    assert user.locale == "ja"


def test_update_profile_sanitises_html(factories):
    user = factories.user()
    accounts.update_profile(
        user,
        '<script>alert(1)</script> <img src=x onerror="alert(2)"> [click](javascript:alert(3))',
        None,
    )
    html = user.about_html.lower()
    assert "<script" not in html
    assert "<img" not in html
    assert "javascript:" not in html
    assert "&lt;script&gt;" in html  # the typed text stays visible, just inert


def test_update_profile_with_empty_text_clears_it(factories):
    user = factories.user()
    accounts.update_profile(user, "Something about me", "en")
    accounts.update_profile(user, "   ", "")
    assert user.about_md == ""
    assert user.about_html == ""
    assert user.locale is None
