"""/admin/outcomes: how often the FAQ and the threads solve people's problems, week by week."""
import csv
import io

from flask import Response, render_template, request

from ...models import FeedbackTarget
from ...services.insights import deflection, feedback
from ...urls import faq_entry_path
from . import bp

DEFAULT_WEEKS = 12
MAX_WEEKS = 104
CSV_FIELDS = ("week_start", "target_type", "resolved", "helpful", "not_helpful", "total", "self_resolution_rate",
              "helpfulness_rate", "asker_resolved", "asker_total")


def requested_weeks() -> int:
    weeks = request.args.get("weeks", DEFAULT_WEEKS, type=int) or DEFAULT_WEEKS
    return min(max(weeks, 1), MAX_WEEKS)


def weekly_tables(weeks: int) -> dict:
    """Per kind of page: the weekly rows (newest first) and their sum; one query each."""
    tables = {}
    for target_type in FeedbackTarget.ALL:
        rows = feedback.weekly_rates(weeks, target_type)
        tables[target_type] = {"rows": list(reversed(rows)), "total": feedback.totals(rows)}
    return tables


@bp.get("/outcomes")
def outcomes():
    """Self-resolution and helpfulness rates by week, and the pages with the most feedback."""
    weeks = requested_weeks()
    entries = feedback.faq_entry_counts()
    tables = weekly_tables(weeks)
    deflected = list(reversed(deflection.weekly(weeks)))
    by_week = [(week, faq, thread, help_sessions) for (week, faq), (_week, thread), help_sessions
               in zip(tables["faq"]["rows"], tables["thread"]["rows"], deflected)]
    return render_template(
        "admin/outcomes.html", weeks=weeks, tables=tables, by_week=by_week, faq_entries=entries,
        faq_urls={entry.target_id: faq_entry_path(entry.target_id, entry.title) for entry in entries},
        threads=feedback.top_threads(), deflection_total=_sum(deflected),
    )


@bp.get("/outcomes.csv")
def outcomes_csv():
    """The weekly table as CSV: one line per week and kind of page (rates as fractions, empty when no feedback)."""
    weeks = requested_weeks()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for target_type, table in weekly_tables(weeks).items():
        for week, rates in reversed(table["rows"]):
            writer.writerow([week.isoformat(), target_type, rates.resolved, rates.helpful, rates.not_helpful,
                             rates.total, _fraction(rates.self_resolution_rate), _fraction(rates.helpfulness_rate),
                             rates.asker_resolved, rates.asker_total])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="outcomes-{weeks}-weeks.csv"'})


def _fraction(rate: float | None) -> str:
    return "" if rate is None else f"{rate:.4f}"


@bp.get("/outcomes/deflection.csv")
def deflection_csv():
    """Help sessions from the widget and the API, and how many ended "resolved" without a new question, by week."""
    weeks = requested_weeks()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("week_start", "help_sessions", "deflected", "deflection_rate"))
    for row in deflection.weekly(weeks):
        writer.writerow([row.week.isoformat(), row.sessions, row.deflected, _fraction(row.rate)])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="deflection-{weeks}-weeks.csv"'})


def _sum(rows: list) -> deflection.WeekDeflection:
    total = deflection.WeekDeflection(rows[0].week if rows else None)
    for row in rows:
        total.sessions += row.sessions
        total.deflected += row.deflected
    return total
