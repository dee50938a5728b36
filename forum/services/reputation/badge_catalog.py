"""The badge catalogue: what each badge is, its tier and criterion, and the site's thresholds. Plain data that the
awarding hooks (badges.py), the notifications and the badge pages all read, so none of them imports another
for it (notifications used to import badges, which imports notifications)."""
from dataclasses import dataclass, field

from flask import current_app, has_app_context
from flask_babel import format_decimal, lazy_gettext as _l

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
