"""Privacy requests in the member's settings (APPI): download my data, delete my account."""
import json

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..forms.accounts import DeleteAccountForm
from ..models import utcnow
from ..security import sign_out
from ..services.errors import DomainError
from ..services.people import deletion, export, identity
from ._common import attach_error, limit, rules

bp = Blueprint("privacy", __name__, url_prefix="/users/settings/privacy")


@bp.get("")
@login_required
def index():
    """What the site keeps, the download button and the way to delete the account."""
    return render_template("users/privacy.html")


@bp.get("/export.json")
@login_required
def download():
    """Everything about the signed-in member, as a JSON file."""
    data = export.export_user_data(current_user)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    filename = f"kotae-data-{current_user.id}-{utcnow():%Y%m%d}.json"
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


@bp.route("/delete", methods=["GET", "POST"])
@login_required
@limit("ACCOUNT_DELETE_RATE_LIMIT")
def delete_account():
    """Delete your own account after typing your password; your posts stay under an anonymous name."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            deletion.delete_own_account(current_user, form.password.data or "", rules(),
                                        typed_username=form.username.data or "")
        except DomainError as error:
            if error.status_code == 409:
                raise  # the last administrator: the error page explains
            attach_error(form, error)
        else:
            sign_out()
            flash(_("Your account is deleted. Thank you for having been part of the community."), "success")
            return redirect(url_for("questions.index"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("users/delete.html", form=form, has_password=identity.has_password(current_user)), status
