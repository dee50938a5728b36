"""Request-wide protections: login loading, security headers, safe redirects, domain errors."""
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask, current_app, request
from flask_login import current_user, login_user, logout_user

from .extensions import login_manager
from .i18n import forget_session_choice
from .models import User
from .services.people import sessions
from .services.people.accounts import touch_last_seen
from .unit_of_work import checkpoint

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' https: http:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def is_safe_next(target: str | None) -> bool:
    """Only same-site paths: '/questions/1' yes; 'https://evil', '//evil', '/\\evil' no."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and not any(ch in target for ch in "\r\n\t")


def safe_next(target: str | None, default: str) -> str:
    return target if is_safe_next(target) else default


def sign_in(user: User, remember: bool = False) -> None:
    """Open a server-side session for `user` and put its token in the cookie (the only way to sign in)."""
    sessions.open_session(user, user_agent=request.user_agent.string, address=request.remote_addr or "")
    login_user(user, remember=remember)


def sign_out() -> None:
    """End this browser's session on the server too, so a copy of the old cookie no longer works."""
    if current_user.is_authenticated:
        sessions.end_session(current_user.session_token)
    logout_user()
    forget_session_choice()  # a language picked in the footer lasts one sign-in; the saved setting is the default


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page explains itself when a `next` page is waiting
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(token: str) -> User | None:
        # Cookies from before server-side sessions held a bare user id: no session row matches, so signed out.
        max_idle = timedelta(days=current_app.config["SESSION_MAX_IDLE_DAYS"])
        return sessions.user_for_token(token, max_idle=max_idle)

    @app.before_request
    def record_last_seen():
        # At most one write every few minutes per user, never one per page view.
        if request.endpoint == "static":
            return
        if current_user.is_authenticated:
            seen = touch_last_seen(current_user)
            if sessions.touch(current_user.current_session) or seen:
                checkpoint()

    @app.after_request
    def set_security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
