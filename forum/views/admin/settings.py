"""/admin/settings: the support team's hours, the community guidelines, the help widget and the branding (admins
only)."""
from functools import cache
from zoneinfo import available_timezones

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ...forms.staff import BrandingForm, GuidelinesForm, SupportHoursForm, WidgetForm
from ...services import brand_images, branding, business_hours, site_settings
from ...services.errors import Forbidden, Invalid
from .._common import attach_error
from . import bp


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
                                  "end": hours.end, "holidays": "\n".join(hours.holidays),
                                  "note_ja": hours.note_ja, "note_en": hours.note_en})
    if form.validate_on_submit():
        try:
            site_settings.save_support_hours(current_user, form.timezone.data, form.days.data or [],
                                             form.start.data, form.end.data, form.holidays.data,
                                             form.note_ja.data, form.note_en.data)
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
    texts = site_settings.guideline_texts()
    guidelines = site_settings.get_guidelines(str(get_locale() or "en"))
    form = GuidelinesForm(data={"body": texts["en"].markdown if "en" in texts else "",
                                "body_ja": texts["ja"].markdown if "ja" in texts else ""})
    if form.validate_on_submit():
        try:
            site_settings.save_guidelines(current_user, form.body.data, form.body_ja.data or "")
        except Invalid as error:
            attach_error(form, error)
        else:
            flash(_("Community guidelines saved."), "success")
            return redirect(url_for(".settings_guidelines"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("admin/settings_guidelines.html", form=form, guidelines=guidelines), status


@bp.route("/settings/widget", methods=["GET", "POST"])
def settings_widget():
    """The help widget: which sites may embed it, the support contact, and the tag to paste."""
    _require_admin()
    widget = site_settings.get_widget_settings()
    form = WidgetForm(data={"origins": "\n".join(widget.origins), "contact_url": widget.contact_url})
    if form.validate_on_submit():
        try:
            site_settings.save_widget_settings(current_user, form.origins.data, form.contact_url.data)
        except Invalid as error:
            attach_error(form, error)
        else:
            flash(_("Widget settings saved."), "success")
            return redirect(url_for(".settings_widget"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("admin/settings_widget.html", form=form, widget=widget), status


@bp.route("/settings/branding", methods=["GET", "POST"])
def settings_branding():
    """The site's name and tagline in both languages, logo, favicon and accent colour."""
    _require_admin()
    current = branding.get_branding()
    form = BrandingForm(data={"name_ja": current.name_ja, "name_en": current.name_en, "accent": current.accent,
                              "tagline_ja": current.tagline_ja, "tagline_en": current.tagline_en})
    if form.validate_on_submit():
        try:
            branding.save_branding(
                current_user, name_ja=form.name_ja.data, name_en=form.name_en.data, tagline_ja=form.tagline_ja.data,
                tagline_en=form.tagline_en.data, accent=form.accent.data, logo=_upload("logo"),
                remove_logo=form.remove_logo.data, favicon=_upload("favicon"), remove_favicon=form.remove_favicon.data)
        except Invalid as error:
            attach_error(form, error)
        else:
            flash(_("Branding saved."), "success")
            return redirect(url_for(".settings_branding"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("admin/settings_branding.html", form=form, branding=current), status


def _upload(field: str) -> bytes | None:
    """An uploaded file's bytes (at most one byte over the limit is read: the service refuses it), or None."""
    upload = request.files.get(field)
    return upload.read(brand_images.MAX_BYTES + 1) if upload and upload.filename else None
