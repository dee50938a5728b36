"""Periodic jobs, run inside the web processes so a fresh `make run` needs no cron.

Some events only time produces: a question still unanswered after N support hours, a thread that has aged into
an FAQ candidate, webhook retries whose backoff has passed, e-mails a stopped worker left, the daily digest. Each
web process runs a small daemon thread that wakes every `SCHEDULER_TICK_SECONDS` and runs what is due. Several
gunicorn workers (or hosts) share the work safely: before running a job a process claims it with a
compare-and-set UPDATE on its `site_settings` row ("job:<name>" holds the last run), so each run happens once.
Operators who prefer cron set `SCHEDULER_ENABLED=0` and call `flask jobs run` (or the single commands) instead.
"""
import logging
import os
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from flask import Flask, current_app
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from .extensions import db
from .unit_of_work import transaction
from .models import SiteSetting, utcnow

log = logging.getLogger(__name__)
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[datetime], object]
    every: timedelta | None = None  # run at most this often...
    daily_at_hour: int | None = None  # ...or once a UTC day, from this hour on

    def due_key(self, now: datetime) -> str | None:
        """What a run at `now` is recorded as; None while the job is not yet due that day."""
        if self.daily_at_hour is not None:
            return now.date().isoformat() if now.hour >= self.daily_at_hour else None
        return now.strftime(TIME_FORMAT)

    def is_due(self, last: str | None, now: datetime) -> bool:
        if self.daily_at_hour is not None:
            return self.due_key(now) is not None and last != self.due_key(now)
        return last is None or datetime.strptime(last, TIME_FORMAT) + self.every <= now


def _scan_alerts(now: datetime) -> object:
    from .services.outreach import alerts

    with transaction():
        counts = alerts.scan(now=now)
    return counts


def _deliver_webhooks(now: datetime) -> object:
    from .services.outreach import webhooks

    return webhooks.deliver_due()


def _send_mail(now: datetime) -> object:
    from .services.outreach import mail

    if not mail.enabled():
        return "e-mail is off (MAIL_SERVER is not set)"
    return f"{len(mail.deliver(mail.pending_ids()).sent)} sent"


def _send_digests(now: datetime) -> object:
    from .services.outreach import mail, notifications

    if not mail.enabled():
        return "e-mail is off (MAIL_SERVER is not set)"
    with transaction():
        queued = notifications.queue_digests()
    mail.deliver(mail.pending_ids())
    return f"{queued} digest(s)"


def default_jobs(config) -> list[Job]:
    return [
        Job("alerts.scan", _scan_alerts, every=timedelta(seconds=config.get("ALERTS_SCAN_SECONDS", 300))),
        Job("webhooks.deliver", _deliver_webhooks, every=timedelta(seconds=60)),
        Job("mail.send", _send_mail, every=timedelta(seconds=120)),
        Job("mail.digest", _send_digests, daily_at_hour=config.get("DIGEST_HOUR_UTC", 22)),
    ]


def claim(job: Job, now: datetime) -> bool:
    """Take this run of `job` for this process; False when it is not due or another process took it."""
    key = f"job:{job.name}"
    last = db.session.scalar(select(SiteSetting.value).where(SiteSetting.key == key))
    if not job.is_due(last, now):
        db.session.rollback()
        return False
    run_key = job.due_key(now)
    try:
        if last is None:
            db.session.execute(insert(SiteSetting).values(key=key, value=run_key, updated_at=now))
            taken = True
        else:
            taken = db.session.execute(
                update(SiteSetting).where(SiteSetting.key == key, SiteSetting.value == last)
                .values(value=run_key, updated_at=now)
            ).rowcount == 1
        db.session.commit()
    except IntegrityError:  # another process inserted the row first: the run is theirs
        db.session.rollback()
        return False
    return taken


def run_due(now: datetime | None = None, jobs: list[Job] | None = None) -> dict[str, object]:
    """Run every due job once (in this process, if it wins the claim); returns what each run reported."""
    now = now or utcnow()
    results = {}
    for job in jobs if jobs is not None else default_jobs(current_app.config):
        if not claim(job, now):
            continue
        try:
            results[job.name] = job.run(now)
        except Exception:  # one failing job (an unreachable SMTP server...) must not stop the others
            db.session.rollback()
            log.exception("job %s failed", job.name)
            results[job.name] = "failed"
    return results


class Scheduler:
    """The per-process daemon thread; started by the first request of each (forked) worker."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.tick = app.config.get("SCHEDULER_TICK_SECONDS", 30)
        self._pid: int | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def ensure_started(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()  # a forked worker does not inherit the parent's thread: start its own
            self._stop.clear()
            self.thread = threading.Thread(target=self._run, name="kotae-jobs", daemon=True)
            self.thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self.tick):
            try:
                with self.app.app_context():
                    run_due()
            except Exception:  # a locked database or a bad deploy: log and try again next tick
                log.exception("scheduler tick failed")


def init_app(app: Flask) -> None:
    if not app.config.get("SCHEDULER_ENABLED", True):
        return
    scheduler = Scheduler(app)
    app.extensions["kotae_jobs"] = scheduler
    app.before_request(scheduler.ensure_started)
