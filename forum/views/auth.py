"""Register, log in, log out."""
from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user, login_required

from .. import login_throttle
from ..forms import LoginForm, RegisterForm
from ..security import safe_next, sign_in, sign_out
from ..services.people import accounts
from ..services.errors import DomainError
from ._common import attach_error, limit
from .errors import error_response

bp = Blueprint("auth", __name__)


@bp.route("/register", methods=["GET", "POST"])
@limit("REGISTER_RATE_LIMIT")
def register():
    """Create an account and sign in."""
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
            return redirect(safe_next(form.next.data, url_for("questions.index")))
    return render_template("auth/register.html", form=form), 400 if form.errors or form.form_errors else 200


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with a username or e-mail address; failed attempts are limited (forum/login_throttle.py)."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next"), url_for("questions.index")))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = accounts.find_by_login(form.login.data)
        counter = login_throttle.account_key(user.id if user else None, form.login.data)
        wait = login_throttle.charge(counter, request.remote_addr)
        if wait is not None:
            return too_many_sign_ins(wait)
        if not accounts.password_matches(user, form.password.data):
            # One message for unknown user and wrong password, so accounts cannot be probed.
            form.form_errors.append(_("Incorrect username, e-mail or password."))
        else:
            login_throttle.forgive(counter, request.remote_addr)
            sign_in(user, remember=form.remember.data)
            return redirect(safe_next(form.next.data, url_for("questions.index")))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("auth/login.html", form=form), status


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

