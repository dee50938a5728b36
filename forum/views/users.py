"""The user directory, profiles and account settings."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import sso
from ..extensions import db
from ..forms import ActionForm, PasswordForm, ProfileForm
from ..forms.accounts import EmailChangeForm
from ..i18n import forget_session_choice
from ..models import User
from ..security import sign_out
from ..services.people import accounts, identity, sessions, users, verification
from ..services.reputation import badges
from ..services.outreach import notifications
from ..services.community import threads
from ..services.errors import DomainError
from ._common import attach_error, limit, paginate

bp = Blueprint("users", __name__, url_prefix="/users")


@bp.get("")
def index():
    """Everyone, by reputation (all time or gained this week/month/year), newest, or name; with a filter box."""
    filter_text = request.args.get("filter", "")[:30]
    sort = request.args.get("sort", "reputation")
    period = request.args.get("period", "all")
    period = period if period in users.PERIODS else "all"
    pagination = paginate(users.users_query(filter_text, sort, period), current_app.config["USERS_PER_PAGE"])
    gains = users.period_gains(pagination.items, period) if sort == "reputation" else {}
    return render_template("users/index.html", pagination=pagination, filter_text=filter_text, sort=sort,
                           period=period, gains=gains)


@bp.get("/<int:user_id>")
@bp.get("/<int:user_id>/<path:_name>")
def profile(user_id: int, _name: str | None = None):
    """A member's profile: about, stats, top tags, recent questions and answers."""
    user = db.session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        abort(404)  # a deleted account keeps no profile
    tab = request.args.get("tab", "activity")
    is_self = current_user.is_authenticated and current_user.id == user.id
    if tab == "votes" and not is_self:
        abort(403)  # the votes someone cast are private
    context = {"stats": users.profile_stats(user), "top_tags": users.top_tags(user)}
    if tab == "questions":
        context["questions"] = paginate(threads.questions_query("newest", author=user, viewer=current_user), 20)
    elif tab == "reputation":
        context["history"] = users.reputation_history(user)
    elif tab == "votes":
        context["votes"] = users.votes_cast(user)
    else:
        tab = "activity"
        context.update(recent_questions=users.recent_questions(user), recent_answers=users.recent_answers(user),
                       badges=badges.profile_badges(user))
    return render_template("users/profile.html", user=user, tab=tab, is_self=is_self, **context)


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    """Edit your profile and language."""
    form = ProfileForm(data={"about": current_user.about_md, "locale": current_user.locale or "",
                             "email_notifications": current_user.email_notifications})
    if form.validate_on_submit():
        accounts.update_profile(current_user, form.about.data or "", form.locale.data)
        forget_session_choice()  # the language just saved applies now, not one picked in the footer earlier
        notifications.set_email_preference(current_user, form.email_notifications.data)
        flash(_("Your profile is saved."), "success")
        return redirect(url_for(".profile", user_id=current_user.id))
    status = 400 if form.errors else 200
    linked = identity.identities_of(current_user) if sso.enabled() else []
    return render_template("users/settings.html", form=form, linked=linked, action_form=ActionForm(),
                           has_password=identity.has_password(current_user)), status


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    if not sso.password_sign_in_allowed(current_user):
        abort(404)  # SSO-only: members have no password here
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current_password.data, form.new_password.data,
                                     keep_session_token=current_user.session_token)
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_("Your password is changed. Your other sessions are signed out."), "success")
            return redirect(url_for(".profile", user_id=current_user.id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("users/password.html", form=form), status


@bp.route("/settings/email", methods=["GET", "POST"])
@login_required
@limit("VERIFICATION_EMAIL_RATE_LIMIT")
def change_email():
    """Ask for a new address: it replaces the old one once the link sent to it is followed. A member without a
    password gets the address from the identity provider at each sign-in, and changes it there."""
    form = EmailChangeForm()
    if not identity.has_password(current_user):
        if request.method == "POST":
            abort(403)
        return render_template("users/email.html", form=None, provider=sso.provider_name())
    if form.validate_on_submit():
        try:
            address = verification.request_email_change(current_user, form.email.data, form.password.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_("We sent a link to %(address)s. Your address changes once you follow it; until then it stays "
                    "%(current)s.", address=address, current=current_user.email), "success")
            return redirect(url_for(".settings"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("users/email.html", form=form), status


@bp.get("/sessions")
@login_required
def session_list():
    """Where you are signed in, with a button to sign out each browser or all the others."""
    rows = sessions.sessions_of(current_user)
    return render_template("users/sessions.html", rows=rows, current_id=current_user.current_session.id,
                           form=ActionForm())


@bp.post("/sessions/<int:session_id>/end")
@login_required
def end_session(session_id: int):
    """Sign one of your browsers out; ending this browser's own session is a logout."""
    if not ActionForm().validate_on_submit():
        abort(400)
    if session_id == current_user.current_session.id:
        sign_out()
        flash(_("You have logged out."), "info")
        return redirect(url_for("questions.index"))
    sessions.revoke(current_user, session_id)  # someone else's session, or one already ended: 404
    flash(_("That browser is signed out."), "success")
    return redirect(url_for(".session_list"))


@bp.post("/sessions/others/end")
@login_required
def end_other_sessions():
    """Sign out everywhere except here."""
    if not ActionForm().validate_on_submit():
        abort(400)
    count = sessions.end_other_sessions(current_user, keep_token=current_user.session_token)
    flash(_("Signed out of %(n)d other sessions.", n=count), "success")
    return redirect(url_for(".session_list"))
