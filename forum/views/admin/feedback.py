"""Voice of the customer: label a thread (bug, feature request, feedback), list and export the labelled ones."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...extensions import db
from ...services.insights import customer_labels as labels
from ...services.insights import dashboard as figures
from .._common import paginate
from . import bp
from .dashboard import csv_response, requested_period

PER_PAGE = 50
EXPORT_LIMIT = 10_000


def _filters():
    """The label, period and sort chosen in the query string (400 for an unknown label or a bad date)."""
    label = request.args.get("label") or None
    period = requested_period(default_days=None)
    sort = request.args.get("sort", "votes")
    sort = sort if sort in labels.SORTS else "votes"
    query = labels.labelled_query(label, period.start if period else None, period.end if period else None, sort)
    return query, label, period, sort


@bp.get("/feedback")
def feedback():
    """Labelled threads with their votes and views."""
    query, label, period, sort = _filters()
    pagination = paginate(query, PER_PAGE)
    return render_template("admin/feedback.html", pagination=pagination, label=label, period=period, sort=sort,
                           labels=labels.LABELS, sorts=labels.SORT_LABELS, presets=figures.PRESET_DAYS,
                           args=request.args.to_dict())


@bp.get("/feedback.csv")
def feedback_csv():
    """The same list as CSV (every page, up to EXPORT_LIMIT rows)."""
    query, label, period, _sort = _filters()
    questions = db.session.scalars(query.limit(EXPORT_LIMIT)).all()

    def link(question):
        return url_for("questions.detail", question_id=question.id, slug=question.slug, _external=True)

    rows = labels.export_rows(questions, link)
    header = ["question_id", "title", "url", "label", "score", "views", "answers", "accepted", "asked_utc", "tags"]
    name = "voice_of_customer" + (f"_{label}" if label else "") + (
        f"_{period.first_day}_{period.last_day}" if period else "")
    return csv_response(f"{name}.csv", header,
                        [[r.id, r.title, r.url, r.label, r.score, r.views, r.answers, "yes" if r.accepted else "no",
                          r.asked, r.tags] for r in rows])


@bp.post("/questions/<int:question_id>/label")
def label_question(question_id: int):
    """Set or clear a thread's customer label (audit-logged)."""
    question = labels.get_question(question_id)
    changed = labels.set_label(current_user, question, request.form.get("label", ""))
    if changed:
        name = labels.label_name(question.customer_label)
        flash(_("Labelled as “%(label)s”.", label=name) if name else _("Label removed."), "success")
    return redirect(url_for("questions.detail", question_id=question.id, slug=question.slug))
