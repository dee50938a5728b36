"""Personal API tokens on the member's own settings: create (the secret is shown once), list, revoke."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..forms import ActionForm, ApiTokenForm
from ..services.errors import DomainError
from ..services.people import api_tokens
from ._common import attach_error, limit

bp = Blueprint("tokens", __name__, url_prefix="/users/tokens")


@bp.route("", methods=["GET", "POST"])
@login_required
@limit("POST_RATE_LIMIT")
def index():
    """Your tokens, and a form for a new one; after creating, the page shows the secret this once."""
    form = ApiTokenForm()
    secret = None
    if form.validate_on_submit():
        days = int(form.expires_in_days.data) if form.expires_in_days.data else None
        try:
            _token, secret = api_tokens.create_token(current_user, form.name.data, form.scope.data, days)
        except DomainError as error:
            attach_error(form, error)
        else:
            form = ApiTokenForm(formdata=None)
    status = 400 if form.errors or form.form_errors else 200
    response = render_template("users/tokens.html", form=form, tokens=api_tokens.tokens_of(current_user),
                               secret=secret, action_form=ActionForm())
    return response, status, {"Cache-Control": "no-store"}  # the secret must not stay in any cache


@bp.post("/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    api_tokens.revoke(current_user, token_id)  # another member's token: 404
    flash(_("The token is revoked; programs using it are refused from now on."), "success")
    return redirect(url_for(".index"))
