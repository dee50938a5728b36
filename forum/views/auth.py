"""Register, log in, log out; a forgotten password; confirming an e-mail address."""
import hashlib

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user, login_required

from .. import login_throttle, sso
from ..forms import ActionForm, LoginForm, RegisterForm
from ..forms.accounts import ForgotPasswordForm, ResetPasswordForm
from ..security import safe_next, sign_in, sign_out
from ..services.outreach import mail
from ..services.people import accounts, recovery, verification
from ..services.people.tokens import LinkError
from ..services.errors import DomainError
from ._common import attach_error, limit
from .errors import error_response

bp = Blueprint("auth", __name__)


def passwords_off():
    """SSO-only sites have no sign-up or password reset (their pages and POSTs are 404)."""
    if sso.sso_only():
        abort(404)


@bp.route("/register", methods=["GET", "POST"])
@limit("REGISTER_RATE_LIMIT")
def register():
    """Create an account and sign in."""
    passwords_off()
    if current_user.is_authenticated:
        return redirect(url_for("questions.index"))
    form = RegisterForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = accounts.register_user(form.username.data, form.email.data, form.password.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            sign_in(user)
            flash(_("Welcome to the community, %(name)s!", name=user.username), "success")
            if verification.send_verification(user):
                flash(_("We sent a link to %(address)s: follow it to confirm your address.", address=user.email),
                      "info")
            return redirect(safe_next(form.next.data, url_for("questions.index")))
    return render_template("auth/register.html", form=form), 400 if form.errors or form.form_errors else 200


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with a username or e-mail address; failed attempts are limited (forum/login_throttle.py)."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next"), url_for("questions.index")))
    form = LoginForm(next=request.args.get("next", ""))
    if request.method == "POST" and not sso.password_sign_in_allowed():
        abort(403)  # SSO-only, with no administrators' break-glass
    if form.validate_on_submit():
        user = accounts.find_by_login(form.login.data)
        counter = login_throttle.account_key(user.id if user else None, form.login.data)
        wait = login_throttle.charge(counter, request.remote_addr)
        if wait is not None:
            return too_many_sign_ins(wait)
        if not accounts.password_matches(user, form.password.data):
            # One message for unknown user and wrong password, so accounts cannot be probed.
            form.form_errors.append(_("Incorrect username, e-mail or password."))
        elif not sso.password_sign_in_allowed(user):
            return error_response(403, _("Passwords are switched off on this site: log in with %(provider)s.",
                                         provider=sso.provider_name()))
        else:
            login_throttle.forgive(counter, request.remote_addr)
            sign_in(user, remember=form.remember.data)
            return redirect(safe_next(form.next.data, url_for("questions.index")))
    status = 400 if form.errors or form.form_errors else 200
    # SSO-only: the button alone; administrators find the form at /login?password=1 (break-glass).
    show_form = not sso.sso_only() or (request.args.get("password") and sso.password_sign_in_allowed())
    return render_template("auth/login.html", form=form, show_password_form=show_form), status


def too_many_sign_ins(seconds: int):
    minutes = max(1, -(-seconds // 60))
    body, status = error_response(429, ngettext(
        "Too many failed sign-ins. Please wait %(num)d minute and try again.",
        "Too many failed sign-ins. Please wait %(num)d minutes and try again.", minutes))
    response = make_response(body, status)
    response.headers["Retry-After"] = str(seconds)
    return response


@bp.post("/logout")
@login_required
def logout():
    """Sign out (a POST with the CSRF token, so other sites cannot log people out)."""
    sign_out()
    flash(_("You have logged out."), "info")
    return redirect(url_for("questions.index"))


# --- A forgotten password ---

def _typed_address_key() -> str:
    """The per-address counter of reset requests, keyed on what was typed (hashed: no addresses in the store)."""
    typed = accounts.normalize_email(request.form.get("email", ""))
    return "reset-address:" + hashlib.sha256(typed.encode()).hexdigest()[:32]


@bp.route("/password/forgot", methods=["GET", "POST"])
@limit("PASSWORD_RESET_RATE_LIMIT")
@limit("PASSWORD_RESET_ADDRESS_RATE_LIMIT", key_func=_typed_address_key)
def forgot_password():
    """Ask for a reset link; the answer is the same whether or not the address has an account."""
    passwords_off()
    form = ForgotPasswordForm()
    if mail.enabled() and form.validate_on_submit():
        recovery.request_password_reset(form.email.data)
        return render_template("auth/forgot_sent.html")
    status = 400 if form.errors else 200
    return render_template("auth/forgot.html", form=form, mail_enabled=mail.enabled()), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Set a new password from the link in the e-mail; every session of the account ends."""
    passwords_off()
    try:
        recovery.check_reset_link(token)
    except LinkError as error:
        return link_problem(error)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            recovery.reset_password(token, form.password.data)
        except LinkError as error:
            return link_problem(error)
        except DomainError as error:
            attach_error(form, error)
        else:
            sign_out()  # this browser too: the new password signs in afresh
            flash(_("Your password is changed and you are signed out everywhere. Log in with the new password."),
                  "success")
            return redirect(url_for(".login"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("auth/reset.html", form=form, token=token), status


def link_problem(error: LinkError):
    """A link from an e-mail that cannot be used: a page saying why and what to do (400)."""
    return render_template("auth/link_problem.html", reason=error.reason, message=str(error.message)), 400


# --- Confirming an e-mail address ---

@bp.get("/verify-email/<token>")
def verify_email(token: str):
    """Follow the link sent at sign-up or after asking for a new address."""
    try:
        outcome = verification.confirm(token)
    except LinkError as error:
        return link_problem(error)
    if outcome.already:
        flash(_("Your e-mail address was already confirmed."), "info")
    elif outcome.changed_from:
        flash(_("Your e-mail address is now %(address)s.", address=outcome.user.email), "success")
    else:
        flash(_("Thank you: your e-mail address is confirmed."), "success")
    return redirect(url_for("questions.index"))


@bp.post("/verify-email/resend")
@login_required
@limit("VERIFICATION_EMAIL_RATE_LIMIT")
def resend_verification():
    """The banner's "resend" button."""
    if not ActionForm().validate_on_submit():
        abort(400)
    if verification.send_verification(current_user):
        flash(_("We sent a new link to %(address)s.", address=current_user.email), "success")
    else:
        flash(_("There is nothing to confirm: your address is confirmed, or this site cannot send e-mail."), "info")
    return redirect(safe_next(request.form.get("next"), url_for("questions.index")))
