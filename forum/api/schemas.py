"""The API's request and response bodies (pydantic models: they validate input and describe the OpenAPI schema)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ..routing import MAX_ID

# The database stores UTC without an offset; the API says so (2026-12-07T02:42:55+00:00).
Timestamp = Annotated[datetime, AfterValidator(lambda value: value if value.tzinfo else
                                               value.replace(tzinfo=timezone.utc))]

# -- shared ---------------------------------------------------------------------------------------------------


class Problem(BaseModel):
    """An error (RFC 9457 problem details)."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[dict] | None = None


class UserRef(BaseModel):
    id: int
    username: str
    reputation: int
    url: str


class Page(BaseModel):
    page: int
    per_page: int
    total: int
    has_next: bool


# -- questions ------------------------------------------------------------------------------------------------


class QuestionSummary(BaseModel):
    id: int
    title: str
    url: str
    excerpt: str
    tags: list[str]
    score: int
    answer_count: int
    view_count: int
    accepted: bool
    closed: bool
    language: str | None = Field(None, description="The question's language: \"ja\" or \"en\".")
    created_at: Timestamp
    last_activity_at: Timestamp
    author: UserRef


class QuestionList(Page):
    items: list[QuestionSummary]


class CommentOut(BaseModel):
    id: int
    body_html: str
    score: int = 0
    created_at: Timestamp
    author: UserRef
    held_for_review: bool = Field(False, description="hidden until a moderator reviews it (personal data posted "
                                  "anyway, or flags): only its author and staff see it")


class AnswerOut(BaseModel):
    id: int
    url: str
    body_md: str
    body_html: str
    score: int
    accepted: bool
    official: bool
    created_at: Timestamp
    edited_at: Timestamp | None
    author: UserRef
    comments: list[CommentOut]
    held_for_review: bool = Field(False, description="hidden until a moderator reviews it (personal data posted "
                                  "anyway, or flags): only its author and staff see it")


class QuestionOut(BaseModel):
    id: int
    title: str
    url: str
    body_md: str
    body_html: str
    tags: list[str]
    score: int
    answer_count: int
    view_count: int
    accepted_answer_id: int | None
    closed: bool
    created_at: Timestamp
    last_activity_at: Timestamp
    edited_at: Timestamp | None
    author: UserRef
    comments: list[CommentOut]
    held_for_review: bool = Field(False, description="hidden until a moderator reviews it (personal data posted "
                                  "anyway, or flags): only its author and staff see it")


class ThreadOut(BaseModel):
    question: QuestionOut
    answers: list[AnswerOut]


class QuestionsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tab: Literal["newest", "active", "votes", "unanswered"] = "newest"
    tag: str | None = Field(None, max_length=35)
    lang: Literal["ja", "en", "all"] | None = Field(None, description="Only questions in this language (\"ja\" or \"en\"); all languages when left out.")
    page: int = Field(1, ge=1, le=100000)
    per_page: int = Field(20, ge=1, le=100)


POST_ANYWAY = ("Post even though the text seems to contain personal data (a 422 problem lists it otherwise); "
               "the post is then held for staff review before others can see it.")


class AskIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(..., max_length=300, description="What the question is about, as a sentence.")
    body: str = Field(..., max_length=60000, description="Markdown.")
    tags: list[str] = Field(..., max_length=10, description="Tag names, e.g. [\"sync\", \"windows\"].")
    post_anyway: bool = Field(False, description=POST_ANYWAY)
    language: Literal["ja", "en"] | None = Field(None, description="\"ja\" or \"en\"; detected from the text "
                                                 "when left out.")


class BodyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str = Field(..., max_length=60000, description="Markdown.")
    post_anyway: bool = Field(False, description=POST_ANYWAY)


class VoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: Literal[-1, 0, 1] = Field(..., description="1 up, -1 down, 0 retracts the vote.")


class VoteOut(BaseModel):
    score: int
    vote: int


class AcceptOut(BaseModel):
    accepted: bool
    accepted_answer_id: int | None


# -- search, suggestions ----------------------------------------------------------------------------------------


class SearchQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    q: str = Field(..., min_length=1, max_length=500, description="Words, a sentence, or operators ([tag], user:1…).")
    sort: Literal["relevance", "newest", "active", "votes"] = "relevance"
    lang: Literal["ja", "en", "all"] | None = Field(None, description="Only questions in this language (\"ja\" or \"en\"); all languages when left out.")
    page: int = Field(1, ge=1, le=1000)
    per_page: int = Field(20, ge=1, le=50)


class SearchHit(BaseModel):
    id: int
    title: str
    url: str
    snippet: str
    score: int
    answer_count: int
    accepted: bool
    official: bool
    tags: list[str]


class FaqHit(BaseModel):
    id: int
    title: str
    url: str
    snippet: str


class SearchOut(Page):
    query: str
    suggestion: str | None
    messages: list[str]
    faq: list[FaqHit]
    items: list[SearchHit]


class SimilarQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(..., min_length=1, max_length=300)
    limit: int = Field(5, ge=1, le=10)


class SimilarItem(BaseModel):
    id: int
    title: str
    url: str
    faq: bool = False
    score: int | None = None
    answer_count: int | None = None
    accepted: bool | None = None


class SimilarOut(BaseModel):
    items: list[SimilarItem]


class SuggestQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    q: str = Field(..., min_length=1, max_length=1000, description="The customer's question, as they typed it.")
    limit: int = Field(3, ge=1, le=3)


class Suggestion(BaseModel):
    source_type: Literal["faq", "official_answer", "accepted_answer"]
    title: str
    url: str
    passage: str
    votes: int
    resolved_rate: float | None = Field(None, description="Share of readers who said it solved their problem.")
    confidence: float = Field(..., ge=0, le=1)


class SuggestOut(BaseModel):
    answered: bool = Field(..., description="False: no good answer; hand over to a person or the community.")
    message: str
    suggestions: list[Suggestion]


# -- FAQ, tags, users, feedback ---------------------------------------------------------------------------------


class FaqEntryOut(BaseModel):
    id: int
    title: str
    url: str
    question_html: str
    answer_html: str
    category_id: int | None
    helpful_count: int
    not_helpful_count: int
    thread_id: int | None


class FaqCategoryOut(BaseModel):
    id: int | None
    name: str
    description: str
    entries: list[FaqEntryOut]


class FaqOut(BaseModel):
    categories: list[FaqCategoryOut]


class TagOut(BaseModel):
    name: str
    question_count: int
    url: str


class TagsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    filter: str = Field("", max_length=35)
    sort: Literal["popular", "name"] = "popular"
    page: int = Field(1, ge=1, le=100000)
    per_page: int = Field(36, ge=1, le=100)


class TagList(Page):
    items: list[TagOut]


class ProfileOut(BaseModel):
    id: int
    username: str
    reputation: int
    url: str
    about_html: str
    created_at: Timestamp
    question_count: int
    answer_count: int
    badges: dict[str, int]


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    target_type: Literal["faq", "thread"]
    target_id: int = Field(..., ge=1, le=MAX_ID)
    outcome: Literal["resolved", "helpful", "not_helpful"]


class FeedbackOut(BaseModel):
    target_type: str
    target_id: int
    outcome: str


class MeOut(BaseModel):
    user: UserRef
    token_name: str
    scope: Literal["read", "write"]
    expires_at: Timestamp | None


class WidgetOut(BaseModel):
    support_open: bool = Field(..., description="Whether support answers now (the support hours staff set).")
    contact_url: str | None
    support_hours: str
    ask_url: str
    site_name: str = Field(..., description="The community's name in the request's language (the branding admins set).")
    accent: str | None = Field(None, description="The community's accent colour as #rrggbb, when admins set one.")
