"""`flask mail send|digest`: e-mail from cron, for those who turn the in-process sender off."""
import click
from flask import current_app
from flask.cli import AppGroup

from ..services.outreach import mail, notifications
from ..unit_of_work import transaction

mail_cli = AppGroup("mail", help="Send e-mail notifications and digests.")


@mail_cli.command("send")
def send_mail() -> None:
    """Send the e-mails still waiting (the web processes send theirs in the background; run this from cron)."""
    if not current_app.config.get("MAIL_SERVER"):
        raise click.ClickException("MAIL_SERVER is not set; e-mail is off.")
    report = mail.deliver(mail.pending_ids())
    for email_id, attempts in report.failed:
        click.echo(f"E-mail {email_id} failed (attempt {attempts}): {mail.last_error(email_id)}")
    click.echo(f"Sent {len(report.sent)} e-mail(s); {len(report.failed)} failed and will be retried.")


@mail_cli.command("digest")
def send_digest() -> None:
    """Send each daily-digest user their unread notifications in one e-mail; run once a day from cron."""
    if not current_app.config.get("MAIL_SERVER"):
        raise click.ClickException("MAIL_SERVER is not set; e-mail is off.")
    with transaction():
        queued = notifications.queue_digests()
    report = mail.deliver(mail.pending_ids())
    click.echo(f"Queued {queued} digest(s); sent {len(report.sent)} e-mail(s), {len(report.failed)} failed.")
