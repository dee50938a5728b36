"""`flask webhooks deliver|retry` and `flask alerts scan`: cron entry points for outgoing chat alerts.

Suggested crontab (every few minutes; both are safe to run from several hosts at once)::

    */5 * * * *  cd /srv/kotae && .venv/bin/flask --app wsgi alerts scan && .venv/bin/flask --app wsgi webhooks deliver
"""
import click
from flask.cli import AppGroup

from ..services.errors import DomainError
from ..services.outreach import alerts, webhooks
from ..unit_of_work import transaction

webhooks_cli = AppGroup("webhooks", help="Outgoing chat alerts (Slack-compatible and ChatWork webhooks).")
alerts_cli = AppGroup("alerts", help="Find events that only time produces (unanswered questions, FAQ candidates).")


@webhooks_cli.command("deliver")
def deliver() -> None:
    """Send every due delivery now (what the per-process sender thread does after each commit)."""
    counts = webhooks.deliver_due()
    if not counts:
        click.echo("Nothing was due.")
        return
    click.echo(", ".join(f"{count} {status}" for status, count in sorted(counts.items())))


@webhooks_cli.command("retry")
@click.argument("delivery_id", type=int)
def retry(delivery_id: int) -> None:
    """Send one delivery again now (even one that gave up)."""
    try:
        with transaction():
            webhooks.retry(None, delivery_id)
    except DomainError as error:
        raise click.ClickException(str(error.message)) from None
    status = webhooks.deliver_due().get("delivered")
    click.echo(f"Delivery {delivery_id}: {'delivered' if status else 'not delivered (see the delivery log)'}.")


@alerts_cli.command("scan")
def scan() -> None:
    """Queue `question.unanswered` and `faq.candidate` alerts that are due (once per question)."""
    with transaction():
        counts = alerts.scan()
    click.echo(", ".join(f"{count} {event}" for event, count in counts.items()) + " queued.")
