"""`flask jobs run`: the periodic jobs for cron or a one-off (the web processes run them by themselves)."""
import click
from flask.cli import AppGroup

from ..jobs import run_due


jobs_cli = AppGroup("jobs", help="Periodic jobs (the web processes run them; this is for cron or a one-off).")


@jobs_cli.command("run")
def run_command() -> None:
    """Run every job that is due now (alerts scan, webhook deliveries, e-mail, the daily digest)."""
    results = run_due()
    if not results:
        click.echo("Nothing was due.")
    for name, result in results.items():
        click.echo(f"{name}: {result}")
