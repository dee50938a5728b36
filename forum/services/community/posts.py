"""Writing questions and answers: ask, answer, edit (with revisions), delete and undelete."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from ... import permissions
from ...extensions import db
from ...unit_of_work import changes
from ...markup import excerpt, render_markdown
from ...models import Answer, NotificationKind, Post, PostRevision, Question, User, utcnow
from ..outreach import alerts
from ..reputation import badges, privileges, votes
from ..moderation.suspensions import require_not_suspended
from . import tags as tag_service
from ..audit_log import log_action
from ..errors import Conflict, Forbidden, Invalid
from ..moderation import holds
from ..moderation.locking import require_unlocked
from ..row_locks import lock_post_row
from . import edit_conflicts, mentions
from .edit_conflicts import Draft
from .language import AUTO, detect_language, normalise
from ...urls import permalink
from ..outreach.notifications import notify
from ..reputation.ledger import ReputationRules

TITLE_MIN, TITLE_MAX = 15, 150
BODY_MIN, BODY_MAX = 30, 30000
ANSWER_MIN = 30


def ask_question(author: User, title: str, body: str, tags_text: str, thresholds: dict | None = None,
                 post_anyway: bool | None = None, language: str | None = None) -> Question:
    """Create a question with its first revision. With `thresholds`, creating a new tag needs the privilege.
    Its `language` ("ja" or "en") is the author's choice, else detected from the title and body.

    With `post_anyway` (False or True) the title and body are screened for personal data: `PersonalDataFound`
    if there is some and the author has not chosen to post anyway, otherwise the question is held for review."""
    require_not_suspended(author)
    title, body = _check_title(title), _check_body(body, BODY_MIN)
    names = tag_service.parse_tags(tags_text)
    if thresholds is not None:
        tag_service.check_new_tags(author, names, thresholds)
    findings = holds.screen(title, body, post_anyway=post_anyway)
    now = utcnow()
    question = Question(author=author, title=title, created_at=now, last_activity_at=now,
                        language=normalise(language) or detect_language(title, body))
    _set_body(question, body)
    db.session.add(question)
    tag_service.set_question_tags(question, names)
    _add_revision(question, author, summary="", tags=names)
    holds.hold(author, question, findings)
    if not question.is_hidden:  # held for review: nobody else can open it yet
        mentions.notify_mentions(author, body, post=question, excerpt=title)
        alerts.question_asked(question)  # queues `question.new` webhook alerts; sent after the commit
    return question


def post_answer(author: User, question: Question, body: str, post_anyway: bool | None = None) -> Answer:
    """Answer a question (`post_anyway` screens for personal data, as in `ask_question`)."""
    require_not_suspended(author)
    require_unlocked(question)
    if question.is_closed:
        raise Conflict(_l("This question is closed, so it is not accepting answers."))
    if not permissions.can_answer(author, question):
        raise Forbidden(_l("This question no longer accepts answers."))
    body = _check_body(body, ANSWER_MIN)
    findings = holds.screen(body, post_anyway=post_anyway)
    now = utcnow()
    answer = Answer(author=author, question=question, created_at=now, last_activity_at=now)
    _set_body(answer, body)
    db.session.add(answer)
    question.answer_count = Question.answer_count + 1
    question.last_activity_at = now
    db.session.flush()
    _add_revision(answer, author, summary="")
    holds.hold(author, answer, findings)
    badges.on_answer_posted(answer)
    if not answer.is_hidden:  # held for review: nobody else can read it yet
        notify(question.author_id, NotificationKind.ANSWER, actor=author, post=answer, url=permalink(answer),
               text=question.title)
        mentions.notify_mentions(author, body, post=answer, excerpt=question.title, skip={question.author_id})
    return answer


def edit_question(editor: User, question: Question, title: str, body: str, tags_text: str, summary: str = "",
                  thresholds: dict | None = None, credit: User | None = None, base_revision: int | None = None,
                  post_anyway: bool | None = None, language: str | None = None) -> bool:
    """Save a new revision if anything changed; returns whether it did.

    `language` ("ja" or "en") changes the question's language (no revision: revisions keep the text); AUTO detects
    it again from the new text; None keeps it.

    `credit` is who the revision is attributed to when `editor` applies someone else's suggested edit.
    `base_revision` is the revision number the editor started from: an `EditConflict` if another was saved since.
    `post_anyway` screens the new text for personal data, as in `ask_question`.
    """
    require_not_suspended(editor)
    require_edit(editor, question, thresholds)
    title, body = _check_title(title), _check_body(body, BODY_MIN)
    names = tag_service.parse_tags(tags_text)
    if thresholds is not None:
        tag_service.check_new_tags(editor, names, thresholds)
    _lock_for_edit(question)
    edit_conflicts.check_base(question, base_revision, Draft(body=body, title=title, tags=" ".join(names)))
    language = detect_language(title, body) if language == AUTO else normalise(language) or question.language
    relabelled = language != question.language
    question.language = language
    if title == question.title and body == question.body_md and sorted(names) == sorted(t.name for t in question.tags):
        return relabelled
    findings = holds.screen(title, body, post_anyway=post_anyway)
    previous = question.body_md
    question.title = title
    _set_body(question, body)
    tag_service.set_question_tags(question, names)
    _mark_edited(question, credit or editor)
    _add_revision(question, credit or editor, summary=summary, tags=names)
    holds.hold(editor, question, findings)
    badges.on_edit(credit or editor)
    mentions.notify_mentions(credit or editor, body, post=question, excerpt=title, previous=previous)
    return True


def edit_answer(editor: User, answer: Answer, body: str, summary: str = "", thresholds: dict | None = None,
                credit: User | None = None, base_revision: int | None = None, post_anyway: bool | None = None) -> bool:
    require_not_suspended(editor)
    require_edit(editor, answer, thresholds)
    body = _check_body(body, ANSWER_MIN)
    _lock_for_edit(answer)
    edit_conflicts.check_base(answer, base_revision, Draft(body=body))
    if body == answer.body_md:
        return False
    findings = holds.screen(body, post_anyway=post_anyway)
    previous = answer.body_md
    _set_body(answer, body)
    _mark_edited(answer, credit or editor)
    answer.question.last_activity_at = answer.edited_at
    _add_revision(answer, credit or editor, summary=summary)
    holds.hold(editor, answer, findings)
    badges.on_edit(credit or editor)
    mentions.notify_mentions(credit or editor, body, post=answer, excerpt=answer.question.title, previous=previous)
    return True


def delete_post(actor: User, post: Post, rules: ReputationRules | None = None, reason: str = "") -> None:
    """Soft delete: the row stays, others stop seeing it, and its votes' reputation is taken back.

    `reason` (staff deleting someone else's post) goes to the audit log and to the author."""
    if not permissions.can_delete(actor, post):
        raise Forbidden(_l("You can only delete your own posts."))
    if isinstance(post, Question) and not actor.is_staff and _answers_by_others(post):
        raise Conflict(_l("This question has answers from other people, so it cannot be deleted. "
                          "Edit it instead, or ask a moderator."))
    post.deleted_at = utcnow()
    post.deleted_by_id = actor.id
    count_deletion(post, -1)
    db.session.flush()
    votes.post_deleted(post, rules or ReputationRules())
    _record_staff_action(actor, post, "post.delete", _l("A moderator deleted your post."), reason)


def undelete_post(actor: User, post: Post, rules: ReputationRules | None = None) -> None:
    if not permissions.can_undelete(actor, post):
        raise Forbidden(_l("You cannot undelete this post."))
    post.deleted_at = None
    post.deleted_by_id = None
    count_deletion(post, +1)
    db.session.flush()
    votes.post_undeleted(post, rules or ReputationRules())
    _record_staff_action(actor, post, "post.undelete", _l("A moderator restored your post."))


def _record_staff_action(actor: User, post: Post, action: str, message, reason: str = "") -> None:
    """Staff acting on someone else's post: audit it and tell the author."""
    if actor.is_staff and post.author_id != actor.id:
        log_action(actor, action, post, reason)
        notify(post.author_id, NotificationKind.MODERATION, actor=actor, post=post,
               text=" ".join(part for part in (str(message), reason) if part))


def preview(body: str) -> str:
    """The same renderer as the saved post, for the live preview."""
    return render_markdown(body[:BODY_MAX])


def count_deletion(post: Post, delta: int) -> None:
    """Keep tag counts (a question) or the question's answer count (an answer) in step with a deletion."""
    if isinstance(post, Question):
        tag_service.adjust_tag_counts(post, delta)
    else:
        db.session.execute(
            update(Post).where(Post.id == post.question_id).values(answer_count=Post.answer_count + delta)
        )
        db.session.expire(post.question, ["answer_count"])
        changes().post(post.question, "answer_count")


def _answers_by_others(question: Question) -> int:
    return db.session.scalar(
        select(func.count(Post.id)).where(
            Post.question_id == question.id, Post.deleted_at.is_(None), Post.author_id != question.author_id
        )
    )


def require_edit(editor: User, post: Post, thresholds: dict | None) -> None:
    """Raise the reason this user may not edit this post (a privilege they lack, or not theirs)."""
    if permissions.can_edit(editor, post, thresholds):
        return
    if not post.is_deleted:
        require_unlocked(post)  # only staff edit a locked thread
    if thresholds is not None and not post.is_deleted:
        privileges.require(editor, "edit", thresholds)
    raise Forbidden(_l("You can only edit your own posts."))


def _check_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise Invalid(_l("The title must be %(min)d-%(max)d characters; yours has %(n)d.",
                         min=TITLE_MIN, max=TITLE_MAX, n=len(title)), field="title")
    return title


def _check_body(body: str, minimum: int) -> str:
    body = (body or "").replace("\r\n", "\n").strip()
    if len(body) < minimum:
        raise Invalid(_l("The body must be at least %(min)d characters; yours has %(n)d.", min=minimum, n=len(body)),
                      field="body")
    if len(body) > BODY_MAX:
        raise Invalid(_l("The body is limited to %(max)d characters; yours has %(n)d.", max=BODY_MAX, n=len(body)),
                      field="body")
    return body


def _set_body(post: Post, body: str) -> None:
    post.body_md = body
    post.body_html = render_markdown(body)
    post.excerpt = excerpt(post.body_html, 200)


def _lock_for_edit(post: Post) -> None:
    """Edits of one post queue here (a row lock on PostgreSQL; SQLite's BEGIN IMMEDIATE already queues them),
    then read what the edit before them saved, so the revision check below sees it."""
    lock_post_row(post)


def _mark_edited(post: Post, editor: User) -> None:
    post.edited_at = utcnow()
    post.editor_id = editor.id
    post.last_activity_at = post.edited_at


def _add_revision(post: Post, author: User, summary: str, tags: list[str] | None = None) -> PostRevision:
    db.session.flush()
    number = (db.session.scalar(select(func.max(PostRevision.number)).where(PostRevision.post_id == post.id)) or 0) + 1
    revision = PostRevision(
        post_id=post.id, number=number, author_id=author.id, title=post.title, body_md=post.body_md,
        tags=" ".join(tags) if tags is not None else None, summary=(summary or "").strip()[:300],
    )
    db.session.add(revision)
    return revision
