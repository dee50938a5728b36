"""Badges: bronze, silver and gold, awarded when the events that can earn them happen, and by a back-fill.

Each hook (`on_vote`, `on_accept`, ...) runs in the caller's transaction and costs one SELECT (the rules an
event can satisfy, narrowed to its user or post and minus what is already held, in one UNION) plus one
savepoint and INSERT per badge earned. Awarding is idempotent: `user_badges` is unique on
(user_id, badge, dedup_key), where dedup_key is 'once' or 'post:<id>', and a racing duplicate is absorbed by
a savepoint. Badges follow Stack Overflow: once earned they stay, even if the score drops again.
"""
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app, has_app_context
from flask_babel import format_decimal, lazy_gettext as _l
from sqlalchemy import String, cast, exists, func, insert, literal, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Answer, NotificationKind, Post, Question, User, UserBadge, utcnow
from . import notifications
from .badge_rules import RULES, Scope

BRONZE, SILVER, GOLD = "bronze", "silver", "gold"
TIERS = (GOLD, SILVER, BRONZE)
TIER_LABELS = {GOLD: _l("Gold"), SILVER: _l("Silver"), BRONZE: _l("Bronze")}
CATEGORY_LABELS = {
    "question": _l("Question badges"),
    "answer": _l("Answer badges"),
    "participation": _l("Participation badges"),
    "moderation": _l("Moderation badges"),
}
NEW_BADGES = "badges.new"  # session.info key: (user_id, badge key) awarded in this session, for the flash

DEFAULT_THRESHOLDS = {
    "student": 1, "teacher": 1, "self_learner": 3, "commentator": 10, "civic_duty": 300,
    "nice_question": 10, "good_question": 25, "great_question": 100,
    "nice_answer": 10, "good_answer": 25, "great_answer": 100,
    "popular_question": 1000, "notable_question": 2500, "famous_question": 10000,
    "enlightened": 10, "guru": 40, "necromancer": 5, "necromancer_days": 60,
    "tumbleweed_days": 7, "tumbleweed_views": 50, "yearling": 200, "yearling_days": 365,
}


@dataclass(frozen=True)
class Badge:
    key: str
    tier: str
    category: str
    name: object  # lazy string
    criterion: object  # lazy string; its %(...)s placeholders get the thresholds named in `params`
    per_post: bool = False
    params: dict = field(default_factory=dict)  # placeholder -> threshold key

    def describe(self, thresholds: dict) -> str:
        """The criterion with this site's numbers ("1,000 views"), in the current language."""
        text = str(self.criterion)
        if not self.params:
            return text
        return text % {name: format_decimal(thresholds[key]) for name, key in self.params.items()}

    @property
    def tier_label(self):
        return TIER_LABELS[self.tier]


BADGE_LIST = (
    Badge("student", BRONZE, "question", _l("Student"),
          _l("Asked a question with a score of %(score)s or more."), params={"score": "student"}),
    Badge("scholar", BRONZE, "question", _l("Scholar"), _l("Asked a question and accepted an answer.")),
    Badge("tumbleweed", BRONZE, "question", _l("Tumbleweed"),
          _l("Asked a question that kept a score of 0, no answers, no comments and fewer than %(views)s views "
             "for %(days)s days."), params={"views": "tumbleweed_views", "days": "tumbleweed_days"}),
    Badge("nice_question", BRONZE, "question", _l("Nice Question"),
          _l("Question score of %(score)s or more."), per_post=True, params={"score": "nice_question"}),
    Badge("good_question", SILVER, "question", _l("Good Question"),
          _l("Question score of %(score)s or more."), per_post=True, params={"score": "good_question"}),
    Badge("great_question", GOLD, "question", _l("Great Question"),
          _l("Question score of %(score)s or more."), per_post=True, params={"score": "great_question"}),
    Badge("popular_question", BRONZE, "question", _l("Popular Question"),
          _l("Asked a question with %(views)s views."), per_post=True, params={"views": "popular_question"}),
    Badge("notable_question", SILVER, "question", _l("Notable Question"),
          _l("Asked a question with %(views)s views."), per_post=True, params={"views": "notable_question"}),
    Badge("famous_question", GOLD, "question", _l("Famous Question"),
          _l("Asked a question with %(views)s views."), per_post=True, params={"views": "famous_question"}),
    Badge("teacher", BRONZE, "answer", _l("Teacher"),
          _l("Answered a question with a score of %(score)s or more."), params={"score": "teacher"}),
    Badge("self_learner", BRONZE, "answer", _l("Self-Learner"),
          _l("Answered your own question with a score of %(score)s or more."), params={"score": "self_learner"}),
    Badge("nice_answer", BRONZE, "answer", _l("Nice Answer"),
          _l("Answer score of %(score)s or more."), per_post=True, params={"score": "nice_answer"}),
    Badge("good_answer", SILVER, "answer", _l("Good Answer"),
          _l("Answer score of %(score)s or more."), per_post=True, params={"score": "good_answer"}),
    Badge("great_answer", GOLD, "answer", _l("Great Answer"),
          _l("Answer score of %(score)s or more."), per_post=True, params={"score": "great_answer"}),
    Badge("enlightened", SILVER, "answer", _l("Enlightened"),
          _l("First to answer and accepted with a score of %(score)s or more."), per_post=True,
          params={"score": "enlightened"}),
    Badge("guru", SILVER, "answer", _l("Guru"),
          _l("Accepted answer with a score of %(score)s or more."), per_post=True, params={"score": "guru"}),
    Badge("necromancer", SILVER, "answer", _l("Necromancer"),
          _l("Answered a question more than %(days)s days after it was asked, with a score of %(score)s or more."),
          per_post=True, params={"days": "necromancer_days", "score": "necromancer"}),
    Badge("faq_author", SILVER, "answer", _l("FAQ Author"),
          _l("Wrote an answer that the staff added to the FAQ."), per_post=True),
    Badge("autobiographer", BRONZE, "participation", _l("Autobiographer"),
          _l("Completed the “About me” section of the profile.")),
    Badge("commentator", BRONZE, "participation", _l("Commentator"),
          _l("Left %(count)s comments."), params={"count": "commentator"}),
    Badge("yearling", SILVER, "participation", _l("Yearling"),
          _l("Active member for a year, earning at least %(reputation)s reputation."),
          params={"reputation": "yearling"}),
    Badge("supporter", BRONZE, "moderation", _l("Supporter"), _l("First up vote.")),
    Badge("critic", BRONZE, "moderation", _l("Critic"), _l("First down vote.")),
    Badge("editor", BRONZE, "moderation", _l("Editor"), _l("First edit.")),
    Badge("civic_duty", SILVER, "moderation", _l("Civic Duty"),
          _l("Voted %(count)s or more times."), params={"count": "civic_duty"}),
)
BADGES = {badge.key: badge for badge in BADGE_LIST}
QUESTION_VOTE_BADGES = ("student", "nice_question", "good_question", "great_question")
ANSWER_VOTE_BADGES = ("teacher", "self_learner", "nice_answer", "good_answer", "great_answer", "enlightened", "guru",
                      "necromancer")
VIEW_BADGES = ("popular_question", "notable_question", "famous_question")


def thresholds_from_config(config) -> dict[str, int]:
    """Stack Overflow's numbers with any BADGE_THRESHOLDS overrides on top, e.g. {"nice_answer": 5}."""
    overrides = config.get("BADGE_THRESHOLDS") or {}
    unknown = sorted(set(overrides) - set(DEFAULT_THRESHOLDS))
    if unknown:
        raise ValueError(f"Unknown BADGE_THRESHOLDS keys: {', '.join(unknown)}")
    return {**DEFAULT_THRESHOLDS, **{key: int(value) for key, value in overrides.items()}}


def thresholds() -> dict[str, int]:
    # The hooks sit inside many services; reading the app's thresholds here keeps their signatures unchanged.
    return (current_app.config.get("BADGES") if has_app_context() else None) or DEFAULT_THRESHOLDS


def get_badge(key: str) -> Badge | None:
    return BADGES.get(key)


def dedup_key(badge: Badge, post_id: int | None) -> str:
    if not badge.per_post:
        return "once"
    if post_id is None:
        raise ValueError(f"the {badge.key} badge is awarded for a post")
    return f"post:{post_id}"


def award(user_id: int, key: str, post_id: int | None = None) -> UserBadge | None:
    """Give a badge unless it is already held (once, or once per post); returns the new row or None."""
    badge = BADGES[key]
    dedup = dedup_key(badge, post_id)
    if _holds(user_id, key, dedup):
        return None
    return _insert(user_id, badge, post_id, dedup)


def _holds(user_id: int, key: str, dedup: str) -> bool:
    return db.session.scalar(select(UserBadge.id).where(
        UserBadge.user_id == user_id, UserBadge.badge == key, UserBadge.dedup_key == dedup)) is not None


def _insert(user_id: int, badge: Badge, post_id: int | None, dedup: str, notify: bool = True) -> UserBadge | None:
    """Award one badge; with `notify`, the holder hears about it in their inbox (not for back-fills)."""
    row = UserBadge(user_id=user_id, badge=badge.key, post_id=post_id, dedup_key=dedup, awarded_at=utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        if _holds(user_id, badge.key, dedup):  # another transaction awarded it a moment ago
            return None
        raise  # not a duplicate: e.g. the user or post does not exist
    db.session.info.setdefault(NEW_BADGES, []).append((user_id, badge.key))
    if notify:
        notifications.notify(user_id, NotificationKind.BADGE, url=f"/badges/{badge.key}", text=badge.key)
    return row


def _unheld(key: str, query):
    """The rule's rows as (badge, user_id, post_id), minus those the user already holds."""
    rows = query.subquery()
    badge = BADGES[key]
    dedup = literal("post:") + cast(rows.c.post_id, String) if badge.per_post else literal("once")
    held = exists().where(UserBadge.user_id == rows.c.user_id, UserBadge.badge == key, UserBadge.dedup_key == dedup)
    return select(literal(key).label("badge"), rows.c.user_id, rows.c.post_id).where(~held)


def evaluate(checks: list[tuple[str, Scope]]) -> list[UserBadge]:
    """Run the given rules, each narrowed by its scope, in one statement; award what they find."""
    if not checks:
        return []
    t = thresholds()
    parts = [_unheld(key, RULES[key](t, scope)) for key, scope in checks]
    query = parts[0] if len(parts) == 1 else union_all(*parts)
    awarded = []
    for key, user_id, post_id in db.session.execute(query).all():
        badge = BADGES[key]
        row = _insert(user_id, badge, post_id, dedup_key(badge, post_id))
        if row is not None:
            awarded.append(row)
    return awarded


# Hooks: the services call these after the event, in the same transaction.

def on_vote(post: Post, voter: User, value: int) -> list[UserBadge]:
    """A vote was cast, changed or retracted: the post's score badges and the voter's voting badges."""
    keys = QUESTION_VOTE_BADGES if post.is_question else ANSWER_VOTE_BADGES
    checks = [(key, Scope(post_id=post.id)) for key in keys]
    if value:
        checks += [("supporter" if value > 0 else "critic", Scope(user_id=voter.id)),
                   ("civic_duty", Scope(user_id=voter.id))]
    return evaluate(checks)


def on_accept(answer: Answer) -> list[UserBadge]:
    """An answer was accepted: Scholar for the asker, Enlightened and Guru for the answerer."""
    return evaluate([("scholar", Scope(post_id=answer.question_id)),
                     ("enlightened", Scope(post_id=answer.id)), ("guru", Scope(post_id=answer.id))])


def on_answer_posted(answer: Answer) -> list[UserBadge]:
    """Necromancer and Self-Learner need votes, so a new answer only qualifies if a threshold was set to 0."""
    t = thresholds()
    keys = [key for key in ("necromancer", "self_learner") if answer.score >= t[key]]
    return evaluate([(key, Scope(post_id=answer.id)) for key in keys])


def on_edit(editor: User) -> list[UserBadge]:
    return evaluate([("editor", Scope(user_id=editor.id))])


def on_comment(author: User) -> list[UserBadge]:
    return evaluate([("commentator", Scope(user_id=author.id))])


def on_profile_updated(user: User) -> list[UserBadge]:
    return evaluate([("autobiographer", Scope(user_id=user.id))]) if user.about_md.strip() else []


def on_question_viewed(question: Question) -> list[UserBadge]:
    """A new viewer was counted; costs no SQL until the question could qualify for something."""
    t = thresholds()
    checks = [(key, Scope(post_id=question.id)) for key in VIEW_BADGES if question.view_count >= t[key]]
    if _could_be_tumbleweed(question, t):
        checks.append(("tumbleweed", Scope(post_id=question.id)))
    return evaluate(checks)


def on_user_seen(user: User) -> list[UserBadge]:
    """Time-based badges (Yearling, Tumbleweed), checked when the member shows up (at most every few minutes)."""
    t = thresholds()
    age = utcnow() - user.created_at if user.created_at else timedelta(0)
    checks = []
    if age >= timedelta(days=t["yearling_days"]) and user.reputation >= t["yearling"]:
        checks.append(("yearling", Scope(user_id=user.id)))
    if age >= timedelta(days=t["tumbleweed_days"]):
        checks.append(("tumbleweed", Scope(user_id=user.id)))
    return evaluate(checks)


def _could_be_tumbleweed(question: Question, t: dict) -> bool:
    return (question.score == 0 and question.answer_count == 0 and question.comment_count == 0
            and question.view_count < t["tumbleweed_views"]
            and question.created_at <= utcnow() - timedelta(days=t["tumbleweed_days"]))


def award_all(keys: list[str] | None = None) -> dict[str, int]:
    """Back-fill: award every badge (or these) whose criterion is met now; returns how many of each were new."""
    t = thresholds()
    counts = {}
    for key in keys or [badge.key for badge in BADGE_LIST]:
        if key in RULES:  # FAQ Author has no rule: the FAQ awards it
            counts[key] = _insert_many(BADGES[key], db.session.execute(_unheld(key, RULES[key](t, Scope()))).all())
    return counts


def _insert_many(badge: Badge, rows) -> int:
    if not rows:
        return 0
    now = utcnow()
    values = [{"user_id": user_id, "badge": badge.key, "post_id": post_id, "dedup_key": dedup_key(badge, post_id),
               "awarded_at": now} for _, user_id, post_id in rows]
    try:
        with db.session.begin_nested():
            db.session.execute(insert(UserBadge), values)
        return len(values)
    except IntegrityError:  # a live hook awarded one of them meanwhile: go one by one
        return sum(_insert(v["user_id"], badge, v["post_id"], v["dedup_key"], notify=False) is not None
                   for v in values)


# Reading badges for the pages.

@dataclass
class BadgeCount:
    badge: Badge
    count: int


def holder_counts() -> dict[str, int]:
    """How many people hold each badge, in one query."""
    rows = db.session.execute(
        select(UserBadge.badge, func.count(func.distinct(UserBadge.user_id))).group_by(UserBadge.badge))
    return {key: count for key, count in rows}


def holders_query(badge: Badge):
    """Awards of one badge, newest first, with the user and the post loaded."""
    return (select(UserBadge).where(UserBadge.badge == badge.key)
            .options(joinedload(UserBadge.user), joinedload(UserBadge.post))
            .order_by(UserBadge.awarded_at.desc(), UserBadge.id.desc()))


def load_questions_of(awards: list[UserBadge]) -> None:
    """Load the questions of the answers on a page in one query, so `answer.question` costs nothing after."""
    ids = {award.post.question_id for award in awards if award.post is not None and award.post.question_id}
    if ids:
        db.session.scalars(select(Question).where(Question.id.in_(ids))).all()


@dataclass
class ProfileBadges:
    held: list[BadgeCount]  # gold first, then in the directory's order
    tiers: list[tuple[str, object, int]]  # (tier, label, how many awards), gold first


def profile_badges(user: User) -> ProfileBadges:
    """The badges a user holds, with how many times each and per tier, in one query."""
    rows = db.session.execute(
        select(UserBadge.badge, func.count()).where(UserBadge.user_id == user.id).group_by(UserBadge.badge))
    order = {badge.key: index for index, badge in enumerate(BADGE_LIST)}
    held = sorted((BadgeCount(BADGES[key], count) for key, count in rows if key in BADGES),
                  key=lambda item: (TIERS.index(item.badge.tier), order[item.badge.key]))
    tiers = [(tier, TIER_LABELS[tier], sum(item.count for item in held if item.badge.tier == tier)) for tier in TIERS]
    return ProfileBadges(held=held, tiers=tiers)


def by_category() -> dict[str, list[Badge]]:
    groups: dict[str, list[Badge]] = {category: [] for category in CATEGORY_LABELS}
    for badge in BADGE_LIST:
        groups[badge.category].append(badge)
    return groups


def take_new_badges() -> list[tuple[int, Badge]]:
    """(user_id, badge) for each badge this session awarded since the last call, for a "you earned" message."""
    return [(user_id, BADGES[key]) for user_id, key in db.session.info.pop(NEW_BADGES, [])]
