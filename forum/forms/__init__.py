"""Flask-WTF forms: they validate input shape and carry CSRF; services own the domain rules."""
from functools import lru_cache

from babel.support import Translations
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, EmailField, HiddenField, IntegerField, PasswordField, RadioField, SelectField,
                     StringField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.i18n import messages_path
from wtforms.validators import DataRequired, Email, EqualTo, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from ..routing import MAX_ID
from ..services.community import submissions
from ..services.community.comments import COMMENT_MAX, COMMENT_MIN
from ..services.community.posts import ANSWER_MIN, BODY_MAX, BODY_MIN, TITLE_MAX, TITLE_MIN

REQUIRED = _l("This field is required.")


def strip_nul(value):
    """PostgreSQL text cannot hold NUL, and no one means to type it: drop it from every submitted string."""
    return value.replace("\x00", "") if isinstance(value, str) else value


class BaseForm(FlaskForm):
    """Every form of the site: CSRF from Flask-WTF, and NUL bytes dropped from what was typed."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = [*unbound_field.kwargs.get("filters", ()), strip_nul]
            return unbound_field.bind(form=form, filters=filters, **options)

        def get_translations(self, form):
            # WTForms' own messages in the reader's language. Flask-WTF parses the catalogue on every request
            # that builds a form; it never changes while the process runs.
            return _wtforms_catalogue(str(get_locale() or "en"))


@lru_cache(maxsize=16)
def _wtforms_catalogue(locale: str) -> Translations:
    return Translations.load(messages_path(), [locale], domain="wtforms")


class PostingForm(BaseForm):
    """A form that creates something: its one-time token makes a resent form post once
    (services/community/submissions)."""
    submission_token = HiddenField(default=submissions.new_token,
                                   validators=[Optional(), Length(max=submissions.TOKEN_MAX)])
    # Shown only once personal data was found in what was typed (services/moderation/holds).
    post_anyway = BooleanField(_l("Post anyway (staff will review it before it is shown)"))


class LoginForm(BaseForm):
    login = StringField(_l("Username or e-mail"), validators=[DataRequired(REQUIRED), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED), Length(max=256)])
    remember = BooleanField(_l("Keep me signed in"))
    next = HiddenField()


class RegisterForm(BaseForm):
    username = StringField(_l("Username"), validators=[DataRequired(REQUIRED), Length(min=3, max=30)],
                           description=_l("3-30 letters, digits, '.', '-' or '_'. Shown on your posts."))
    email = EmailField(_l("E-mail"), validators=[DataRequired(REQUIRED), Email(_l("Enter a valid e-mail address.")),
                                                  Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED), Length(min=8, max=256)],
                             description=_l("At least 8 characters."))
    confirm = PasswordField(_l("Repeat password"), validators=[
        DataRequired(REQUIRED), EqualTo("password", _l("The passwords do not match."))])
    next = HiddenField()


class QuestionForm(PostingForm):
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), Length(min=TITLE_MIN, max=TITLE_MAX)],
                        description=_l("Be specific and imagine you are asking another person."))
    body = TextAreaField(_l("Body"), validators=[DataRequired(REQUIRED), Length(min=BODY_MIN, max=BODY_MAX)],
                         description=_l("Describe what you tried and what you expected. Markdown is supported."))
    tags = StringField(_l("Tags"), validators=[DataRequired(REQUIRED), Length(max=200)],
                       description=_l("1-5 tags separated by spaces or commas, e.g. sync windows"))
    # Empty: detected from the title and body when the question is saved (services/community/language.py).
    language = SelectField(_l("Language"), default="", validators=[Optional()], choices=[
        SelectChoice("", _l("Detect from the text")), SelectChoice("ja", "日本語"), SelectChoice("en", "English")],
        description=_l("Readers filter questions by language. Leave it to be detected, or choose."))
    summary = StringField(_l("Edit summary"), validators=[Optional(), Length(max=300)])


class AnswerForm(PostingForm):
    body = TextAreaField(_l("Your answer"), validators=[DataRequired(REQUIRED), Length(min=ANSWER_MIN, max=BODY_MAX)])
    summary = StringField(_l("Edit summary"), validators=[Optional(), Length(max=300)])


class QuestionEditForm(QuestionForm):
    base_revision = IntegerField(widget=HiddenInput(), validators=[Optional(), NumberRange(min=0, max=MAX_ID)])


class AnswerEditForm(AnswerForm):
    base_revision = IntegerField(widget=HiddenInput(), validators=[Optional(), NumberRange(min=0, max=MAX_ID)])


class CommentForm(PostingForm):
    body = TextAreaField(_l("Comment"), validators=[DataRequired(REQUIRED), Length(min=COMMENT_MIN, max=COMMENT_MAX)])


class ProfileForm(BaseForm):
    about = TextAreaField(_l("About me"), validators=[Optional(), Length(max=3000)],
                          description=_l("Markdown is supported."))
    locale = SelectField(_l("Language"), choices=[
        SelectChoice("", _l("Browser default")), SelectChoice("en", "English"), SelectChoice("ja", "日本語")],
        validators=[Optional()])
    email_notifications = SelectField(_l("E-mail notifications"), choices=[
        SelectChoice("instant", _l("Instantly")), SelectChoice("daily", _l("Daily digest")),
        SelectChoice("off", _l("Never"))], default="instant",
        description=_l("Your inbox on the site always shows everything."))


class PasswordForm(BaseForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED)])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(REQUIRED), Length(min=8, max=256)])
    confirm = PasswordField(_l("Repeat new password"), validators=[
        DataRequired(REQUIRED), EqualTo("new_password", _l("The passwords do not match."))])


class ActionForm(BaseForm):
    """An empty form: a POST button that carries only the CSRF token."""


class ApiTokenForm(BaseForm):
    """A new personal API token: a name to tell it by, what it may do, and when it stops working."""
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=60)],
                       description=_l("What uses it, e.g. “support chatbot”."))
    scope = RadioField(_l("Access"), default="read", choices=[
        SelectChoice("read", _l("Read (and answer “did this solve your problem?”)")),
        SelectChoice("write", _l("Read and write: ask, answer, comment, vote and accept as you"))])
    expires_in_days = SelectField(_l("Expires"), default="90", choices=[
        SelectChoice("7", _l("in 7 days")), SelectChoice("30", _l("in 30 days")),
        SelectChoice("90", _l("in 90 days")), SelectChoice("365", _l("in a year")), SelectChoice("", _l("never"))])


class CloseForm(BaseForm):
    """Why a question should be closed; for duplicates, which question it duplicates."""
    reason = RadioField(_l("Why should this question be closed?"), validators=[DataRequired(REQUIRED)])
    duplicate_of = StringField(_l("Duplicate of (question URL or number)"), validators=[Optional(), Length(max=255)])


class ReasonForm(BaseForm):
    """A staff action (lock, unlock, reopen) with an optional reason for the audit log."""
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])


class ReviewForm(BaseForm):
    comment = StringField(_l("Comment for the suggester"), validators=[Optional(), Length(max=300)])
