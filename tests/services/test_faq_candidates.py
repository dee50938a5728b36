"""FAQ candidate rules and ranking (forum/services/faq/candidates.py)."""
from datetime import timedelta

import pytest

from forum.models import Feedback, PostLink, Role, utcnow
from forum.services.faq import candidates, entries, promotion
from forum.services.faq.candidates import CandidateRules
from tests.factories import make_answer, make_question, make_user

RULES = CandidateRules()


def thread(db, q_score=3, a_score=3, age_days=3, accepted=False, views=0):
    question = make_question(commit=False)
    answer = make_answer(question, commit=False)
    question.score, answer.score, question.view_count = q_score, a_score, views
    question.created_at = utcnow() - timedelta(days=age_days)
    if accepted:
        question.accepted_answer_id = answer.id
    db.session.commit()
    return question, answer


def ids():
    return candidates.candidate_ids(RULES)


def test_a_well_voted_answered_thread_is_a_candidate(db):
    question, _ = thread(db)
    assert ids() == [question.id]


@pytest.mark.parametrize("change", [
    {"q_score": 2}, {"a_score": 2}, {"age_days": 1}, {"age_days": 1.99},
])
def test_below_each_threshold_is_not_a_candidate(db, change):
    thread(db, **change)
    assert ids() == []


def test_an_accepted_answer_is_enough_without_answer_votes(db):
    question, _ = thread(db, a_score=0, accepted=True)
    assert ids() == [question.id]


def test_exactly_two_days_old_is_a_candidate(db):
    question, _ = thread(db, age_days=2)
    now = question.created_at + timedelta(days=2)
    assert candidates.candidate_ids(RULES, now=now) == [question.id]
    assert candidates.candidate_ids(RULES, now=now - timedelta(seconds=1)) == []


def test_closed_and_deleted_threads_are_excluded(db):
    closed, _ = thread(db)
    deleted, _ = thread(db)
    closed.closed_at = utcnow()
    deleted.deleted_at = utcnow()
    db.session.commit()
    assert ids() == []


def test_a_deleted_answer_does_not_qualify(db):
    _, answer = thread(db)
    answer.deleted_at = utcnow()
    db.session.commit()
    assert ids() == []


def test_a_thread_with_a_live_entry_is_not_a_candidate_until_retired(db):
    question, _ = thread(db)
    staff = make_user(role=Role.ADMIN)
    entry = promotion.promote(staff, question)
    db.session.commit()
    assert ids() == []
    entries.retire(staff, entry)
    db.session.commit()
    assert ids() == [question.id]


def test_rules_come_from_configuration():
    rules = CandidateRules.from_config({"FAQ_CANDIDATE_RULES": {"min_question_score": 10, "bogus": 1}})
    assert rules == CandidateRules(min_question_score=10, min_answer_score=3, min_age_days=2)


def test_ranking_follows_the_documented_formula(db):
    plain, _ = thread(db)
    viewed, _ = thread(db, views=1023)  # +5 * log2(1024) = +50
    resolved, _ = thread(db)
    for n in range(3):  # +4 each
        db.session.add(Feedback(target_type="thread", target_id=resolved.id, visitor_key=f"anon:{n}",
                                outcome="resolved"))
    db.session.add(Feedback(target_type="thread", target_id=resolved.id, visitor_key="anon:x", outcome="helpful"))
    duplicated, _ = thread(db)
    dup1, dup2 = make_question(commit=False), make_question(commit=False)
    dup1.duplicate_of_id = duplicated.id  # +6 each, a question counted once even if linked both ways
    db.session.flush()
    db.session.add_all([PostLink(post_id=dup1.id, related_post_id=duplicated.id, link_type=PostLink.DUPLICATE),
                        PostLink(post_id=dup2.id, related_post_id=duplicated.id, link_type=PostLink.DUPLICATE)])
    db.session.commit()
    page, total = candidates.candidates_page(RULES, page=1, per_page=10)
    assert total == 4
    by_id = {c.question.id: c for c in page}
    base = 2 * 3 + 3 * 3
    assert by_id[plain.id].rank == pytest.approx(base)
    assert by_id[viewed.id].rank == pytest.approx(base + 50)
    assert by_id[resolved.id].rank == pytest.approx(base + 12) and by_id[resolved.id].resolved == 3
    assert by_id[duplicated.id].rank == pytest.approx(base + 12) and by_id[duplicated.id].duplicates == 2
    order = [c.question.id for c in page]
    assert order[0] == viewed.id and order[-1] == plain.id


def test_pages_of_candidates(db):
    made = [thread(db, q_score=3 + n)[0] for n in range(5)]
    page, total = candidates.candidates_page(RULES, page=2, per_page=2)
    assert total == 5
    assert [c.question.id for c in page] == [made[2].id, made[1].id]
