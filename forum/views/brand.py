"""The site's branding on every page: `brand` in templates, the uploaded images and the accent stylesheet.

The Content-Security-Policy allows no inline styles, so the accent reaches the pages as a small generated
stylesheet, /brand.css?v=<version>, linked after css/forum.css and cached for a year under each version.
"""
import logging

from flask import Blueprint, abort, make_response, request, send_file, url_for
from flask_babel import get_locale
from sqlalchemy.exc import SQLAlchemyError

from ..services import brand_images, branding

log = logging.getLogger(__name__)
bp = Blueprint("brand", __name__)
YEAR = 365 * 24 * 3600


class Brand:
    """What templates show of the branding, in the language being rendered. A Jinja global (macros imported
    without context see it too) that reads the settings when asked: one settings query per transaction at most."""

    @property
    def settings(self) -> branding.Branding:
        try:
            return branding.get_branding()
        except SQLAlchemyError:  # an error page while the database is away still renders, with the defaults
            log.warning("branding unavailable; showing the defaults", exc_info=True)
            return branding.Branding()

    @property
    def name(self) -> str:
        return self.settings.name(str(get_locale() or "en"))

    @property
    def tagline(self) -> str:
        return self.settings.tagline(str(get_locale() or "en"))

    @property
    def accent(self) -> str:
        return self.settings.accent

    @property
    def logo_url(self) -> str | None:
        return url_for("brand.image", name=self.settings.logo) if self.settings.logo else None

    @property
    def favicon_url(self) -> str | None:
        return url_for("brand.image", name=f"{self.settings.icon}-32.png") if self.settings.icon else None

    @property
    def touch_icon_url(self) -> str | None:
        return url_for("brand.image", name=f"{self.settings.icon}-180.png") if self.settings.icon else None

    @property
    def css_url(self) -> str | None:
        return url_for("brand.stylesheet", v=self.settings.version) if self.settings.accent else None


@bp.record_once
def add_global(state) -> None:
    state.app.jinja_env.globals["brand"] = Brand()


@bp.route("/brand.css")
def stylesheet():
    """The accent colour as the stylesheet's brand variables."""
    settings = branding.get_branding()
    palette = settings.palette() or {}
    variables = ";".join(f"--{name}:{value}" for name, value in palette.items())
    css = (f":root{{{variables}}}\n"
           ".tag{color:var(--brand-dark)}\n"
           "input:focus,textarea:focus,select:focus{box-shadow:0 0 0 3px var(--brand-soft)}\n") if palette else ""
    response = make_response(css)
    response.headers["Content-Type"] = "text/css; charset=utf-8"
    fresh = request.args.get("v") == settings.version
    response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable" if fresh else "no-cache"
    return response


@bp.route("/brand/<name>")
def image(name: str):
    """An uploaded logo or icon: re-encoded PNG, named by its content, so it never changes."""
    path = brand_images.path_of(name)
    if path is None:
        abort(404)
    response = send_file(path, mimetype="image/png", max_age=YEAR, conditional=True, etag=True)
    response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    response.headers["Content-Disposition"] = "inline"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response

