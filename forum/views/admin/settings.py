"""/admin/settings: the support team's hours and the community guidelines (admins only)."""
from functools import cache
from zoneinfo import available_timezones

from flask import flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ...forms import BaseForm
from ...services import business_hours, site_settings
from ...services.errors import Forbidden, Invalid
from .._common import attach_error
from . import bp

REQUIRED = _l("This field is required.")


class SupportHoursForm(BaseForm):
    timezone = StringField(_l("Time zone"), validators=[DataRequired(REQUIRED), Length(max=64)],
                           description=_l("An IANA name such as Asia/Tokyo or America/New_York."))
    days = SelectMultipleField(_l("Working days"), choices=[], coerce=int, widget=widgets.ListWidget(prefix_label=False),
                               option_widget=widgets.CheckboxInput(), validate_choice=False)
    start = StringField(_l("From"), validators=[DataRequired(REQUIRED), Length(max=5)],
                        description=_l("24-hour clock, e.g. 09:00"))
    end = StringField(_l("Until"), validators=[DataRequired(REQUIRED), Length(max=5)],
                      description=_l("24-hour clock, e.g. 18:00"))
    holidays = TextAreaField(_l("Holidays"), validators=[Length(max=4000)],
                             description=_l("Dates staff are off, one per line, e.g. 2026-12-31."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = business_hours.day_names(str(get_locale() or "en"))
        self.days.choices = [SelectChoice(day, names[day]) for day in business_hours.EVERY_DAY]


class GuidelinesForm(BaseForm):
    body = TextAreaField(_l("Community guidelines"), validators=[Length(max=site_settings.GUIDELINES_MAX)],
                         description=_l("Markdown. Leave empty to restore the default text."))


@cache
def _zone_names() -> list[str]:
    return sorted(available_timezones())  # reads the tz database from disk: once per process


def _require_admin() -> None:
    if not current_user.is_admin:
        raise Forbidden(_("Only administrators can change site settings."))


@bp.route("/settings/hours", methods=["GET", "POST"])
def settings_hours():
    """Support hours: the time zone, days and times staff answer, and holidays."""
    _require_admin()
    hours = site_settings.get_support_hours()
    form = SupportHoursForm(data={"timezone": hours.timezone, "days": list(hours.days), "start": hours.start,
                                  "end": hours.end, "holidays": "\n".join(hours.holidays)})
    if form.validate_on_submit():
        try:
            site_settings.save_support_hours(current_user, form.timezone.data, form.days.data or [],
                                             form.start.data, form.end.data, form.holidays.data)
        except Invalid as error:
            attach_error(form, error)
        else:
            flash(_("Support hours saved."), "success")
            return redirect(url_for(".settings_hours"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("admin/settings_hours.html", form=form, zones=_zone_names(),
                           summary=business_hours.summary(hours, str(get_locale() or "en"))), status


@bp.route("/settings/guidelines", methods=["GET", "POST"])
def settings_guidelines():
    """The community guidelines shown at /help/guidelines (Markdown)."""
    _require_admin()
    guidelines = site_settings.get_guidelines()
    form = GuidelinesForm(data={"body": guidelines.markdown})
    if form.validate_on_submit():
        try:
            site_settings.save_guidelines(current_user, form.body.data)
        except Invalid as error:
            attach_error(form, error)
        else:
            flash(_("Community guidelines saved."), "success")
            return redirect(url_for(".settings_guidelines"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("admin/settings_guidelines.html", form=form, guidelines=guidelines), status
