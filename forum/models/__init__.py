"""Every model, imported so the metadata is complete for Alembic and the app."""
from .api import ApiToken, TokenScope
from .base import utcnow
from .comment import Comment
from .deflection import HelpSession, HelpSource
from .faq import FaqCategory, FaqEntry, FaqReview, FaqRevision, FaqStatus, Feedback, FeedbackTarget, Outcome, ReviewReason
from .identity import ExternalIdentity
from .imports import ImportSource
from .moderation import (
    AuditLogEntry, CloseReason, CloseVote, Flag, FlagReason, FlagStatus, SuggestedEdit, SuggestionStatus, Suspension,
)
from .notifications import Notification, NotificationKind, OutgoingEmail
from .post import Answer, Post, PostLink, PostRevision, PostType, PostView, Question, Tag, question_tags, slugify
from .reputation import Reason, ReputationEvent, UserBadge, Vote
from .search import SearchOutbox
from .session import UserSession
from .submission import FormSubmission
from .upload import Upload
from .site import DeliveryStatus, SiteSetting, Webhook, WebhookDelivery, WebhookEvent, WebhookFormat
from .user import Role, User, username_key

__all__ = [
    "Answer", "ApiToken", "TokenScope", "AuditLogEntry", "CloseReason", "CloseVote", "Comment", "DeliveryStatus", "ExternalIdentity", "FaqCategory", "FaqEntry",
    "FaqReview", "FaqRevision", "FaqStatus", "HelpSession", "HelpSource", "Feedback", "FeedbackTarget", "Flag", "FormSubmission", "FlagReason", "FlagStatus",
    "ImportSource", "Notification", "NotificationKind", "Outcome", "OutgoingEmail", "Post", "PostLink",
    "PostRevision", "PostType", "PostView", "Question", "Reason", "ReputationEvent", "ReviewReason", "Role",
    "SearchOutbox", "SiteSetting", "SuggestedEdit", "SuggestionStatus", "Suspension", "Tag", "Upload", "User", "UserBadge", "UserSession",
    "Vote", "Webhook", "WebhookDelivery", "WebhookEvent", "WebhookFormat", "question_tags", "slugify",
    "username_key", "utcnow",
]
