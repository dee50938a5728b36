"""Periodic jobs: each due job runs once across processes, on its schedule, without cron."""
from datetime import datetime, timedelta

from forum import jobs
from forum.extensions import db
from forum.models import Role, SiteSetting, WebhookDelivery, WebhookEvent
from forum.services.outreach import alerts
from tests.factories import make_question, make_user

MONDAY_NOON_JST = datetime(2026, 11, 30, 3, 0)  # 12:00 in Tokyo, inside the default support hours


def recording_jobs(calls: list) -> list[jobs.Job]:
    return [
        jobs.Job("every-minute", lambda now: calls.append(("minute", now)), every=timedelta(minutes=1)),
        jobs.Job("daily", lambda now: calls.append(("daily", now)), daily_at_hour=22),
    ]


def test_a_due_job_runs_once_and_again_after_its_interval(app):
    calls = []
    jobs.run_due(MONDAY_NOON_JST, recording_jobs(calls))
    jobs.run_due(MONDAY_NOON_JST + timedelta(seconds=30), recording_jobs(calls))
    assert [name for name, _ in calls] == ["minute"]  # the daily job waits for 22:00 UTC
    jobs.run_due(MONDAY_NOON_JST + timedelta(minutes=1), recording_jobs(calls))
    assert [name for name, _ in calls] == ["minute", "minute"]


def test_the_daily_job_runs_once_a_day_from_its_hour(app):
    calls = []
    evening = MONDAY_NOON_JST.replace(hour=22, minute=5)
    for now in (evening, evening + timedelta(minutes=30), evening + timedelta(hours=1, minutes=50)):
        jobs.run_due(now, recording_jobs(calls))
    assert [name for name, _ in calls].count("daily") == 1
    jobs.run_due(evening + timedelta(days=1), recording_jobs(calls))
    assert [name for name, _ in calls].count("daily") == 2


def test_two_processes_on_one_database_run_a_job_once(app, served_app):
    """The claim is a compare-and-set on the job's row: the second process sees the run is taken."""
    calls = []
    jobs.run_due(MONDAY_NOON_JST, recording_jobs(calls))
    with served_app.app_context():
        jobs.run_due(MONDAY_NOON_JST, recording_jobs(calls))
        db.session.remove()
    assert [name for name, _ in calls] == ["minute"]
    assert db.session.get(SiteSetting, "job:every-minute").value == "2026-11-30T03:00:00"


def test_a_failing_job_does_not_stop_the_others(app):
    calls = []

    def broken(now):
        raise OSError("SMTP server unreachable")

    results = jobs.run_due(MONDAY_NOON_JST, [jobs.Job("broken", broken, every=timedelta(minutes=1)),
                                             *recording_jobs(calls)])
    assert results["broken"] == "failed" and calls


def test_the_default_jobs_queue_an_unanswered_alert_without_cron(app):
    admin = make_user(role=Role.ADMIN)
    alerts.create_webhook(admin, "Support room", "http://127.0.0.1:9/hook", "slack",
                          [WebhookEvent.QUESTION_UNANSWERED])
    question = make_question(title="Nobody has answered this since Monday morning")
    question.created_at = MONDAY_NOON_JST - timedelta(hours=5)  # 07:00 JST: 3 support hours before noon
    db.session.commit()
    jobs.run_due(MONDAY_NOON_JST)
    assert not db.session.scalars(db.select(WebhookDelivery)).all()
    later = MONDAY_NOON_JST + timedelta(hours=2)  # 14:00 JST: 5 support hours
    jobs.run_due(later)
    [delivery] = db.session.scalars(db.select(WebhookDelivery)).all()
    assert delivery.dedup_key == f"question-unanswered:{question.id}"


def test_the_scheduler_thread_starts_with_the_first_request_when_enabled(app_config, database_url, index_dir):
    from forum import create_app
    from tests.conftest import make_config

    enabled = create_app(make_config(database_url, index_dir, **app_config, SCHEDULER_ENABLED=True, SCHEDULER_TICK_SECONDS=3600))
    scheduler = enabled.extensions["kotae_jobs"]
    assert scheduler.thread is None  # CLI commands and imports start nothing
    enabled.test_client().get("/healthz")
    try:
        assert scheduler.thread.is_alive() and scheduler.thread.daemon
    finally:
        scheduler.stop()
        scheduler.thread.join(timeout=5)
    disabled = create_app(make_config(database_url, index_dir, **app_config))
    assert "kotae_jobs" not in disabled.extensions


def test_jobs_run_from_the_cli(runner):
    result = runner.invoke(args=["jobs", "run"])
    assert result.exit_code == 0, result.output
    assert "alerts.scan" in result.output
    assert "Nothing was due." in runner.invoke(args=["jobs", "run"]).output
