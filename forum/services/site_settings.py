"""Site settings admins edit: the support team's hours and the community guidelines.

Settings are read once per transaction at most (all rows in one query, kept in
`unit_of_work.transaction_cache`, dropped at commit or rollback), so a page never sees a value older than its own
transaction and no worker keeps a stale copy of what another worker saved.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..markup import render_markdown
from ..models import SiteSetting, utcnow
from ..unit_of_work import transaction_cache
from .audit_log import log_action
from .business_hours import SupportHours, local_time, summary, validate
from .community.language import ENGLISH, JAPANESE, LANGUAGES, detect_language
from .errors import Forbidden, Invalid

HOURS_KEY = "support_hours"
GUIDELINES_KEY = "guidelines"
GUIDELINES_MAX = 20000
def _settings() -> dict[str, str]:
    cache = transaction_cache()
    if "settings" not in cache:
        cache["settings"] = dict(db.session.execute(select(SiteSetting.key, SiteSetting.value)).all())
    return cache["settings"]


def _store(actor, key: str, value: dict) -> None:
    setting = db.session.get(SiteSetting, key) or SiteSetting(key=key)
    setting.value = json.dumps(value, ensure_ascii=False)
    setting.updated_at = utcnow()
    setting.updated_by_id = getattr(actor, "id", None)
    db.session.add(setting)
    transaction_cache().pop("settings", None)


def _require_admin(actor) -> None:
    if not getattr(actor, "is_admin", False):
        raise Forbidden(_("Only administrators can change site settings."))


# What the other settings modules (branding) build on: the same rows, cache, audit and admin check.
def read_setting(key: str) -> str | None:
    return _settings().get(key)


store_setting = _store
require_admin = _require_admin


def get_support_hours() -> SupportHours:
    """The configured hours, or the defaults (weekdays 9:00-18:00 Asia/Tokyo) when unset or unreadable."""
    raw = _settings().get(HOURS_KEY)
    if not raw:
        return SupportHours()
    try:
        return SupportHours.from_json(json.loads(raw))
    except (ValueError, TypeError, AttributeError, Invalid):
        return SupportHours()


def save_support_hours(actor, timezone: str, days, start: str, end: str, holidays=(), note_ja: str = "",
                       note_en: str = "") -> SupportHours:
    """Validate and store the support hours and their note in each language; admins only, audit-logged."""
    _require_admin(actor)
    before = get_support_hours()
    hours = validate(timezone, days, start, end, holidays, note_ja, note_en)
    _store(actor, HOURS_KEY, hours.to_json())
    log_action(actor, "settings.hours", before=before.to_json(), after=hours.to_json())
    return hours


@dataclass(frozen=True)
class Guidelines:
    markdown: str
    html: str
    is_default: bool
    language: str = ""  # the language of the text shown ("" for the default text, translated)


def default_guidelines_markdown() -> str:
    return _(
        "## Be kind and specific\n\n"
        "- Search before you ask: your question may already have an answer.\n"
        "- Give your question a title that sums up the problem, and say which version and platform you use.\n"
        "- Answer the question that was asked, and explain why your answer works.\n"
        "- Vote up what helped you and accept the answer that solved your problem.\n\n"
        "## Keep it safe\n\n"
        "- Never post passwords, licence keys, invoices or other personal data.\n"
        "- No spam, advertising or rude language: flag it and staff will take a look.\n\n"
        "## Staff\n\n"
        "Staff answer during support hours and mark official answers; the community answers any time."
    )


def guideline_texts() -> dict[str, Guidelines]:
    """The stored guidelines by language ({"en": ..., "ja": ...}; either may be missing). Guidelines stored
    before they were bilingual (one text) count as the language detected from them."""
    raw = _settings().get(GUIDELINES_KEY)
    if not raw:
        return {}
    try:
        data = json.loads(raw)
        if "markdown" in data:
            data = {detect_language("", data["markdown"]): data}
        return {code: Guidelines(markdown=text["markdown"], html=text["html"], is_default=False, language=code)
                for code, text in data.items() if code in LANGUAGES and text.get("markdown")}
    except (ValueError, TypeError, KeyError, AttributeError):
        return {}


def get_guidelines(locale: str = "en") -> Guidelines:
    """The community guidelines in the UI language, else in the other one, else the default text (translated):
    Markdown and sanitised HTML (rendered on save; the default on read)."""
    texts = guideline_texts()
    for code in (locale, *LANGUAGES):
        if code in texts:
            return texts[code]
    text = default_guidelines_markdown()
    return Guidelines(markdown=text, html=render_markdown(text), is_default=True)


def save_guidelines(actor, text: str, text_ja: str | None = None) -> Guidelines:
    """Store new guidelines: `text` in English and `text_ja` in Japanese (None keeps the stored Japanese); both
    blank restores the default text. Admins only, audit-logged."""
    _require_admin(actor)
    text = (text or "").replace("\r\n", "\n").strip()
    text_ja = ((guideline_texts().get(JAPANESE) or Guidelines("", "", True)).markdown if text_ja is None
               else text_ja.replace("\r\n", "\n").strip())
    for value, field in ((text, "body"), (text_ja, "body_ja")):
        if len(value) > GUIDELINES_MAX:
            raise Invalid(_("The guidelines can be at most %(max)d characters.", max=GUIDELINES_MAX), field=field)
    if not text and not text_ja:
        setting = db.session.get(SiteSetting, GUIDELINES_KEY)
        if setting is not None:
            db.session.delete(setting)
        transaction_cache().pop("settings", None)
        log_action(actor, "settings.guidelines", restored_default=True)
        return get_guidelines()
    stored = {code: {"markdown": value, "html": render_markdown(value)}
              for code, value in ((ENGLISH, text), (JAPANESE, text_ja)) if value}
    _store(actor, GUIDELINES_KEY, stored)
    log_action(actor, "settings.guidelines", length=len(text), length_ja=len(text_ja))
    return get_guidelines(ENGLISH if text else JAPANESE)


def site_time(moment: datetime) -> str:
    """An instant in the site's time zone (the support team's), the zone named: messages that give a deadline,
    such as a suspension's end, all read one clock whoever writes or reads them."""
    return local_time(moment, get_support_hours())


def support_summary(locale: str) -> str:
    """The one-line summary of support hours the ask page shows (one settings query per transaction)."""
    return summary(get_support_hours(), locale)


# --- The help widget ---------------------------------------------------------------------------------------------

WIDGET_KEY = "widget"
WIDGET_ORIGINS_MAX = 20
_ORIGIN = re.compile(r"https?://[a-z0-9.-]+(:[0-9]{1,5})?")


@dataclass(frozen=True)
class WidgetSettings:
    origins: tuple[str, ...] = ()  # sites allowed to embed the widget (the API answers them with CORS headers)
    contact_url: str = ""  # "contact support": a https:// page or a mailto: address; blank hides the button


def get_widget_settings() -> WidgetSettings:
    raw = _settings().get(WIDGET_KEY)
    if raw:
        try:
            data = json.loads(raw)
            return WidgetSettings(tuple(data.get("origins", ())), data.get("contact_url", ""))
        except (ValueError, TypeError, AttributeError):
            pass
    return WidgetSettings()


def save_widget_settings(actor, origins_text: str, contact_url: str) -> WidgetSettings:
    """Store the sites allowed to embed the widget (one origin per line) and the support contact; admins only."""
    _require_admin(actor)
    origins = []
    for line in (origins_text or "").split():
        origin = line.strip().rstrip("/").lower()
        if not _ORIGIN.fullmatch(origin):
            raise Invalid(_("“%(origin)s” is not a site origin: write it as https://help.example.com, without "
                            "a path.", origin=line[:100]), field="origins")
        if origin not in origins:
            origins.append(origin)
    if len(origins) > WIDGET_ORIGINS_MAX:
        raise Invalid(_("At most %(max)d sites can embed the widget.", max=WIDGET_ORIGINS_MAX), field="origins")
    contact_url = (contact_url or "").strip()
    if contact_url and not re.fullmatch(r"(https?://|mailto:)[^\s<>\"']{3,300}", contact_url):
        raise Invalid(_("Enter an https:// address or a mailto: address."), field="contact_url")
    settings = WidgetSettings(tuple(origins), contact_url)
    _store(actor, WIDGET_KEY, {"origins": list(settings.origins), "contact_url": settings.contact_url})
    log_action(actor, "settings.widget", origins=list(settings.origins), contact_url=settings.contact_url)
    return settings
