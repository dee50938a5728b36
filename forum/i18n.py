"""Locale selection: the language a signed-in user picked in the footer for this sign-in, else their setting, else
a language cookie, else the browser's Accept-Language; the request's catalogue cache, and rendering in another
language inside a request (e-mails to other readers)."""
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import force_locale, get_translations
from flask_login import current_user

from .extensions import babel

LOCALE_COOKIE = "locale"
LANGUAGE_NAMES = {"en": "English", "ja": "日本語"}  # each in its own language, as the footer links show them
# Keys in Flask's session: [user id, code] of the footer's choice for this sign-in; the code to offer saving.
_SESSION_LOCALE, _SESSION_OFFER = "kotae_locale", "kotae_locale_offer"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
# Times are shown in the reader's likely zone; Japanese readers expect JST.
TIMEZONES = {"ja": "Asia/Tokyo"}
_CATALOGUE = "kotae_translations"  # attribute of `g`: this request's catalogue (see request_translations)


def select_locale() -> str:
    supported = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated:
        chosen = _session_locale()
        if chosen in supported:
            return chosen
        if current_user.locale in supported:
            return current_user.locale
    cookie = request.cookies.get(LOCALE_COOKIE)
    if cookie in supported:
        return cookie
    return request.accept_languages.best_match(supported) or current_app.config["BABEL_DEFAULT_LOCALE"]


def _session_locale() -> str | None:
    user_id, code = session.get(_SESSION_LOCALE) or (None, None)
    return code if user_id == current_user.id else None  # another member signing in here starts afresh


def choose_for_session(user, code: str) -> None:
    """The footer link, signed in: speak `code` until sign-out and, unless it is saved already, offer to save it."""
    session[_SESSION_LOCALE] = [user.id, code]
    if user.locale != code:
        session[_SESSION_OFFER] = code
    else:
        session.pop(_SESSION_OFFER, None)


def forget_session_choice() -> None:
    """The saved setting speaks again (it was just saved)."""
    session.pop(_SESSION_LOCALE, None)
    session.pop(_SESSION_OFFER, None)


def language_offer() -> str | None:
    """Once, on the page after the footer switch: the language a signed-in user may save as their setting."""
    if not current_user.is_authenticated or _SESSION_OFFER not in session:
        return None
    code = session.pop(_SESSION_OFFER)
    return code if current_user.locale != code and code == _session_locale() else None


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
    """This request's catalogue, looked up once (the templates' _() and ngettext read it)."""
    translations = g.get(_CATALOGUE)
    if translations is None:
        translations = get_translations()
        setattr(g, _CATALOGUE, translations)
    return translations


@contextmanager
def translated_in(locale: str) -> Iterator[None]:
    """Inside the block, messages and templates speak `locale` (an unsupported one falls back to the default);
    the request's own language, and its cached catalogue, come back afterwards."""
    if locale not in current_app.config["LANGUAGES"]:
        locale = current_app.config["BABEL_DEFAULT_LOCALE"]
    saved = g.pop(_CATALOGUE, None)
    try:
        with force_locale(locale):
            setattr(g, _CATALOGUE, get_translations())
            yield
    finally:
        g.pop(_CATALOGUE, None)
        if saved is not None:
            setattr(g, _CATALOGUE, saved)
