"""The links the sitemaps list: visible questions in pages of post ids, published FAQ entries, question lists.

Question sitemaps are pages of the post id space: page n holds the visible questions whose ids lie in
((n-1) × size, n × size], so a page never has more than `size` links, costs one range query on the primary key
whatever the size of the site, and a question stays on the same page for life (deleting others never moves it).
Answers share the id space, so pages hold fewer links than their size; a page may even be empty.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ...extensions import db
from ...models import FaqEntry, FaqStatus, Post, PostType, Tag
from ...urls import faq_entry_path, question_path, tag_path

MAX_URLS = 50_000  # the sitemap protocol's limit per file


@dataclass(frozen=True)
class SitemapUrl:
    path: str
    lastmod: datetime | None = None


def _visible_questions(keep_to_the_primary_key: bool = False):
    # Within an id range, the type test must not be an index key: without statistics (no ANALYZE) SQLite would
    # rather walk ix_posts_type_created over every visible question than the primary key's range; as an
    # expression (`post_type || ''`) no index covers it, on SQLite or PostgreSQL.
    post_type = Post.post_type.concat("") if keep_to_the_primary_key else Post.post_type
    return (post_type == PostType.QUESTION, Post.deleted_at.is_(None), Post.hidden_at.is_(None))


def question_page_count(page_size: int) -> int:
    """How many question sitemaps there are: enough pages to reach the newest post (at least one). Any post, not
    the newest question: max(id) of the whole table is one look at the primary key's end; the last page may hold
    only answers, and is then empty."""
    last_id = db.session.scalar(select(func.max(Post.id))) or 0
    return max(1, -(-last_id // page_size))


def question_page(number: int, page_size: int) -> list[SitemapUrl]:
    """Page `number` (from 1) of the question sitemaps: each visible question and its last activity."""
    low = (number - 1) * page_size
    rows = db.session.execute(
        select(Post.id, Post.title, Post.last_activity_at)
        .where(Post.id > low, Post.id <= low + page_size, *_visible_questions(keep_to_the_primary_key=True))
        .order_by(Post.id)
    )
    return [SitemapUrl(question_path(id_, title), last_activity) for id_, title, last_activity in rows]


def faq_urls() -> list[SitemapUrl]:
    """/faq and every published entry, each last changed when its content last did (one query)."""
    rows = db.session.execute(
        select(FaqEntry.id, FaqEntry.title, FaqEntry.updated_at, FaqEntry.published_at)
        .where(FaqEntry.status == FaqStatus.PUBLISHED)
        .order_by(FaqEntry.id)
    ).all()
    entries = [SitemapUrl(faq_entry_path(id_, title), max(updated, published or updated))
               for id_, title, updated, published in rows]
    newest = max((entry.lastmod for entry in entries), default=None)
    return [SitemapUrl("/faq", newest), *entries]


def list_urls(limit: int) -> list[SitemapUrl]:
    """The question lists: all questions (the home page), then the `limit` - 1 most used tags (two queries).

    Only the full list has a last-modified time: a tag's would take a join over every thread it has."""
    # Newest first and the first row (not max()): walks ix_posts_type_activity from its end past hidden threads.
    newest = db.session.scalar(select(Post.last_activity_at).where(*_visible_questions())
                               .order_by(Post.last_activity_at.desc()).limit(1))
    names = db.session.scalars(
        select(Tag.name).where(Tag.question_count > 0).order_by(Tag.question_count.desc(), Tag.name).limit(limit - 1)
    )
    return [SitemapUrl("/questions", newest), *(SitemapUrl(tag_path(name)) for name in names)]
