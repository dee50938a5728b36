"""Official answers: staff mark an answer as verified by the company; it is badged wherever it is shown."""
from flask_babel import lazy_gettext as _l

from ...models import Answer, User, utcnow
from ..audit_log import log_action
from ..errors import NotFound
from .common import require_staff


def set_official(staff: User, answer: Answer, official: bool) -> bool:
    """Mark or unmark an answer as official; returns whether anything changed."""
    require_staff(staff)
    if answer.is_deleted:
        raise NotFound(_l("This post does not exist or was deleted."))
    if answer.is_official == official:
        return False
    answer.official_at = utcnow() if official else None
    answer.official_by_id = staff.id if official else None
    log_action(staff, "answer.official", answer, official=official, question_id=answer.question_id)
    return True


def toggle_official(staff: User, answer: Answer) -> bool:
    """Flip the mark; returns whether the answer is official now."""
    set_official(staff, answer, not answer.is_official)
    return answer.is_official
