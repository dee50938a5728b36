"""`flask db copy --to URL`: move a community to another database (SQLite to PostgreSQL), beside Flask-Migrate's
own `flask db` commands."""
import click
from flask import current_app
from sqlalchemy import create_engine
from sqlalchemy.exc import ArgumentError, OperationalError

from .. import database, dbcopy
from ..extensions import db


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
