"""/admin/tokens: every live API token on the site; staff can revoke any (logged)."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...forms import ActionForm
from ...services.people import api_tokens
from . import bp


@bp.get("/tokens")
def tokens():
    return render_template("admin/tokens.html", tokens=api_tokens.all_tokens(current_user), form=ActionForm())


@bp.post("/tokens/<int:token_id>/revoke")
def tokens_revoke(token_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    api_tokens.revoke(current_user, token_id)
    flash(_("The token is revoked."), "success")
    return redirect(url_for(".tokens"))
