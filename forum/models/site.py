"""Site-wide settings edited by admins, and outgoing webhooks with their delivery log."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow


class SiteSetting(db.Model):
    """A key and a JSON value (support hours, guidelines...)."""

    __tablename__ = "site_settings"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class WebhookFormat:
    SLACK = "slack"
    CHATWORK = "chatwork"
    ALL = (SLACK, CHATWORK)


class WebhookEvent:
    QUESTION_NEW = "question.new"
    QUESTION_UNANSWERED = "question.unanswered"
    FLAG_NEW = "flag.new"
    FAQ_CANDIDATE = "faq.candidate"
    FAQ_NEEDS_REVIEW = "faq.needs_review"
    ALL = (QUESTION_NEW, QUESTION_UNANSWERED, FLAG_NEW, FAQ_CANDIDATE, FAQ_NEEDS_REVIEW)


class Webhook(db.Model):
    """An outgoing alert: where to post, in which format, for which events (space-separated)."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    url: Mapped[str] = mapped_column(String(500))
    format: Mapped[str] = mapped_column(String(10), default=WebhookFormat.SLACK)
    events: Mapped[str] = mapped_column(String(300), default="")
    secret: Mapped[str] = mapped_column(String(200), default="", server_default="")  # HMAC key, or ChatWork token
    active: Mapped[bool] = mapped_column(default=True, server_default="1")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def event_list(self) -> list[str]:
        return self.events.split()


class DeliveryStatus:
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # gave up after the last retry


class WebhookDelivery(db.Model):
    """One event sent (or being sent) to one webhook; `dedup_key` stops the same event being queued twice."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(40))
    dedup_key: Mapped[str] = mapped_column(String(100))
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    response_status: Mapped[int | None]
    error: Mapped[str] = mapped_column(String(500), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]

    webhook: Mapped[Webhook] = relationship()

    __table_args__ = (
        UniqueConstraint("webhook_id", "dedup_key"),
        Index("ix_webhook_deliveries_status_next", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_created", "created_at"),
    )
