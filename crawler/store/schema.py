"""The store's tables (SQLAlchemy Core) and the one column type they need."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

SCHEMA_VERSION = 6


class UtcDateTime(sa.types.TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (naive UTC) and PostgreSQL alike."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} cannot be stored")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def result_processor(self, dialect: sa.Dialect, coltype: object) -> Any:
        """``process_result_value`` after the driver type's own conversion, in one function:
        every fetch state read has two of these, and TypeDecorator's pair of calls was half
        of a one-URL lookup's Python time."""
        parse = self.impl_instance.result_processor(dialect, coltype)

        def process(value: Any) -> datetime | None:
            if value is None:
                return None
            if parse is not None:
                value = parse(value)
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

        return process


metadata = sa.MetaData()

schema_version = sa.Table("schema_version", metadata, sa.Column("version", sa.Integer, nullable=False))

articles = sa.Table(
    "articles",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("canonical_url", sa.Text, nullable=False, unique=True),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("spider", sa.Text, nullable=False),
    sa.Column("site_name", sa.Text, nullable=False, default=""),
    sa.Column("site_id", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("outlet", sa.Text, nullable=False, default=""),
    sa.Column("author", sa.Text, nullable=False, default=""),
    sa.Column("editor", sa.Text, nullable=False, default=""),
    sa.Column("published", UtcDateTime, nullable=False),
    sa.Column("updated", UtcDateTime, nullable=False),
    sa.Column("archived", UtcDateTime, nullable=False),
    sa.Column("fetched", UtcDateTime, nullable=False),
    sa.Column("body_html", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("summary", sa.Text, nullable=False, default=""),
    sa.Column("content_sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("images", sa.JSON, nullable=False),
    sa.Column("cover", sa.Text, nullable=False, default=""),
    sa.Column("categories", sa.JSON, nullable=False),
    sa.Column("keywords", sa.JSON, nullable=False),
    sa.Column("etag", sa.Text, nullable=False, default=""),
    sa.Column("last_modified", sa.Text, nullable=False, default=""),
    sa.Column("revision", sa.Integer, nullable=False, default=1),
    # Bumped by every change the archive shows (new text, a new alias); the archive files are
    # current when archived_version equals it, so a crash between commit and write is repaired.
    sa.Column("version", sa.Integer, nullable=False, default=1),
    sa.Column("minhash", sa.LargeBinary),  # near-duplicate signature (crawler.text.minhash)
    sa.Column("archived_version", sa.Integer, nullable=False, default=0),
    sa.Index("ix_articles_published", "published"),
)

article_urls = sa.Table(
    "article_urls",
    metadata,
    sa.Column("url", sa.Text, primary_key=True),
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id"), nullable=False, index=True),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # "canonical" | "alias" (same text) | "near"
    sa.Column("outlet", sa.Text, nullable=False, default=""),  # who published the alias / near copy
    sa.Column("first_seen", UtcDateTime, nullable=False),
)

matches = sa.Table(
    "matches",
    metadata,
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id"), primary_key=True),
    sa.Column("topic", sa.Text, primary_key=True),
    sa.Column("keywords", sa.JSON, nullable=False),
    # articles.published, copied by the database (crawler.store.migrations): a topic's newest first
    # straight from the index.
    sa.Column("published", UtcDateTime),
    sa.Index("ix_matches_topic_published", "topic", "published", "article_id"),
)

# The LSH index: a near-duplicate shares at least one band key (crawler.text.minhash).
near_bands = sa.Table(
    "near_bands",
    metadata,
    sa.Column("band_key", sa.BigInteger, primary_key=True),
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id"), primary_key=True),
)

# Earlier texts of articles that changed: kept, never overwritten.
revisions = sa.Table(
    "revisions",
    metadata,
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id"), primary_key=True),
    sa.Column("revision", sa.Integer, primary_key=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("body_html", sa.Text, nullable=False),
    sa.Column("content_sha256", sa.String(64), nullable=False),
    sa.Column("valid_from", UtcDateTime, nullable=False),  # when this text was first seen
    sa.Column("replaced", UtcDateTime, nullable=False),  # when a newer text replaced it
)

# Article pages that could not be turned into an article (cut page, deleted article…).
page_failures = sa.Table(
    "page_failures",
    metadata,
    sa.Column("url", sa.Text, primary_key=True),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("last_attempt", UtcDateTime, nullable=False),
)

# Article links a list page gave that were not fetched: older than max_age_days by the list's
# date, or no topic keyword in the list entry (crawler.store.skipped). Kept a week, so that
# ``topicfeed explain`` can say why an article is missing. New in a store at any version:
# ``create_all`` adds it on open and older versions never read it.
skipped_links = sa.Table(
    "skipped_links",
    metadata,
    sa.Column("url", sa.Text, primary_key=True),  # canonical
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("reason", sa.String(16), nullable=False),  # too_old | no_keyword
    sa.Column("published", UtcDateTime),  # as the list gave it
    sa.Column("cutoff", UtcDateTime),  # too_old: the oldest publication time the crawl took
    sa.Column("seen", UtcDateTime, nullable=False),
)

# Per listing (an ifeng column or search keyword, a Qutoutiao category…): what the last completed
# pass of it covered, newest to oldest entry (crawler.store.listings). Only this lets paging stop early.
listing_passes = sa.Table(
    "listing_passes",
    metadata,
    sa.Column("source", sa.Text, primary_key=True),
    sa.Column("listing", sa.Text, primary_key=True),
    sa.Column("newest", UtcDateTime),
    sa.Column("oldest", UtcDateTime),
    sa.Column("reached_end", sa.Boolean, nullable=False),
    sa.Column("completed", UtcDateTime, nullable=False),
)

# Each topic as its stored matches were made (crawler.store.topicsync): a config that differs
# means those matches are made again.
topic_definitions = sa.Table(
    "topic_definitions",
    metadata,
    sa.Column("slug", sa.Text, primary_key=True),
    sa.Column("definition", sa.JSON, nullable=False),  # {"keywords": [...], "require": [...], "exclude": [...]}
    sa.Column("fingerprint", sa.String(64), nullable=False),
)

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source", sa.Text, nullable=False, index=True),
    sa.Column("started", UtcDateTime, nullable=False),
    sa.Column("finished", UtcDateTime),
    sa.Column("outcome", sa.Text, nullable=False, default="running"),
    sa.Column("stats", sa.JSON, nullable=False),
    sa.Column("errors", sa.JSON, nullable=False),
)

# Delivery (DESIGN §12). A new story is queued here in the transaction that stores it; the
# delivery step turns each queued story into one outbox row per target that wants it.
outbox_stories = sa.Table(
    "outbox_stories",
    metadata,
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id"), primary_key=True),
    sa.Column("queued", UtcDateTime, nullable=False),
)

# One message to one target: a story, a digest, a health alarm. (target, key) is sent once.
outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("target", sa.Text, nullable=False),
    sa.Column("key", sa.Text, nullable=False),  # story:<article id> | digest:<n> | health:<source>:<run>
    sa.Column("kind", sa.String(16), nullable=False),  # story | digest | health
    sa.Column("article_id", sa.Integer),
    sa.Column("payload", sa.JSON, nullable=False),
    # pending → sent | failed (attempts used up); a digest target's stories wait as held,
    # then become digested when a digest row lists them.
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_attempt", UtcDateTime, nullable=False),
    sa.Column("last_error", sa.Text, nullable=False, default=""),
    sa.Column("created", UtcDateTime, nullable=False),
    sa.Column("sent", UtcDateTime),
    sa.UniqueConstraint("target", "key", name="uq_outbox_target_key"),
    sa.Index("ix_outbox_target_state", "target", "state", "next_attempt"),
)

# Each source's last health as alarms saw it: an alarm is sent on a change, not on every run.
source_health = sa.Table(
    "source_health",
    metadata,
    sa.Column("source", sa.Text, primary_key=True),
    sa.Column("state", sa.String(16), nullable=False),  # ok | bad
    sa.Column("run_id", sa.Integer, nullable=False),  # the run that changed it
    sa.Column("changed", UtcDateTime, nullable=False),
)

# LLM summaries ([summary], crawler.delivery.llm), by the text's hash: an unchanged text is
# never summarised twice, and an article's summary is the one of its current text.
ai_summaries = sa.Table(
    "ai_summaries",
    metadata,
    sa.Column("content_sha256", sa.String(64), primary_key=True),
    sa.Column("model", sa.Text, nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("created", UtcDateTime, nullable=False),
)

# Local image files an article shows (path under the archive, images/<host>/<file>): the only
# images ``topicfeed serve`` hands out, however computable another file's path is.
image_files = sa.Table(
    "image_files",
    metadata,
    sa.Column("path", sa.Text, primary_key=True),
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id"), nullable=False),
)

# [sync.feishu]: the Feishu document of each synced article, and its retries (crawler.store.docsync).
feishu_docs = sa.Table(
    "feishu_docs",
    metadata,
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id"), primary_key=True),
    sa.Column("document_id", sa.Text, nullable=False),  # "" until created
    sa.Column("synced_version", sa.Integer, nullable=False),  # articles.version the document shows
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt", UtcDateTime, nullable=False),
    sa.Column("last_error", sa.Text, nullable=False),
    sa.Column("synced", UtcDateTime),
)
