"""The staff side of the demo: FAQ categories and entries promoted from the best threads, official answers,
readers' "did this solve your problem?" feedback spread over past weeks, and voice-of-the-customer labels.

Everything goes through the same services as the site (so the ledger, badges and audit log stay consistent) and
is deterministic, so two loads give the same community.
"""
from datetime import timedelta

from ..extensions import db
from ..models import Answer, FeedbackTarget, Outcome, Question, Role, User, utcnow
from ..services.insights import customer_labels, feedback
from ..services.faq import candidates, categories, entries, official, promotion

CATEGORIES = (  # (English name, Japanese name, tags of the threads it takes)
    ("Account & sign-in", "アカウントとログイン", ("login", "ログイン", "sso", "saml", "2fa", "billing", "admin")),
    ("Sync & backup", "同期とバックアップ", ("sync", "同期", "offline", "import", "export", "csv")),
    ("Apps & integrations", "アプリと連携", ()),  # everything else
)
FAQ_ENTRIES = 5
OUTCOME_CYCLE = (Outcome.RESOLVED, Outcome.RESOLVED, Outcome.HELPFUL, Outcome.RESOLVED, Outcome.NOT_HELPFUL)


def add_support_content(threads: list[tuple[Question, list[Answer]]], bonus: int) -> dict:
    staff = db.session.scalar(db.select(User).where(User.role.in_(Role.STAFF)).order_by(User.id))
    if staff is None:
        return {}
    sections = [categories.create_category(staff, name, name_ja=name_ja) for name, name_ja, _ in CATEGORIES]
    db.session.flush()
    promoted = _promote_best(staff, threads, sections, bonus)
    marked = _mark_official(staff, threads)
    given = _reader_feedback(threads, promoted)
    _label_threads(staff, threads)
    db.session.flush()
    return {"FAQ entries": len(promoted), "official answers": marked, "feedback": given}


def _promote_best(staff: User, threads, sections, bonus: int) -> list:
    ranked = candidates.candidate_ids(candidates.CandidateRules())[:FAQ_ENTRIES]
    by_id = {question.id: question for question, _ in threads}
    promoted = []
    for question_id in ranked:
        question = by_id[question_id]
        entry = promotion.promote(staff, question)
        entry.category_id = _section_for(question, sections).id
        db.session.flush()
        entries.publish(staff, entry, bonus, f"/faq/{entry.id}/{entry.slug}")
        promoted.append(entry)
    return promoted


def _section_for(question: Question, sections):
    tags = {tag.name for tag in question.tags}
    for (_name, _name_ja, section_tags), section in zip(CATEGORIES, sections):
        if tags & set(section_tags) or not section_tags:
            return section
    return sections[-1]


def _mark_official(staff: User, threads) -> int:
    """Accepted answers written by staff are the company's word on a problem: they carry the official mark."""
    marked = 0
    for question, answers in threads:
        for answer in answers:
            if answer.author.is_staff and answer.id == question.accepted_answer_id:
                official.set_official(staff, answer, True)
                marked += 1
    return marked


def _reader_feedback(threads, promoted) -> int:
    """Anonymous readers' answers over the last eight weeks, so the rates have a history to show."""
    now = utcnow()
    given = 0
    targets = [(FeedbackTarget.FAQ, entry.id) for entry in promoted]
    targets += [(FeedbackTarget.THREAD, question.id) for question, answers in threads if answers][:20]
    for index, (target_type, target_id) in enumerate(targets):
        for reader in range(2 + index % 4):
            outcome = OUTCOME_CYCLE[(index + reader) % len(OUTCOME_CYCLE)]
            row = feedback.record_feedback(target_type, target_id, feedback.anonymous_key(f"demo-{index}-{reader}"),
                                           outcome)
            row.created_at = row.updated_at = now - timedelta(days=(index * 3 + reader * 5) % 56, hours=reader)
            given += 1
    return given


def _label_threads(staff: User, threads) -> None:
    """A few threads carry what customers tell the company: a bug, a feature request."""
    for question, _ in threads:
        tags = {tag.name for tag in question.tags}
        if "webhooks" in tags or "api" in tags:
            customer_labels.set_label(staff, question, "feature")
        elif "文字化け" in tags or "performance" in tags:
            customer_labels.set_label(staff, question, "bug")

