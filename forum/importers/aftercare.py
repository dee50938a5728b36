"""The end of an import: audit the reputation ledger, award badges, rebuild the search index."""
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import search
from ..extensions import db
from ..services.reputation import audit, badges
from ..services.reputation.ledger import ReputationRules
from .dump import Progress
from .stackexchange import ImportReport, import_dump


@dataclass
class Aftercare:
    """What the end of an import did: reputation audit, badges, search index."""

    drifted: int
    repaired: int
    badges: int
    indexed: int
    index_seconds: float


def import_and_finish(directory: Path, site: str | None = None, rules: ReputationRules | None = None,
                      progress: Progress | None = None,
                      index_progress: Callable[[int], None] | None = None) -> tuple[ImportReport, Aftercare]:
    """Import a dump with per-commit indexing deferred, then audit reputation, award badges and reindex."""
    rules = rules or ReputationRules()
    with search.indexing_deferred():
        report = import_dump(directory, site, rules, progress)
    return report, finish_import(rules, index_progress)


def finish_import(rules: ReputationRules, index_progress: Callable[[int], None] | None = None) -> Aftercare:
    """Check the ledger against a replay (repairing drift if any), award badges and rebuild the search index."""
    drifts = audit.find_drift(rules)
    if drifts:
        audit.fix_drift(drifts, rules)
    repaired = len(drifts) - len(audit.find_drift(rules)) if drifts else 0
    awarded = sum(badges.award_all().values())
    db.session.commit()
    index = search.reindex_all(progress=index_progress)
    return Aftercare(len(drifts), repaired, awarded, index.threads, index.seconds)
