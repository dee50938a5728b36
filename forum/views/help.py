"""Help pages."""
from flask import Blueprint, render_template
from flask_babel import get_locale
from flask_login import current_user

from ..models import utcnow
from ..services import business_hours, site_settings
from ..services.reputation import privileges as privilege_rules
from ._common import thresholds

bp = Blueprint("help", __name__, url_prefix="/help")


@bp.get("/privileges")
def privileges():
    """What reputation lets you do, and how far the signed-in user is from each privilege."""
    return render_template("help/privileges.html", rows=privilege_rules.progress(current_user, thresholds()))


@bp.get("/hours")
def hours():
    """When staff answer: a weekly table in the support team's time zone, and whether they are on duty now."""
    support, locale, now = site_settings.get_support_hours(), str(get_locale() or "en"), utcnow()
    return render_template(
        "help/hours.html", hours=support, summary=business_hours.summary(support, locale, now),
        note=support.note(locale),
        open_now=business_hours.is_open(now, support), table=business_hours.weekly_table(support, locale),
        abbreviation=business_hours.zone_abbreviation(support, now),
        holidays=business_hours.upcoming_holidays(support, now.date()),
    )


@bp.get("/guidelines")
def guidelines():
    """The community guidelines admins write (Markdown, sanitised)."""
    support = site_settings.get_support_hours()
    locale = str(get_locale() or "en")
    return render_template("help/guidelines.html", guidelines=site_settings.get_guidelines(locale),
                           summary=business_hours.summary(support, locale))
