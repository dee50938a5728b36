"""The inbox (/inbox), the header's unread count, and unsubscribing from e-mail (/unsubscribe/<token>)."""
from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import csrf
from ..forms import ActionForm
from ..security import safe_next
from ..services.outreach import notifications
from ..templating import StampMaker
from ._common import paginate

bp = Blueprint("inbox", __name__)


@bp.app_context_processor
def inject_unread_count():
    # A function, so the COUNT runs only when the header calls it (signed-in pages), at most once per request.
    return {"inbox_unread": _unread_count}


def _unread_count() -> int:
    if not current_user.is_authenticated:
        return 0
    if "_inbox_unread" not in g:
        counted = current_user.inbox_unread  # counted when the session was looked up (forum/services/people)
        g._inbox_unread = counted if counted is not None else notifications.unread_count(current_user.id)
    return g._inbox_unread


@bp.get("/inbox")
@login_required
def index():
    """Your notifications, newest first; unread ones highlighted."""
    pagination = paginate(notifications.inbox_query(current_user), current_app.config["INBOX_PER_PAGE"])
    items = [notifications.describe(notification) for notification in pagination.items]
    return render_template("inbox/index.html", pagination=pagination, items=items, stamp=StampMaker(),
                           form=ActionForm())


@bp.get("/inbox/<int:notification_id>")
@login_required
def open_item(notification_id: int):
    """Mark the notification read and go to what it is about (same-site paths only)."""
    notification = notifications.open_notification(current_user, notification_id)
    return redirect(safe_next(notification.url, url_for(".index")))


@bp.post("/inbox/read")
@login_required
def mark_all_read():
    if not ActionForm().validate_on_submit():
        abort(400)
    count = notifications.mark_all_read(current_user)
    if count:
        flash(_("All notifications are marked as read."), "success")
    return redirect(url_for(".index"))


@bp.get("/unsubscribe/<token>")
def unsubscribe(token: str):
    """Ask before turning e-mail off: mail scanners follow links, so a GET changes nothing."""
    user = notifications.user_for_token(token)
    return render_template("inbox/unsubscribe.html", user=user, token=token, form=ActionForm())


@bp.post("/unsubscribe/<token>")
def confirm_unsubscribe(token: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    notifications.unsubscribe(token)
    return render_template("inbox/unsubscribed.html")


@bp.post("/unsubscribe/<token>/one-click")
@csrf.exempt  # RFC 8058: the mail client POSTs without our CSRF token; the signed token is the credential
def one_click_unsubscribe(token: str):
    notifications.unsubscribe(token)
    return render_template("inbox/unsubscribed.html")


@bp.get("/unsubscribe/<token>/one-click")
def one_click_page(token: str):
    """A client without one-click support opens the header's link: show the confirmation page."""
    return redirect(url_for(".unsubscribe", token=token))
