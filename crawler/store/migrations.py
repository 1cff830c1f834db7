"""Store schema changes after version 1, and the triggers that keep copied columns in step.

``matches.published`` (version 2) is a copy of ``articles.published`` so that a topic's newest
articles come straight from the index on (topic, published). The database fills and follows
the copy itself, so no writer of ``matches`` (Store.save, bulk imports) has to know about it.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from crawler.store.schema import ai_summaries, image_files, outbox, outbox_stories, source_health

_PUBLISHED_COPY = {
    "sqlite": [
        """CREATE TRIGGER IF NOT EXISTS matches_copy_published AFTER INSERT ON matches
        WHEN NEW.published IS NULL
        BEGIN
            UPDATE matches
            SET published = (SELECT published FROM articles WHERE id = NEW.article_id)
            WHERE article_id = NEW.article_id AND topic = NEW.topic;
        END""",
        """CREATE TRIGGER IF NOT EXISTS articles_published_to_matches
        AFTER UPDATE OF published ON articles
        BEGIN
            UPDATE matches SET published = NEW.published WHERE article_id = NEW.id;
        END""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION matches_copy_published() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            NEW.published := (SELECT published FROM articles WHERE id = NEW.article_id);
            RETURN NEW;
        END $$""",
        """CREATE OR REPLACE TRIGGER matches_copy_published BEFORE INSERT ON matches
        FOR EACH ROW WHEN (NEW.published IS NULL) EXECUTE FUNCTION matches_copy_published()""",
        """CREATE OR REPLACE FUNCTION articles_published_to_matches() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE matches SET published = NEW.published WHERE article_id = NEW.id;
            RETURN NULL;
        END $$""",
        """CREATE OR REPLACE TRIGGER articles_published_to_matches
        AFTER UPDATE OF published ON articles FOR EACH ROW
        WHEN (OLD.published IS DISTINCT FROM NEW.published)
        EXECUTE FUNCTION articles_published_to_matches()""",
    ],
}


def create_triggers(conn: Connection) -> None:
    """Idempotent: two processes creating the same new store may both run it."""
    dialect = conn.dialect.name
    if dialect not in _PUBLISHED_COPY:
        raise NotImplementedError(f"no store triggers for {dialect}; use SQLite or PostgreSQL")
    for statement in _PUBLISHED_COPY[dialect]:
        conn.exec_driver_sql(statement)


def upgrade(conn: Connection, found: int) -> None:
    """Bring a store at schema version ``found`` to the current one, in ``conn``'s transaction."""
    for step in _STEPS[found - 1:]:
        step(conn)


def _matches_published(conn: Connection) -> None:
    columns = {column["name"] for column in sa.inspect(conn).get_columns("matches")}
    if "published" not in columns:
        kind = "TIMESTAMP WITH TIME ZONE" if conn.dialect.name == "postgresql" else "DATETIME"
        conn.exec_driver_sql(f"ALTER TABLE matches ADD COLUMN published {kind}")
    conn.exec_driver_sql(
        "UPDATE matches SET published ="
        " (SELECT published FROM articles WHERE id = matches.article_id) WHERE published IS NULL")
    conn.exec_driver_sql("DROP INDEX IF EXISTS ix_matches_topic")  # the new index leads with topic
    conn.exec_driver_sql(
        "CREATE INDEX IF NOT EXISTS ix_matches_topic_published"
        " ON matches (topic, published, article_id)")
    create_triggers(conn)


def _delivery_tables(conn: Connection) -> None:
    for table in (outbox_stories, outbox, source_health):
        table.create(conn, checkfirst=True)


def _ai_summaries(conn: Connection) -> None:
    ai_summaries.create(conn, checkfirst=True)


def _image_files(conn: Connection) -> None:
    from crawler.store.imagefiles import backfill

    image_files.create(conn, checkfirst=True)
    backfill(conn)


# _STEPS[n - 1] takes a store from version n to n + 1
_STEPS = [_matches_published, _delivery_tables, _ai_summaries, _image_files]
