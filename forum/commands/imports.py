"""`flask --app wsgi import stackexchange DIR [--site NAME]`: a thin command over forum.importers."""
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from .. import search
from ..importers import aftercare, stackexchange
from ..search import indexer

import_cli = AppGroup("import", help="Import content from elsewhere.")


def _bar(label: str, length: int):
    return click.progressbar(length=length, label=f"{label:<16}", file=sys.stderr)


@import_cli.command("stackexchange")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--site", help="The site's host name (default: the folder's name, e.g. conlang.meta.stackexchange.com).")
def import_stackexchange(directory: Path, site: str | None) -> None:
    """Import a Stack Exchange data dump folder (Users.xml, Posts.xml, ...); safe to re-run."""
    rules = current_app.config["REPUTATION"]
    with search.indexing_deferred():
        report = stackexchange.import_dump(directory, site, rules, progress=_bar)
    click.echo(f"Imported from {report.site} in {report.seconds:.1f}s ({report.rate:.0f} posts/s): "
               + (", ".join(f"{n} {name}" for name, n in report.counts.items()) or "nothing"))
    problems = report.problems
    if problems.total:
        per_file = ", ".join(f"{n} in {name}" for name, n in problems.counts.items())
        click.echo(f"Skipped {problems.total} malformed row(s) ({per_file}); first ones:")
        for example in problems.examples:
            click.echo(f"  {example}")
    with _bar("Search index", indexer.expected_count()) as bar:
        after = aftercare.finish_import(rules, index_progress=bar.update)
    if after.drifted:
        click.echo(f"Reputation: {after.drifted} user(s) drifted from the ledger replay; repaired {after.repaired}.")
    else:
        click.echo("Reputation: no drift, every user's total matches the ledger.")
    click.echo(f"Awarded {after.badges} badge(s); indexed {after.indexed} threads in {after.index_seconds:.1f}s.")
