"""/admin/webhooks: outgoing chat alerts. Staff may look; only admins add, change, delete, test or retry."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from ...extensions import db
from ...forms.staff import WebhookForm
from ...models import Webhook, WebhookDelivery
from ...services.outreach import alerts, webhooks
from ...services.errors import Invalid
from .._common import attach_error, paginate
from . import bp


def _overview():
    last = (select(WebhookDelivery.webhook_id, func.max(WebhookDelivery.id).label("last_id"))
            .group_by(WebhookDelivery.webhook_id).subquery())
    return db.session.execute(
        select(Webhook, WebhookDelivery)
        .outerjoin(last, last.c.webhook_id == Webhook.id)
        .outerjoin(WebhookDelivery, WebhookDelivery.id == last.c.last_id)
        .order_by(Webhook.name, Webhook.id)
    ).all()


def _render_list(form: WebhookForm, status: int = 200):
    return render_template("admin/webhooks.html", rows=_overview(), form=form, labels=alerts.event_labels(),
                           can_edit=current_user.is_admin, masked_url=alerts.masked_url), status


@bp.get("/webhooks")
def webhooks_list():
    """Every webhook with its last delivery, and (for admins) the form to add one."""
    return _render_list(WebhookForm(formdata=None))


@bp.post("/webhooks")
def webhooks_create():
    alerts.require_admin(current_user)
    form = WebhookForm()
    if form.validate_on_submit():
        try:
            webhook = alerts.create_webhook(current_user, form.name.data, form.url.data, form.format.data,
                                            form.events.data, form.secret.data)
        except Invalid as error:
            attach_error(form, error)
        else:
            flash(_("Webhook %(name)s added.", name=webhook.name), "success")
            return redirect(url_for(".webhooks_list"))
    return _render_list(form, 400)


@bp.route("/webhooks/<int:webhook_id>/edit", methods=["GET", "POST"])
def webhooks_edit(webhook_id: int):
    webhook = alerts.get_webhook(webhook_id)
    alerts.require_admin(current_user)
    form = WebhookForm(data={"name": webhook.name, "url": webhook.url, "format": webhook.format,
                             "events": webhook.event_list})
    if form.validate_on_submit():
        try:
            alerts.update_webhook(current_user, webhook, form.name.data, form.url.data, form.format.data,
                                  form.events.data, form.secret.data, form.clear_secret.data)
        except Invalid as error:
            attach_error(form, error)
        else:
            flash(_("Webhook %(name)s saved.", name=webhook.name), "success")
            return redirect(url_for(".webhooks_list"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("admin/webhooks_edit.html", form=form, webhook=webhook), status


@bp.post("/webhooks/<int:webhook_id>/<any(enable, disable):action>")
def webhooks_toggle(webhook_id: int, action: str):
    webhook = alerts.get_webhook(webhook_id)
    alerts.set_active(current_user, webhook, action == "enable")
    flash(_("Webhook enabled.") if webhook.active else _("Webhook disabled."), "success")
    return redirect(url_for(".webhooks_list"))


@bp.post("/webhooks/<int:webhook_id>/delete")
def webhooks_delete(webhook_id: int):
    webhook = alerts.get_webhook(webhook_id)
    name = webhook.name
    alerts.delete_webhook(current_user, webhook)
    flash(_("Webhook %(name)s deleted.", name=name), "success")
    return redirect(url_for(".webhooks_list"))


@bp.post("/webhooks/<int:webhook_id>/test")
def webhooks_test(webhook_id: int):
    """Queue a test message; it is sent after the commit, so this returns at once."""
    webhook = alerts.get_webhook(webhook_id)
    alerts.send_test(current_user, webhook)
    flash(_("A test message is on its way; its result appears in the delivery log."), "success")
    return redirect(url_for(".webhooks_deliveries", webhook_id=webhook.id))


@bp.get("/webhooks/<int:webhook_id>/deliveries")
def webhooks_deliveries(webhook_id: int):
    """The delivery log: newest first, with HTTP status, attempts, error and the message as sent."""
    webhook = alerts.get_webhook(webhook_id)
    pagination = paginate(select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook.id)
                          .order_by(WebhookDelivery.id.desc()), 30)
    previews = {delivery.id: webhooks.preview(delivery) for delivery in pagination.items}
    return render_template("admin/webhooks_deliveries.html", webhook=webhook, pagination=pagination,
                           previews=previews, labels=alerts.event_labels(), can_edit=current_user.is_admin,
                           masked_url=alerts.masked_url)


@bp.post("/webhooks/deliveries/<int:delivery_id>/retry")
def webhooks_retry(delivery_id: int):
    delivery = webhooks.retry(current_user, delivery_id)
    flash(_("The delivery will be sent again now."), "success")
    return redirect(url_for(".webhooks_deliveries", webhook_id=delivery.webhook_id))
