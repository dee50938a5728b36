"""The app factory and configuration classes."""
import pytest

import config
from forum import create_app


def test_factory_uses_the_given_config(app, database_url):
    assert app.testing
    assert app.config["SQLALCHEMY_DATABASE_URI"] == database_url


def test_environment_variables_override_config(monkeypatch, tmp_path):
    monkeypatch.setenv("FORUM_QUESTIONS_PER_PAGE", "7")
    settings = config.TestConfig()
    settings.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'x.db'}"
    assert create_app(settings).config["QUESTIONS_PER_PAGE"] == 7


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", None)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        config.ProductionConfig()


def test_production_uses_secure_cookies(monkeypatch):
    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", "x" * 32)
    settings = config.ProductionConfig()
    assert settings.SESSION_COOKIE_SECURE and settings.REMEMBER_COOKIE_SECURE


def test_unknown_environment_name_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("FORUM_ENV", "staging")
    with pytest.raises(RuntimeError, match="FORUM_ENV"):
        config.config_from_env()


def test_health_check_is_plain_text(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.data == b"ok"
