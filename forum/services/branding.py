"""The site's branding: its name and tagline (Japanese and English), logo, favicon and accent colour.

Stored as one site setting (`branding`), edited by admins and audit-logged. Nothing here says "Kotae" unless the
admin left the name blank. The accent must keep WCAG AA contrast (4.5:1) as white button text and as link text on
the page backgrounds; a colour that does not is refused with its ratio and a darker shade that passes.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, replace

from flask_babel import gettext as _

from ..unit_of_work import changes, transaction_cache
from . import brand_images, colours
from .audit_log import log_action
from .errors import Invalid
from .site_settings import read_setting, require_admin, store_setting

KEY = "branding"
DEFAULT_NAME = "Kotae"
NAME_MAX = 60
TAGLINE_MAX = 120
# The backgrounds links and buttons sit on (static/css/forum.css: --bg and --soft); white is the button text.
BACKGROUNDS = ("#ffffff", "#f6f8fa")


@dataclass(frozen=True)
class Branding:
    name_ja: str = ""
    name_en: str = ""
    tagline_ja: str = ""
    tagline_en: str = ""
    accent: str = ""  # "#rrggbb"; blank keeps the stylesheet's blue
    logo: str = ""  # file name of the stored logo (brand_images); blank: the built-in mark
    logo_icon: str = ""  # favicon stem made from the logo, used when no favicon of its own was uploaded
    favicon: str = ""  # favicon stem of a separate upload

    def name(self, locale: str) -> str:
        """The name in `locale`, else in the other language, else "Kotae"."""
        first, second = (self.name_ja, self.name_en) if locale == "ja" else (self.name_en, self.name_ja)
        return first or second or DEFAULT_NAME

    def tagline(self, locale: str) -> str:
        """The tagline in `locale`, else in the other language; blank when none is set (pages use their own)."""
        first, second = (self.tagline_ja, self.tagline_en) if locale == "ja" else (self.tagline_en, self.tagline_ja)
        return first or second

    @property
    def icon(self) -> str:
        """The favicon stem to use: the uploaded favicon, else the one made from the logo; blank for the default."""
        return self.favicon or self.logo_icon

    @property
    def version(self) -> str:
        """Changes whenever anything here changes: the fingerprint of the generated stylesheet's URL."""
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:12]

    def palette(self) -> dict[str, str] | None:
        """The stylesheet variables the accent sets, or None for the default look."""
        return accent_palette(self.accent) if self.accent else None


def get_branding() -> Branding:
    """The stored branding, or the defaults when unset or unreadable (one settings query per transaction; the
    JSON is parsed once per stored value, though a page asks for the name, logo and colour many times)."""
    raw = read_setting(KEY)
    cache = transaction_cache()
    if cache.get("branding_raw") != raw or "branding" not in cache:
        cache["branding_raw"], cache["branding"] = raw, _parse(raw)
    return cache["branding"]


def _parse(raw: str | None) -> Branding:
    if raw:
        try:
            data = json.loads(raw)
            return Branding(**{key: str(data.get(key) or "") for key in Branding.__dataclass_fields__})
        except (ValueError, TypeError, AttributeError):
            pass
    return Branding()


def check_accent(value: str) -> str:
    """The accent as "#rrggbb" when it keeps AA contrast everywhere it is used; otherwise Invalid, naming the
    ratio and a darker shade that passes."""
    colour = colours.parse(value)
    if colour is None:
        raise Invalid(_("Enter the colour as #rrggbb, e.g. #0b6bcb."), field="accent")
    ratio = min(colours.contrast(colour, background) for background in BACKGROUNDS)
    if ratio < colours.AA_TEXT:
        passing = colours.darker_until(colour, lambda shade: min(
            colours.contrast(shade, background) for background in BACKGROUNDS) >= colours.AA_TEXT)
        raise Invalid(_("%(colour)s has a contrast ratio of %(ratio)s:1 with white text and the page background; "
                        "at least 4.5:1 is needed so buttons and links stay readable. A darker shade that passes: "
                        "%(passing)s.", colour=colour, ratio=f"{ratio:.2f}", passing=passing), field="accent")
    return colour


def accent_palette(accent: str) -> dict[str, str]:
    """The stylesheet's brand variables from an accent that passed `check_accent`: a darker shade for hover, and
    a pale tint for highlighted boxes, pale enough that the accent and its dark shade stay 4.5:1 on it."""
    dark = colours.mix(accent, "#000000", 0.25)
    soft = colours.lighter_until(accent, lambda tint: colours.contrast(accent, tint) >= colours.AA_TEXT)
    return {"brand": accent, "brand-dark": dark, "brand-soft": soft}


def save_branding(actor, *, name_ja: str = "", name_en: str = "", tagline_ja: str = "", tagline_en: str = "",
                  accent: str = "", logo: bytes | None = None, remove_logo: bool = False,
                  favicon: bytes | None = None, remove_favicon: bool = False) -> Branding:
    """Validate and store the branding (blank texts and colour restore the defaults); admins only, audit-logged.

    Images are checked and written before anything is stored, so a refused upload changes nothing."""
    require_admin(actor)
    before = get_branding()
    texts = {"name_ja": name_ja, "name_en": name_en, "tagline_ja": tagline_ja, "tagline_en": tagline_en}
    texts = {key: " ".join((value or "").split()) for key, value in texts.items()}
    for key, value in texts.items():
        limit = NAME_MAX if key.startswith("name") else TAGLINE_MAX
        if len(value) > limit:
            raise Invalid(_("At most %(max)d characters.", max=limit), field=key)
    accent = check_accent(accent) if (accent or "").strip() else ""
    branding = replace(before, **texts, accent=accent)
    if logo:
        branding = replace(branding, logo=brand_images.store_logo(logo),
                           logo_icon=brand_images.store_icons(logo, field="logo"))
    elif remove_logo:
        branding = replace(branding, logo="", logo_icon="")
    if favicon:
        branding = replace(branding, favicon=brand_images.store_icons(favicon))
    elif remove_favicon:
        branding = replace(branding, favicon="")
    store_setting(actor, KEY, asdict(branding))
    changed = {key: value for key, value in asdict(branding).items() if getattr(before, key) != value}
    log_action(actor, "settings.branding", changed=changed)
    changes().site_wide = True  # every page shows the name: cached pages are dropped after the commit
    return branding
