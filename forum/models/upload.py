"""Images members uploaded for their posts: who sent which stored file, and when."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import utcnow


class Upload(db.Model):
    """One accepted upload. Files are content-addressed, so two uploads of the same image share `name`."""
    __tablename__ = "uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Kept when the member's account is deleted: the file may still be shown in posts.
    uploader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(80))  # <sha256>.<ext> in the upload storage
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]  # bytes stored (after re-encoding)
    width: Mapped[int]
    height: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_uploads_uploader_id_created_at", "uploader_id", "created_at"),
        Index("ix_uploads_name", "name"),
    )


__all__ = ["Upload"]
