"""What a commit sets off, declared in one place and run in this order (see `unit_of_work`).

Before the commit, inside the transaction (what they write commits or rolls back with the change):
  1. FAQ review       entries whose source answer was edited or outscored, or whose thread was closed
  2. FAQ candidates   threads a vote or an accept made FAQ candidates: webhook deliveries
  3. search outbox    one row per thread and FAQ entry whose document changed (after 1: a review changes its entry)
After the commit, once everyone can read the change:
  4. index            rewrite those documents (a failure leaves the outbox rows for a retry)
  5. webhooks         wake the delivery thread if deliveries were queued (2, or any alert)
  6. mail             hand the e-mails queued in the transaction to the sender thread
"""
from .search import hooks as search_steps
from .services.faq import hooks as faq_steps
from .services.outreach import mail, webhooks
from .unit_of_work import CommitSteps, declare

STEPS = CommitSteps(
    before=(faq_steps.review_sources, faq_steps.announce_candidates, search_steps.write_outbox),
    after=(search_steps.index_committed, webhooks.wake_sender, mail.hand_over),
)


def init_app() -> None:
    declare(STEPS)
