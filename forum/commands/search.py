"""`flask --app wsgi search reindex | check | retry`."""
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from ..search import indexer
from ..search.backend import FAQ, THREADS

search_cli = AppGroup("search", help="The full-text search index.")


@search_cli.command("reindex")
@click.option("--if-missing", is_flag=True, help="Only rebuild when there is no index yet or it is outdated.")
@click.option("--procs", type=int, default=None, help="Worker processes analysing text (default: all cores).")
def reindex(if_missing: bool, procs: int | None) -> None:
    """Rebuild the whole index from the database."""
    service = current_app.extensions["kotae_search"]
    backend = service.backend
    expected = indexer.expected_count()
    if if_missing and _current(backend, THREADS, expected) and _current(backend, FAQ, indexer.expected_faq_count(),
                                                                        needed=False):
        click.echo(f"The search index exists ({backend.doc_count(THREADS)} threads); leaving it as it is.")
        return
    with click.progressbar(length=expected, label="Indexing threads", file=sys.stderr) as bar:
        report = indexer.reindex_all(service, progress=bar.update, procs=procs)
    click.echo(f"Indexed {report.threads} threads in {report.seconds:.1f}s ({report.rate:.0f} threads/s, "
               f"{report.procs} processes) into {backend.location}.")
    click.echo(f"Indexed {report.faq_entries} published FAQ entries.")
    if report.retried:
        click.echo(f"Then re-indexed {report.retried} threads changed during the rebuild.")


@search_cli.command("check")
@click.option("--show", default=10, show_default=True, help="How many ids of each problem to list.")
def check_index(show: int) -> None:
    """Report threads missing from the index or stale in it; exits 1 when any."""
    report = indexer.check(current_app.extensions["kotae_search"])
    click.echo(f"{report.expected} visible questions in the database, {report.indexed} documents in the index, "
               f"{report.pending} outbox row(s) waiting.")
    _problems(report, show, "")
    if report.faq is not None:
        click.echo(f"{report.faq.expected} published FAQ entries, {report.faq.indexed} documents in the FAQ index.")
        _problems(report.faq, show, "FAQ entries ")
    if not report.ok:
        click.echo("Fix with `flask search retry` (outbox) or `flask search reindex`.")
        sys.exit(1)
    click.echo("The index matches the database.")


def _current(backend, kind: str, expected: int, needed: bool = True) -> bool:
    """Whether the index is there, of the current schema and not empty unless nothing is to be indexed (the FAQ
    index is not `needed` until an entry is published: it is created by the first FAQ write)."""
    if not backend.exists(kind):
        return not needed and not expected
    return backend.schema_is_current(kind) and bool(backend.doc_count(kind) or not expected)


def _problems(report, show: int, what: str) -> None:
    if not report.schema_current:
        click.echo(f"The {what or 'thread '}index was built with an older schema: run `flask search reindex`.")
    for label, ids in (("missing", report.missing), ("stale", report.stale), ("extra (deleted)", report.extra)):
        if ids:
            listed = ", ".join(str(i) for i in ids[:show]) + (" ..." if len(ids) > show else "")
            click.echo(f"{len(ids)} {what}{label}: {listed}")


@search_cli.command("retry")
def retry() -> None:
    """Index the threads still waiting in the outbox (after a failed or deferred update)."""
    count = indexer.drain_outbox(current_app.extensions["kotae_search"])
    click.echo(f"Indexed {count} thread(s) and FAQ entries from the outbox.")
    current_app.logger.info("search retry: %d threads", count)
