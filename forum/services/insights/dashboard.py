"""The staff dashboard's figures for a period: volume, response times, resolution, the queue, people and tags.

Every function takes the period explicitly ([start, end), naive UTC) and runs a fixed number of queries whatever
the amount of data. Days are calendar days in the support team's time zone, weeks ISO weeks (Monday first).
"Answered" means answered by a visible (non-deleted) answer from someone other than the asker: asking and
answering yourself is not support.
"""
import statistics
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased

from ...extensions import db
from ...models import Post, PostType, Question, Tag, User, question_tags, slugify, utcnow
from ..errors import Invalid
from ..people.users import gains_between

PRESET_DAYS = (7, 30, 90, 365)
DEFAULT_DAYS = 30
MAX_DAYS = 731  # a custom period of up to two years keeps the per-day chart readable
RESPONSE_WINDOW = timedelta(hours=24)
QUEUE_SIZE = 20
TOP_CONTRIBUTORS = 10
TOP_TAGS = 10


# --- The period ---

@dataclass(frozen=True)
class Period:
    """Whole days in the support team's time zone, [start, end) as naive UTC for the queries.

    A Japanese support team counts its day from midnight in Tokyo, so "questions per day" and the period's ends
    follow the support-hours time zone (`zone`), not UTC.
    """

    start: datetime  # the first day's local midnight, in UTC, inclusive
    end: datetime  # the local midnight after the last day, in UTC, exclusive
    preset_days: int | None = None  # set when chosen as "the last N days"
    zone: str = "UTC"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    def local_date(self, moment: datetime) -> date:
        """The support team's calendar day of a naive UTC moment."""
        return moment.replace(tzinfo=timezone.utc).astimezone(self.tz).date()

    @property
    def first_day(self) -> date:
        return self.local_date(self.start)

    @property
    def last_day(self) -> date:
        return self.local_date(self.end - timedelta(microseconds=1))

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def dates(self) -> list[date]:
        return [self.first_day + timedelta(days=i) for i in range(self.days)]

    def previous(self) -> "Period":
        """The period of equal length (in days) just before this one."""
        return between(self.first_day - timedelta(days=self.days), self.first_day - timedelta(days=1), self.zone,
                       check_length=False)

    def query_args(self) -> dict[str, str | int]:
        """The URL arguments that choose this period again (for links and CSV downloads)."""
        if self.preset_days:
            return {"days": self.preset_days}
        return {"start": self.first_day.isoformat(), "end": self.last_day.isoformat()}


def _local_midnight_utc(day: date, zone: str) -> datetime:
    local = datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo(zone))
    return local.astimezone(timezone.utc).replace(tzinfo=None)


def last_days(days: int, now: datetime | None = None, zone: str = "UTC") -> Period:
    """The last `days` days in `zone`, today included."""
    today = (now or utcnow()).replace(tzinfo=timezone.utc).astimezone(ZoneInfo(zone)).date()
    period = between(today - timedelta(days=days - 1), today, zone, check_length=False)
    return Period(period.start, period.end, preset_days=days, zone=zone)


def between(first_day: date, last_day: date, zone: str = "UTC", check_length: bool = True) -> Period:
    """From the start of `first_day` to the end of `last_day` (both included), in `zone`."""
    if first_day > last_day:
        raise Invalid(_l("The start date must not be after the end date."))
    if check_length and (last_day - first_day).days + 1 > MAX_DAYS:
        raise Invalid(_l("A period can be at most %(days)d days long.", days=MAX_DAYS))
    return Period(_local_midnight_utc(first_day, zone), _local_midnight_utc(last_day + timedelta(days=1), zone),
                  zone=zone)


def parse_period(args: Mapping[str, str], now: datetime | None = None, default_days: int | None = DEFAULT_DAYS,
                 zone: str = "UTC") -> Period | None:
    """`?days=7|30|90|365` or `?start=YYYY-MM-DD&end=YYYY-MM-DD` (days in `zone`); Invalid for anything else.

    With `default_days=None` and no arguments the answer is None ("all time", for lists that allow it).
    """
    start_text, end_text = (args.get("start") or "").strip(), (args.get("end") or "").strip()
    if start_text or end_text:
        today = (now or utcnow()).replace(tzinfo=timezone.utc).astimezone(ZoneInfo(zone)).date()
        return between(_parse_date(start_text, "start") if start_text else today,
                       _parse_date(end_text, "end") if end_text else today, zone)
    days_text = (args.get("days") or "").strip()
    if not days_text:
        return last_days(default_days, now, zone) if default_days else None
    if not days_text.isdigit() or int(days_text) not in PRESET_DAYS:
        raise Invalid(_l("Choose a period of 7, 30, 90 or 365 days, or give a start and an end date."))
    return last_days(int(days_text), now, zone)


def _parse_date(text: str, which: str) -> date:
    try:
        value = date.fromisoformat(text)
        if not 1900 <= value.year <= 9000:  # far-off years would overflow the previous-period arithmetic
            raise ValueError(text)
        return value
    except ValueError:
        # Whole sentences, so translators never have to fit a word into someone else's sentence.
        if which == "start":
            raise Invalid(_l("The start date “%(value)s” is not a date like 2026-11-22.", value=text[:40])) from None
        raise Invalid(_l("The end date “%(value)s” is not a date like 2026-11-22.", value=text[:40])) from None


# --- Volume and response ---

def _live_questions():
    return and_(Post.post_type == PostType.QUESTION, Post.deleted_at.is_(None))


def questions_per_day(period: Period) -> list[tuple[date, int]]:
    """Questions asked on each day of the period (in its zone), days without questions included as 0.

    One query for the times, bucketed here: grouping by a local day in SQL needs each database's own time-zone
    functions, and a period holds at most a couple of years of questions.
    """
    asked = db.session.scalars(
        select(Post.created_at).where(_live_questions(), Post.created_at >= period.start, Post.created_at < period.end)
    )
    counts = Counter(period.local_date(moment) for moment in asked)
    return [(d, counts.get(d, 0)) for d in period.dates()]


@dataclass
class Response:
    """One question of the period: when it was asked, first answered by someone else, and whether accepted."""
    asked_at: datetime
    first_answer_at: datetime | None
    accepted: bool

    @property
    def delay(self) -> timedelta | None:
        return self.first_answer_at - self.asked_at if self.first_answer_at else None


def responses(period: Period) -> list[Response]:
    """The period's questions with their first answer by someone other than the asker (one query).

    The first answer time is MIN(created_at) per question in a grouped subquery, limited to the period's
    questions so the subquery never reads the whole answer table.
    """
    question, asker_question, answer = aliased(Post), aliased(Post), aliased(Post)
    in_period = and_(question.post_type == PostType.QUESTION, question.deleted_at.is_(None),
                     question.created_at >= period.start, question.created_at < period.end)
    first = (
        select(answer.question_id.label("question_id"), func.min(answer.created_at).label("first_at"))
        .join(asker_question, asker_question.id == answer.question_id)
        .where(answer.post_type == PostType.ANSWER, answer.deleted_at.is_(None),
               answer.author_id != asker_question.author_id,
               asker_question.created_at >= period.start, asker_question.created_at < period.end)
        .group_by(answer.question_id)
        .subquery()
    )
    rows = db.session.execute(
        select(question.created_at, first.c.first_at, question.accepted_answer_id)
        .outerjoin(first, first.c.question_id == question.id)
        .where(in_period)
    )
    return [Response(asked, first_at, accepted_id is not None) for asked, first_at, accepted_id in rows]


@dataclass
class ResponseStats:
    questions: int = 0
    answered: int = 0  # by someone other than the asker, at any time so far
    within_window: int = 0  # answered within RESPONSE_WINDOW of being asked
    too_recent: int = 0  # unanswered but younger than the window: not counted either way yet
    accepted: int = 0
    median_first_answer: timedelta | None = None

    @property
    def unanswered(self) -> int:
        return self.questions - self.answered

    @property
    def decided(self) -> int:
        """Questions whose 24 hours are over or that were answered in time: the denominator of the share."""
        return self.questions - self.too_recent

    @property
    def within_window_rate(self) -> float | None:
        return self.within_window / self.decided if self.decided else None

    @property
    def accepted_rate(self) -> float | None:
        return self.accepted / self.questions if self.questions else None


def response_stats(rows: list[Response], now: datetime | None = None) -> ResponseStats:
    """Shares and the median time to first answer over some questions (pure; no query)."""
    now = now or utcnow()
    stats = ResponseStats(questions=len(rows))
    delays = []
    for row in rows:
        delay = row.delay
        if delay is not None:
            stats.answered += 1
            delays.append(delay.total_seconds())
        if delay is not None and delay <= RESPONSE_WINDOW:
            stats.within_window += 1
        elif delay is None and now - row.asked_at < RESPONSE_WINDOW:
            stats.too_recent += 1
        stats.accepted += row.accepted
    if delays:
        stats.median_first_answer = timedelta(seconds=statistics.median(delays))
    return stats


@dataclass
class WeekShare:
    week: date  # Monday
    stats: ResponseStats = field(default_factory=ResponseStats)


def weekly_response(rows: list[Response], period: Period, now: datetime | None = None) -> list[WeekShare]:
    """The response figures per ISO week of the period (weeks cut by the period's ends), oldest first."""
    first_monday = period.first_day - timedelta(days=period.first_day.weekday())
    weeks = (period.last_day - first_monday).days // 7 + 1
    grouped: list[list[Response]] = [[] for _ in range(weeks)]
    for row in rows:
        grouped[(period.local_date(row.asked_at) - first_monday).days // 7].append(row)
    return [WeekShare(first_monday + timedelta(weeks=i), response_stats(group, now))
            for i, group in enumerate(grouped)]


# --- The unanswered queue ---

@dataclass
class Waiting:
    id: int
    title: str
    slug: str
    author: str
    asked_at: datetime
    waited: timedelta


def unanswered_queue(limit: int = QUEUE_SIZE, now: datetime | None = None) -> tuple[list[Waiting], int]:
    """Open questions nobody has answered, oldest first, and how many there are (two queries).

    Deleted, closed and flag-hidden questions are left out: they are not waiting for an answer.
    """
    now = now or utcnow()
    waiting = and_(Question.deleted_at.is_(None), Question.closed_at.is_(None), Question.hidden_at.is_(None),
                   Question.answer_count == 0)
    rows = db.session.execute(
        select(Question.id, Question.title, User.username, Question.created_at)
        .join(User, User.id == Question.author_id).where(waiting)
        .order_by(Question.created_at, Question.id).limit(limit)
    )
    total = db.session.scalar(select(func.count()).select_from(Question).where(waiting))
    queue = [Waiting(qid, title or "", slugify(title or ""), author, asked, now - asked)
             for qid, title, author, asked in rows]
    return queue, total or 0


# --- People and tags ---

@dataclass
class Contributor:
    user_id: int
    username: str
    reputation_gained: int
    answers: int


def top_contributors(period: Period, limit: int = TOP_CONTRIBUTORS) -> list[Contributor]:
    """Users by reputation gained in the period, then by answers posted in it (one query)."""
    gained = gains_between(period.start, period.end).subquery()
    answered = (
        select(Post.author_id.label("user_id"), func.count().label("answers"))
        .where(Post.post_type == PostType.ANSWER, Post.deleted_at.is_(None),
               Post.created_at >= period.start, Post.created_at < period.end)
        .group_by(Post.author_id).subquery()
    )
    reputation = func.coalesce(gained.c.gained, 0)
    answers = func.coalesce(answered.c.answers, 0)
    rows = db.session.execute(
        select(User.id, User.username, reputation, answers)
        .outerjoin(gained, gained.c.user_id == User.id)
        .outerjoin(answered, answered.c.user_id == User.id)
        .where((gained.c.gained > 0) | (answered.c.answers > 0))
        .order_by(reputation.desc(), answers.desc(), User.id).limit(limit)
    )
    return [Contributor(uid, name, int(rep), int(n)) for uid, name, rep, n in rows]


@dataclass
class RisingTag:
    name: str
    current: int
    previous: int

    @property
    def change(self) -> int:
        return self.current - self.previous


def rising_tags(period: Period, limit: int = TOP_TAGS) -> list[RisingTag]:
    """Tags whose question count grew most against the previous period of equal length (one query)."""
    previous = period.previous()
    current_count = func.sum(case((Post.created_at >= period.start, 1), else_=0))
    previous_count = func.sum(case((Post.created_at < period.start, 1), else_=0))
    growth = current_count - previous_count
    rows = db.session.execute(
        select(Tag.name, current_count, previous_count)
        .join(question_tags, question_tags.c.tag_id == Tag.id)
        .join(Post, Post.id == question_tags.c.question_id)
        .where(_live_questions(), Post.created_at >= previous.start, Post.created_at < period.end)
        .group_by(Tag.id, Tag.name)
        .having(growth > 0)
        .order_by(growth.desc(), current_count.desc(), Tag.name).limit(limit)
    )
    return [RisingTag(name, int(cur), int(prev)) for name, cur, prev in rows]


# --- Everything on the page ---

@dataclass
class Dashboard:
    period: Period
    per_day: list[tuple[date, int]]
    response: ResponseStats
    weekly: list[WeekShare]
    queue: list[Waiting]
    queue_total: int
    contributors: list[Contributor]
    tags: list[RisingTag]
    outcomes: object | None  # feedback.OutcomeRates, or None when outcome feedback is not available


def outcome_rates(period: Period):
    """Self-resolution and helpfulness from outcome feedback (FAQ and threads) given in the period."""
    try:
        from . import feedback  # the outcome-feedback area; the dashboard works without it
    except ImportError:
        return None
    rates = getattr(feedback, "outcome_rates", None)
    return rates(period.start, period.end) if rates else None


def build_dashboard(period: Period, now: datetime | None = None) -> Dashboard:
    """Every figure of the dashboard page, in a fixed number of queries."""
    now = now or utcnow()
    rows = responses(period)
    queue, queue_total = unanswered_queue(now=now)
    return Dashboard(
        period=period, per_day=questions_per_day(period), response=response_stats(rows, now),
        weekly=weekly_response(rows, period, now), queue=queue, queue_total=queue_total,
        contributors=top_contributors(period), tags=rising_tags(period), outcomes=outcome_rates(period),
    )
