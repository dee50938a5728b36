"""Small helpers shared by the views."""
from collections.abc import Callable
from typing import TypeVar

from dataclasses import dataclass

from flask import abort, current_app, request
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ..extensions import db, limiter
from ..routing import parse_page
from ..services.community import revisions, submissions
from ..services.community.language import LANGUAGES, normalise
from ..services.community.edit_conflicts import EditConflict
from ..services.errors import DomainError
from ..services.moderation.holds import PersonalDataFound
from ..services.reputation.votes import VotePolicy


ALL_LANGUAGES = "all"


@dataclass(frozen=True)
class LanguageFilter:
    """A list's language filter: `?lang=ja|en|all`, by default the reader's UI language."""

    choice: str  # "ja", "en" or "all": what the filter links show as chosen
    explicit: str | None  # the `lang` of the URL, None when the default applies

    @property
    def language(self) -> str | None:
        """The language to filter by; None for all languages."""
        return None if self.choice == ALL_LANGUAGES else self.choice


def language_filter() -> LanguageFilter:
    """The list's language filter from `?lang=`. Pages are cached per URL and UI language, so a default that
    follows the UI language is safe to cache."""
    asked = (request.args.get("lang") or "").strip().lower()
    if asked == ALL_LANGUAGES:
        return LanguageFilter(ALL_LANGUAGES, ALL_LANGUAGES)
    if normalise(asked):
        return LanguageFilter(normalise(asked), normalise(asked))
    locale = str(get_locale() or "")
    return LanguageFilter(locale if locale in LANGUAGES else ALL_LANGUAGES, None)


def thresholds() -> dict:
    return current_app.config["PRIVILEGES"]


def rules():
    return current_app.config["REPUTATION"]


def vote_policy():
    return VotePolicy(rules=rules(), thresholds=thresholds(), daily_limit=current_app.config["DAILY_VOTE_LIMIT"])


def rate_limit_key() -> str:
    """Signed-in users are limited per account, visitors per address."""
    if current_user and current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"ip:{request.remote_addr}"


def limit(config_key: str, key_func: Callable[[], str] = rate_limit_key):
    """Rate-limit POSTs to a view with a limit read from configuration at request time (per account or address,
    unless `key_func` keys the counter on something else, such as the e-mail address typed)."""
    return limiter.limit(lambda: current_app.config[config_key], key_func=key_func, methods=["POST"])


def attach_error(form, error: DomainError) -> None:
    """Show a domain error next to the field it concerns, keeping what the user typed."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = list(field.errors) + [str(error.message)]
    else:
        form.form_errors.append(str(error.message))
    db.session.rollback()


def personal_data_found(error: DomainError | None) -> list[dict] | None:
    """What the personal-data check found, masked, if that is what `error` is (for the form's warning box)."""
    return error.described() if isinstance(error, PersonalDataFound) else None


def page_number() -> int:
    """`?page=`: 1 by default; a page number past any list (even 2^64) is a 404, never a database error."""
    page = parse_page(request.args.get("page"))
    if page is None:
        abort(404)
    return page


PAGE_SIZES = (15, 30, 50)


def paginate(query, per_page: int, resizable: bool = False):
    """A page of results; lists that offer it accept ?pagesize=15|30|50 as Stack Overflow does."""
    if resizable:
        requested = request.args.get("pagesize", type=int)
        per_page = requested if requested in PAGE_SIZES else per_page
    return db.paginate(query, page=page_number(), per_page=per_page, error_out=False, max_per_page=100)


Created = TypeVar("Created")


def submit_once(token: str | None, create: Callable[[], Created]) -> tuple[Created, bool]:
    """Run `create` and commit, unless this form was sent before: then (what that sending made, False).

    A twin request racing this one commits first or waits on the token's unique index and lands in the
    IntegrityError branch, which finds the twin's result. Domain errors from `create` go to the caller.
    """
    earlier = submissions.earlier_result(current_user, token)
    if earlier is not None:
        return earlier, False
    created = create()
    try:
        submissions.record(current_user, token, created)
        db.session.flush()  # the token's unique index: a twin request lands below
    except IntegrityError:
        db.session.rollback()
        earlier = submissions.earlier_result(current_user, token)
        if earlier is None:
            raise
        return earlier, False
    return created, True


def offer_merge(form, conflict: EditConflict) -> tuple:
    """Refill an edit form with the proposal of a conflict, based on the latest revision; returns the diff from
    the latest revision to that proposal, for the page to show."""
    db.session.rollback()
    proposal, latest = conflict.proposal, conflict.latest
    form.body.data = proposal.body
    if hasattr(form, "title"):
        form.title.data, form.tags.data = proposal.title, proposal.tags
    form.base_revision.data = latest.number
    for field in form:
        field.raw_data = None  # render the values set here, not what was posted
    return revisions.diff_fields(latest.title, proposal.title, latest.tags, proposal.tags, latest.body_md,
                                 proposal.body)
