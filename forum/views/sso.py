"""Single sign-on: off to the identity provider and back; link or unlink it from the account settings."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import sso
from ..forms import ActionForm
from ..security import safe_next, sign_in
from ..services.people import identity

bp = Blueprint("sso", __name__, url_prefix="/sso")


@bp.before_request
def require_configured():
    if not sso.enabled():
        abort(404)


@bp.errorhandler(sso.SsoError)
def sso_problem(error: sso.SsoError):
    """Provider down, consent refused, forged state, bad nonce...: a page that says so, never a stack trace."""
    return render_template("auth/sso_problem.html", message=error.message, status=error.status), error.status


@bp.get("/login")
def login():
    """Send the browser to the identity provider; it comes back to `callback`."""
    next_url = safe_next(request.args.get("next"), url_for("questions.index"))
    if current_user.is_authenticated:
        return redirect(next_url)
    return sso.start("login", next_url)


@bp.post("/link")
@login_required
def link():
    """From the account settings: sign in at the provider to link that account to this one."""
    if not ActionForm().validate_on_submit():
        abort(400)
    return sso.start("link", url_for("users.settings"))


@bp.get("/callback")
def callback():
    """The provider's answer: verified by sso.finish, then the account rules decide who signs in."""
    claims, started = sso.finish()
    next_url = safe_next(started.get("next"), url_for("questions.index"))
    if started.get("intent") == "link":
        if not current_user.is_authenticated:
            raise sso.SsoError(400, _("You were signed out before the link was made. Log in and try again."))
        identity.link_identity(current_user, claims)
        flash(_("Your account is now linked to %(provider)s.", provider=sso.provider_name()), "success")
        return redirect(next_url)
    outcome = identity.sign_in_with_provider(claims, sso.policy())
    sign_in(outcome.user)
    if outcome.created:
        flash(_("Welcome to the community, %(name)s!", name=outcome.user.username), "success")
    elif outcome.linked:
        flash(_("Your account is now linked to %(provider)s.", provider=sso.provider_name()), "success")
    return redirect(next_url)


@bp.post("/unlink")
@login_required
def unlink():
    """Remove the link (refused when it is the only way into the account, or on SSO-only sites)."""
    if not ActionForm().validate_on_submit():
        abort(400)
    identity.unlink_identity(current_user, request.form.get("issuer", ""), sso.policy())
    flash(_("%(provider)s is no longer linked to your account.", provider=sso.provider_name()), "success")
    return redirect(url_for("users.settings"))
