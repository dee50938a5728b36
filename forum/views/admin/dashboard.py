"""/admin: the support dashboard for a chosen period, its charts and a CSV for every figure."""
import csv
import io
from datetime import timedelta

from flask import Response, abort, render_template, request
from flask_babel import format_decimal, format_percent, format_timedelta
from flask_babel import gettext as _

from ... import charts, search
from ...services.insights import dashboard as figures
from ...services import site_settings
from . import bp

CSV_NAMES = ("questions_per_day", "response", "unanswered", "contributors", "tags")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_response(filename: str, header: list[str], rows) -> Response:
    """A CSV download: UTF-8 with a BOM (so Excel, also in Japan, reads it correctly), as an attachment."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([[_safe_cell(cell) for cell in row] for row in rows])
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _safe_cell(value):
    """Text that a spreadsheet would run as a formula (a title like "=HYPERLINK(...)") is quoted with a '."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def duration(value: timedelta | None) -> str:
    """A humanised duration, e.g. '3 hours'; '' for none."""
    return format_timedelta(value, threshold=1.5) if value is not None else ""


def percent(value: float | None) -> str:
    return format_percent(value, "#,##0.#%") if value is not None else "—"


def requested_period(default_days: int | None = figures.DEFAULT_DAYS):
    """The period in the query string, in whole days of the support team's time zone."""
    zone = site_settings.get_support_hours().timezone
    return figures.parse_period(request.args, default_days=default_days, zone=zone)


@bp.get("/", strict_slashes=False)
def dashboard():
    """The support dashboard."""
    board = figures.build_dashboard(requested_period())
    return render_template("admin/dashboard.html", board=board, period=board.period,
                           per_day_chart=_per_day_chart(board), weekly_chart=_weekly_chart(board),
                           presets=figures.PRESET_DAYS, duration=duration, percent=percent,
                           outcome_rates_available=board.outcomes is not None, search_health=search.health())


def _per_day_chart(board):
    points = [charts.Point(day.strftime("%m-%d"), n) for day, n in board.per_day]
    return charts.bar_chart("chart-questions-per-day", points, _("Questions per day"),
                            _("Questions asked on each day of the period (%(zone)s).", zone=board.period.zone),
                            fmt=lambda v: format_decimal(v))


def _weekly_chart(board):
    points = [charts.Point(week.week.strftime("%m-%d"), week.stats.within_window_rate) for week in board.weekly]
    return charts.line_chart("chart-answered-24h", points, _("Share answered within 24 hours, per week"),
                             _("For each week (starting Monday), the share of its questions answered by someone "
                               "other than the asker within 24 hours."), max_value=1.0, fmt=percent)


@bp.get("/dashboard/<name>.csv")
def dashboard_csv(name: str):
    """One figure of the dashboard as CSV, for the same period as the page."""
    if name not in CSV_NAMES:
        abort(404)
    period = requested_period()
    header, rows = CSV_BUILDERS[name](period)
    return csv_response(f"{name}_{period.first_day}_{period.last_day}.csv", header, rows)


def _per_day_csv(period):
    return ["date", "questions"], [[day.isoformat(), n] for day, n in figures.questions_per_day(period)]


def _hours(value: timedelta | None):
    return round(value.total_seconds() / 3600, 2) if value is not None else ""


def _rate(value: float | None):
    return round(value, 4) if value is not None else ""


def _response_csv(period):
    rows = figures.responses(period)
    header = ["week", "questions", "answered", "unanswered", "answered_within_24h", "too_recent_to_tell",
              "share_answered_within_24h", "accepted", "share_accepted", "median_hours_to_first_answer"]

    def line(label, stats):
        return [label, stats.questions, stats.answered, stats.unanswered, stats.within_window, stats.too_recent,
                _rate(stats.within_window_rate), stats.accepted, _rate(stats.accepted_rate),
                _hours(stats.median_first_answer)]

    lines = [line(week.week.isoformat(), week.stats) for week in figures.weekly_response(rows, period)]
    return header, lines + [line("total", figures.response_stats(rows))]


def _unanswered_csv(period):
    queue, _total = figures.unanswered_queue(limit=1000)
    return (["question_id", "title", "author", "asked_utc", "waited_hours"],
            [[w.id, w.title, w.author, w.asked_at.strftime("%Y-%m-%d %H:%M"), _hours(w.waited)] for w in queue])


def _contributors_csv(period):
    return (["user_id", "username", "reputation_gained", "answers"],
            [[c.user_id, c.username, c.reputation_gained, c.answers] for c in figures.top_contributors(period)])


def _tags_csv(period):
    return (["tag", "questions", "questions_previous_period", "change"],
            [[t.name, t.current, t.previous, t.change] for t in figures.rising_tags(period)])


CSV_BUILDERS = {
    "questions_per_day": _per_day_csv, "response": _response_csv, "unanswered": _unanswered_csv,
    "contributors": _contributors_csv, "tags": _tags_csv,
}
