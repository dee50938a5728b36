"""Forms of the account pages: a forgotten password, the e-mail address, privacy requests (download, delete).
They only validate; forum/services/people/ owns the rules."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from ..services.people.deletion import ANONYMISE, REMOVE
from . import REQUIRED, BaseForm


class ForgotPasswordForm(BaseForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(REQUIRED), Email(_l("Enter a valid e-mail address.")),
                                                  Length(max=254)],
                       description=_l("The address of your account. We will send you a link to set a new password."))


class ResetPasswordForm(BaseForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(REQUIRED), Length(min=8, max=256)],
                             description=_l("At least 8 characters."))
    confirm = PasswordField(_l("Repeat new password"), validators=[
        DataRequired(REQUIRED), EqualTo("password", _l("The passwords do not match."))])


class EmailChangeForm(BaseForm):
    email = EmailField(_l("New e-mail address"), validators=[
        DataRequired(REQUIRED), Email(_l("Enter a valid e-mail address.")), Length(max=254)],
        description=_l("We send a link to the new address; it replaces the old one once you follow it."))
    password = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED), Length(max=256)])


class DeleteAccountForm(BaseForm):
    """The password confirms the deletion; members without one (single sign-on only) type their username."""

    password = PasswordField(_l("Your password"), validators=[Optional(), Length(max=256)])
    username = StringField(_l("Your username"), validators=[Optional(), Length(max=64)])
    confirm = BooleanField(_l("I understand that my account is deleted for good and cannot be restored."),
                           validators=[DataRequired(_l("Tick the box to confirm."))])


class AdminDeleteUserForm(BaseForm):
    posts = RadioField(_l("The member's posts"), choices=[
        SelectChoice(ANONYMISE, _l("Keep them under an anonymous name (“deleted user”)")),
        SelectChoice(REMOVE, _l("Remove them (questions, answers and comments)"))],
        default=ANONYMISE, validators=[DataRequired(REQUIRED)])
    confirm = BooleanField(_l("I understand that this account is deleted for good and cannot be restored."),
                           validators=[DataRequired(_l("Tick the box to confirm."))])
