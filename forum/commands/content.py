"""`flask demo load`, `flask reputation recompute`, `flask badges award`: the community's content and what is
derived from it."""
import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import text

from .. import search
from ..demo import loader
from ..extensions import db
from ..services.reputation import audit, badges
from ..unit_of_work import transaction

demo_cli = AppGroup("demo", help="The bilingual demo community.")
reputation_cli = AppGroup("reputation", help="Audit the reputation ledger.")
badges_cli = AppGroup("badges", help="Award badges.")


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
