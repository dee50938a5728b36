"""Every model, imported so the metadata is complete for Alembic and the app."""
from .base import utcnow
from .comment import Comment
from .imports import ImportSource
from .post import Answer, Post, PostLink, PostRevision, PostType, PostView, Question, Tag, question_tags, slugify
from .reputation import Reason, ReputationEvent, UserBadge, Vote
from .search import SearchOutbox
from .user import Role, User, username_key

__all__ = [
    "Answer", "Comment", "ImportSource", "Post", "PostLink", "PostRevision", "PostType", "PostView", "Question",
    "Reason", "ReputationEvent", "Role", "SearchOutbox", "Tag", "User", "UserBadge", "Vote",
    "question_tags", "slugify", "username_key", "utcnow",
]
