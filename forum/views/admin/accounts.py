"""/admin/users/<id>/delete: an administrator deletes an account, keeping its posts anonymised or removing them."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...extensions import db
from ...forms.accounts import AdminDeleteUserForm
from ...models import User
from ...services.people import deletion
from ...services.people.deletion import ANONYMISE
from .._common import rules
from . import bp


@bp.route("/users/<int:user_id>/delete", methods=["GET", "POST"])
def delete_user(user_id: int):
    """Confirm and delete (administrators only; the last administrator is refused with 409)."""
    if not current_user.is_admin:
        abort(403)
    user = db.session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        abort(404)
    form = AdminDeleteUserForm()
    if form.validate_on_submit():
        deletion.delete_account_as_admin(current_user, user, form.posts.data, rules())
        flash(_("The account is deleted; its posts stay under an anonymous name.") if form.posts.data == ANONYMISE
              else _("The account and its posts are deleted."), "success")
        if user.id == current_user.id:
            return redirect(url_for("questions.index"))
        return redirect(url_for("admin.audit", action="user.delete"))
    status = 400 if form.errors else 200
    return render_template("admin/delete_user.html", user=user, form=form), status
