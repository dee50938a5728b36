"""Where imported rows came from, so re-running an import finds them instead of duplicating them."""
from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import utcnow


class ImportSource(db.Model):
    """One imported record: (source site, kind, id there) -> id here. Kinds: user, post, comment, link."""

    __tablename__ = "import_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(40))
    local_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("source", "kind", "external_id"),)
