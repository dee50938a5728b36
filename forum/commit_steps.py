"""What a commit sets off, declared in one place and run in this order (see `unit_of_work`).

Before the commit, inside the transaction (what they write commits or rolls back with the change):
  1. FAQ review       entries whose source answer was edited or outscored, or whose thread was closed
  2. FAQ candidates   threads a vote or an accept made FAQ candidates: webhook deliveries
  3. search outbox    one row per thread and FAQ entry whose document changed (after 1: a review changes its entry)
  4. page generations name the cached pages the change affects (a comment's thread may take a query)
After the commit, once everyone can read the change:
  5. index            rewrite those documents (a failure leaves the outbox rows for a retry)
  6. forget pages     new generations for those pages, so the next visitor sees the change (after 5: a search
                      page rendered before the index has the change would be stored as current)
  7. webhooks         wake the delivery thread if deliveries were queued (2, or any alert)
  8. mail             hand the e-mails queued in the transaction to the sender thread
"""
from . import page_cache
from .search import hooks as search_steps
from .services.faq import hooks as faq_steps
from .services.outreach import mail, webhooks
from .unit_of_work import CommitSteps, declare

STEPS = CommitSteps(
    before=(faq_steps.review_sources, faq_steps.announce_candidates, search_steps.write_outbox,
            page_cache.note_changed),
    after=(search_steps.index_committed, page_cache.forget_changed, webhooks.wake_sender, mail.hand_over),
)


def init_app() -> None:
    declare(STEPS)
