"""Badges: bronze, silver and gold, awarded when the events that can earn them happen, and by a back-fill.

Each hook (`on_vote`, `on_accept`, ...) runs in the caller's transaction and costs one SELECT (the rules an
event can satisfy, narrowed to its user or post and minus what is already held, in one UNION) plus one
savepoint and INSERT per badge earned. Awarding is idempotent: `user_badges` is unique on
(user_id, badge, dedup_key), where dedup_key is 'once' or 'post:<id>', and a racing duplicate is absorbed by
a savepoint. Badges follow Stack Overflow: once earned they stay, even if the score drops again.
"""
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import String, cast, exists, func, insert, literal, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ...extensions import db
from ...models import Answer, NotificationKind, Post, Question, User, UserBadge, utcnow
from ..outreach import notifications
from .badge_catalog import (  # noqa: F401 -- re-exported: callers read badges.BADGES, badges.get_badge...
    BRONZE, SILVER, GOLD, TIERS, TIER_LABELS, CATEGORY_LABELS,
    NEW_BADGES, DEFAULT_THRESHOLDS, Badge, BADGE_LIST, BADGES, QUESTION_VOTE_BADGES,
    ANSWER_VOTE_BADGES, VIEW_BADGES, thresholds_from_config, thresholds, get_badge,
)
from .badge_rules import RULES, Scope


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
