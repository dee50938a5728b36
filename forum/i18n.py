"""Locale selection: the user's setting, else a language cookie, else the browser's Accept-Language."""
from pathlib import Path

from flask import Flask, current_app, g, has_request_context, request
from flask_babel import get_translations
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
    # A question page translates a few hundred strings; look the catalog up once per request, not per string
    # (Flask-Babel's own template callables resolve the domain, locale and catalog on every call).
    app.jinja_env.install_gettext_callables(
        lambda string: request_translations().gettext(string),
        lambda singular, plural, n: request_translations().ngettext(singular, plural, n),
        newstyle=True,
    )


def request_translations():
    translations = g.get("_translations")
    if translations is None:
        translations = g._translations = get_translations()
    return translations
