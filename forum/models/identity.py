"""Accounts at an outside identity provider (OpenID Connect) linked to a member's account."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow
from .user import User


class ExternalIdentity(db.Model):
    """One provider account (issuer + subject, the ID token's `iss` and `sub`) that signs in as `user`."""
    __tablename__ = "external_identities"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    # The address the provider last gave, for the settings page (the account's own address may differ).
    email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    # A provider account signs in as one member, and a member links at most one account per provider.
    __table_args__ = (
        UniqueConstraint("issuer", "subject", name="uq_external_identities_issuer_subject"),
        UniqueConstraint("user_id", "issuer", name="uq_external_identities_user_id_issuer"),
    )

    def __repr__(self) -> str:
        return f"<ExternalIdentity {self.issuer} {self.subject} of user {self.user_id}>"


__all__ = ["ExternalIdentity"]
