"""Command-line tools: `flask --app wsgi users create ...`, `flask --app wsgi demo load`, `... badges award --all`."""
import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_migrate.cli import db as migrate_cli
from sqlalchemy import create_engine, text
from sqlalchemy.exc import ArgumentError, OperationalError

from . import database, dbcopy, search
from .alerts_cli import alerts_cli, webhooks_cli
from .demo import loader
from .extensions import db
from .importers.cli import import_cli
from .models import Role
from .services.people import accounts
from .services.reputation import audit, badges
from .services.outreach import mail, notifications
from .services.errors import DomainError
from .unit_of_work import transaction

users_cli = AppGroup("users", help="Manage accounts.")
reputation_cli = AppGroup("reputation", help="Audit the reputation ledger.")
demo_cli = AppGroup("demo", help="The bilingual demo community.")
badges_cli = AppGroup("badges", help="Award badges.")
mail_cli = AppGroup("mail", help="Send e-mail notifications and digests.")


@users_cli.command("create")
@click.argument("username")
@click.option("--email", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", type=click.Choice(Role.ALL), default=Role.MEMBER, show_default=True)
def create_user(username: str, email: str, password: str, role: str) -> None:
    """Create an account, e.g. a staff member with --role admin."""
    try:
        with transaction():
            user = accounts.register_user(username, email, password, role=role)
    except DomainError as error:
        raise click.ClickException(str(error.message)) from None
    click.echo(f"Created {user.role} {user.username} (id {user.id}).")


@users_cli.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice(Role.ALL))
def set_role(username: str, role: str) -> None:
    """Change an existing account's role."""
    try:
        with transaction():
            user = accounts.set_role(username, role)
    except DomainError as error:
        raise click.ClickException(str(error.message)) from None
    click.echo(f"{user.username} is now {user.role}.")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Only load when the database has no users (first start).")
def load_demo(if_empty: bool) -> None:
    """Replace all content with the demo community (or, with --if-empty, load it only on first start)."""
    if if_empty and not loader.database_is_empty():
        click.echo("The database already has content; leaving it as it is.")
        return
    # One rebuild at the end instead of indexing the bulk load thread by thread.
    with search.indexing_deferred(), transaction():
        summary = loader.load_demo(rules=current_app.config["REPUTATION"],
                                   faq_bonus=current_app.config.get("FAQ_PROMOTION_BONUS", 25))
        summary += f", {sum(badges.award_all().values())} badges"  # after the demo's votes, so badges match them
    with transaction():
        db.session.execute(text("ANALYZE"))  # fresh statistics, so the query planner picks the list indexes
    report = search.reindex_all()  # also drops documents of the content the demo replaced
    click.echo(f"Loaded the demo community: {summary}. Every demo account's password is '{loader.DEMO_PASSWORD}'.")
    click.echo(f"Search index rebuilt: {report.threads} threads in {report.seconds:.1f} s.")


@reputation_cli.command("recompute")
@click.option("--check", "mode", flag_value="check", default=True, help="Report drift only (the default).")
@click.option("--fix", "mode", flag_value="fix", help="Repair drifted users from the votes and accepts.")
def recompute_reputation(mode: str) -> None:
    """Replay every vote and accept, compare with the ledger and the users table, report (and repair) drift."""
    rules = current_app.config["REPUTATION"]
    drifts = audit.find_drift(rules)
    for drift in drifts:
        click.echo(f"{drift.username} (id {drift.user_id}): expected {drift.expected}, ledger {drift.ledger}, "
                   f"stored {drift.stored}, shown {drift.displayed}")
    if not drifts:
        click.echo("No drift: every user's reputation matches the votes and accepts.")
        return
    if mode == "fix":
        with transaction():
            audit.fix_drift(drifts, rules)
        remaining = audit.find_drift(rules)
        click.echo(f"Repaired {len(drifts)} user(s); {len(remaining)} still drifting.")
        if remaining:
            raise SystemExit(1)
    else:
        click.echo(f"{len(drifts)} user(s) drift; run with --fix to repair.")
        raise SystemExit(1)


@badges_cli.command("award")
@click.option("--all", "everything", is_flag=True, help="Back-fill every badge.")
@click.option("--badge", "keys", multiple=True, type=click.Choice(sorted(badges.BADGES)), help="Back-fill this badge.")
def award_badges(everything: bool, keys: tuple[str, ...]) -> None:
    """Award every badge whose criterion is met now; safe to re-run (nobody gets a badge twice)."""
    if not everything and not keys:
        raise click.UsageError("Pass --all, or --badge KEY for some badges.")
    selected = list(keys) or [badge.key for badge in badges.BADGE_LIST]
    counts = {}
    with click.progressbar(selected, label="Awarding badges") as bar:
        for key in bar:
            with transaction():  # one per badge keeps write locks short while the site is live
                counts.update(badges.award_all([key]))
    awarded = {key: count for key, count in counts.items() if count}
    if not awarded:
        click.echo("No new badges: everyone already holds what they have earned.")
        return
    details = ", ".join(f"{count} {badges.BADGES[key].name}" for key, count in awarded.items())
    click.echo(f"Awarded {sum(awarded.values())} new badge(s): {details}.")


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


@click.command("copy")
@click.option("--to", "target_url", required=True, metavar="URL",
              help="The database to fill, e.g. postgresql+psycopg://kotae@localhost/kotae.")
@click.option("--force", is_flag=True, help="Replace what the target already holds.")
def copy_database(target_url: str, force: bool) -> None:
    """Copy the whole community (every post, vote, revision, account...) to another database.

    Stop the web processes first (or accept that what is written during the copy stays behind), then point
    DATABASE_URL at the target and run `flask search reindex`.
    """
    source_url = db.engine.url.render_as_string(hide_password=False)
    try:
        target = create_engine(database.normalised_url(target_url))
    except (ArgumentError, ImportError) as error:
        raise click.BadParameter(str(error), param_hint="--to") from None
    source = dbcopy.snapshot_engine(source_url)
    alembic_config = current_app.extensions["migrate"].migrate.get_config()
    total = dbcopy.count_rows(source, db.metadata)
    try:
        with click.progressbar(length=total, label="Copying rows") as bar:
            report = dbcopy.copy_database(source, target, db.metadata, alembic_config, force=force,
                                          progress=bar.update)
    except dbcopy.CopyError as error:
        raise click.ClickException(str(error)) from None
    except OperationalError as error:
        raise click.ClickException(f"Cannot reach the target database: {error.orig}") from None
    finally:
        source.dispose()
        target.dispose()
    for name, (copied, found) in sorted(report.mismatches.items()):
        click.echo(f"{name}: {copied} rows in the source, {found} in the target", err=True)
    if report.mismatches:
        raise click.ClickException("The row counts differ (something wrote to the source during the copy?).")
    click.echo(f"Copied {report.rows} rows in {len(report.counts)} tables at migration {report.revision}; "
               "every table's count matches. Next: point DATABASE_URL at the target and run "
               "`flask search reindex`.")


def init_app(app: Flask) -> None:
    migrate_cli.add_command(copy_database)  # `flask db copy`, beside Flask-Migrate's own db commands
    app.cli.add_command(mail_cli)
    app.cli.add_command(reputation_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(badges_cli)
    app.cli.add_command(import_cli)
    app.cli.add_command(webhooks_cli)
    app.cli.add_command(alerts_cli)
