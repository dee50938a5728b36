"""Forms of the staff pages: FAQ entries and categories, support hours, guidelines, branding, webhooks. Like every form
here they only validate; the services own the rules."""
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (BooleanField, PasswordField, SelectField, SelectMultipleField, StringField, TextAreaField,
                     widgets)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..models import WebhookEvent, WebhookFormat
from ..services import branding, business_hours, site_settings
from ..services.community.posts import BODY_MAX
from ..services.faq import categories, entries
from ..services.outreach import alerts
from . import REQUIRED, BaseForm


class EntryForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED),
                                                 Length(max=entries.TITLE_MAX)])
    question = TextAreaField(_l("Question summary"), validators=[Optional(), Length(max=BODY_MAX)],
                             description=_l("What readers ask, in a few sentences. Markdown is supported."))
    answer = TextAreaField(_l("Answer"), validators=[DataRequired(REQUIRED),
                                                     Length(max=BODY_MAX)])
    category = SelectField(_l("Category"), coerce=int, default=0)
    summary = StringField(_l("Edit summary"), validators=[Optional(), Length(max=300)])


class CategoryForm(BaseForm):
    name = StringField(_l("Name (English)"), validators=[DataRequired(REQUIRED),
                                                         Length(max=categories.NAME_MAX)])
    name_ja = StringField(_l("Name (Japanese)"), validators=[Optional(), Length(max=categories.NAME_MAX)],
                          description=_l("Shown to readers who use the site in Japanese; empty: the English name."))
    description = StringField(_l("Description"), validators=[Optional(), Length(max=categories.DESCRIPTION_MAX)])


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
    note_ja = TextAreaField(_l("Note (Japanese)"), validators=[Length(max=business_hours.NOTE_MAX)],
                            description=_l("Shown with the hours to readers who use the site in Japanese."))
    note_en = TextAreaField(_l("Note (English)"), validators=[Length(max=business_hours.NOTE_MAX)],
                            description=_l("Shown with the hours to readers who use the site in English. "
                                           "When one note is empty, the other is shown."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = business_hours.day_names(str(get_locale() or "en"))
        self.days.choices = [SelectChoice(day, names[day]) for day in business_hours.EVERY_DAY]


class GuidelinesForm(BaseForm):
    body = TextAreaField(_l("Community guidelines (English)"), validators=[Length(max=site_settings.GUIDELINES_MAX)],
                         description=_l("Markdown. Leave both empty to restore the default text."))
    body_ja = TextAreaField(_l("Community guidelines (Japanese)"),
                            validators=[Length(max=site_settings.GUIDELINES_MAX)],
                            description=_l("Markdown. Readers see the text in their language, or the other one "
                                           "when it is empty."))


class WidgetForm(BaseForm):
    origins = TextAreaField(_l("Sites that may embed the widget"), validators=[Length(max=4000)],
                            description=_l("One origin per line, e.g. https://help.example.com (no path)."))
    contact_url = StringField(_l("“Contact support” link"), validators=[Length(max=300)],
                              description=_l("A https:// page or a mailto: address, shown during support hours. "
                                             "Leave empty to hide the button."))


class BrandingForm(BaseForm):
    name_ja = StringField(_l("Site name (Japanese)"), validators=[Length(max=branding.NAME_MAX)])
    name_en = StringField(_l("Site name (English)"), validators=[Length(max=branding.NAME_MAX)],
                          description=_l("Each language falls back to the other; leave both empty for “Kotae”."))
    tagline_ja = StringField(_l("Tagline (Japanese)"), validators=[Length(max=branding.TAGLINE_MAX)])
    tagline_en = StringField(_l("Tagline (English)"), validators=[Length(max=branding.TAGLINE_MAX)],
                             description=_l("Shown beside the name in the header and in the footer."))
    accent = StringField(_l("Accent colour"), validators=[Length(max=7)],
                         description=_l("Buttons, links and highlights, as #rrggbb. It must reach a contrast "
                                        "ratio of 4.5:1 with white text. Leave empty for the default blue."))
    logo = FileField(_l("Logo"), description=_l("PNG, JPEG or WebP, at most 512 KB; shown 28 pixels high. "
                                                "The favicon is made from it unless you upload one."))
    remove_logo = BooleanField(_l("Remove the logo"))
    favicon = FileField(_l("Favicon"), description=_l("PNG, JPEG or WebP, at most 512 KB; a square image works "
                                                      "best."))
    remove_favicon = BooleanField(_l("Remove the favicon"))


class WebhookForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=80)],
                       description=_l("For you, e.g. \"#support channel\"."))
    url = StringField(_l("URL"), validators=[DataRequired(REQUIRED), Length(max=500)],
                      description=_l("Slack-compatible: the incoming-webhook URL. ChatWork: "
                                     "https://api.chatwork.com/v2/rooms/ROOM_ID/messages"))
    format = SelectField(_l("Format"), choices=[SelectChoice(WebhookFormat.SLACK, _l("Slack-compatible (JSON)")),
                                                SelectChoice(WebhookFormat.CHATWORK, _l("ChatWork (API token)"))])
    events = SelectMultipleField(_l("Events"), choices=[],
                                 widget=widgets.ListWidget(prefix_label=False),
                                 option_widget=widgets.CheckboxInput(), validate_choice=False)
    secret = PasswordField(_l("Secret or token"), validators=[Length(max=200)],
                           description=_l("Slack-compatible: a secret to sign each payload with HMAC-SHA256 "
                                          "(optional). ChatWork: your API token (sent as X-ChatWorkToken). "
                                          "Never shown again; leave blank to keep the current one."))
    clear_secret = BooleanField(_l("Remove the stored secret or token"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = alerts.event_labels()
        self.events.choices = [SelectChoice(event, labels[event]) for event in WebhookEvent.ALL]
