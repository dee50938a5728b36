"""Locale selection: the user's setting, else a language cookie, else the browser's Accept-Language."""
from pathlib import Path

from flask import Flask, current_app, has_request_context, request
from flask_login import current_user

from .extensions import babel

LOCALE_COOKIE = "locale"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
# Times are shown in the reader's likely zone; Japanese readers expect JST.
TIMEZONES = {"ja": "Asia/Tokyo"}


def select_locale() -> str:
    supported = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in supported:
        return current_user.locale
    cookie = request.cookies.get(LOCALE_COOKIE)
    if cookie in supported:
        return cookie
    return request.accept_languages.best_match(supported) or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return TIMEZONES.get(select_locale(), current_app.config["BABEL_DEFAULT_TIMEZONE"])


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
