"""The store: articles, their URLs and aliases, topic matches and crawl runs (SQLAlchemy Core)."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from crawler.items import Article
from crawler.store import imagefiles, migrations, statements
from crawler.store.articlereads import ArticleReads
from crawler.store.driver import QuickReads, run_raw, sqlite_pragmas
from crawler.store.failures import PageFailures
from crawler.store.neardup import NearCheck
from crawler.store.outbox import queue_story
from crawler.store.reads import TopicReads
from crawler.store.records import FetchState, PageFailure, SaveOutcome, SaveResult, UrlStatus
from crawler.store.runs import RunRecords
from crawler.store.schema import (
    SCHEMA_VERSION,
    article_urls,
    articles,
    matches,
    metadata,
    revisions,
    schema_version,
)
from crawler.store.sqlitefile import foreign_tables

SCHEMA_CREATE_ATTEMPTS = 5


# What writing output can fail with: the file system, or the database refusing a write.
OUTPUT_ERRORS = (OSError, sa.exc.OperationalError)


class StoreError(Exception):
    """The store cannot be opened or used; the message says why in one line."""


class StoreMissing(StoreError):
    """A command that only reads found no store where the config points."""


class Store(RunRecords, PageFailures, TopicReads, ArticleReads):
    def __init__(self, engine: Engine):
        self.engine = engine
        self._quick = QuickReads(engine)

    @classmethod
    def open(cls, url: str) -> Store:
        if url.startswith("sqlite:///"):
            db_path = Path(url.removeprefix("sqlite:///"))
            try:
                db_path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the store folder {db_path.parent}: {exc.strerror}") from exc
            if foreign := foreign_tables(db_path):  # read only: the file is not ours to change
                raise StoreError(f"{url}: not a usable topicfeed store (another program's database, tables "
                                 f"{foreign}); point [store] url or --data-dir at another location")
        engine = sa.create_engine(url, future=True)
        if engine.dialect.name == "sqlite":
            sa.event.listen(engine, "connect", sqlite_pragmas)
        store = cls(engine)
        store._migrate(url)
        return store

    @classmethod
    def open_existing(cls, url: str, *, fix: str) -> Store:
        """For commands that only read: a missing SQLite file is a StoreMissing naming where it
        looked and ``fix``, never a new empty store in the wrong folder."""
        if url.startswith("sqlite:///"):
            db_path = Path(url.removeprefix("sqlite:///"))
            if not db_path.is_file():
                raise StoreMissing(f"no store at {db_path}; {fix}")
        return cls.open(url)

    def _migrate(self, url: str) -> None:
        for attempt in range(SCHEMA_CREATE_ATTEMPTS):
            try:
                self._create_schema(url)
                return
            except StoreError as error:
                # Two processes creating a new store at once: the loser sees "already exists".
                if "already exists" not in str(error) or attempt == SCHEMA_CREATE_ATTEMPTS - 1:
                    raise
                time.sleep(0.2 * (attempt + 1))

    def _create_schema(self, url: str) -> None:
        try:
            with self.engine.begin() as conn:
                metadata.create_all(conn)
                version = conn.execute(sa.select(schema_version.c.version)).scalar()
                if version is None:
                    migrations.create_triggers(conn)
                    conn.execute(schema_version.insert().values(version=SCHEMA_VERSION))
                elif version > SCHEMA_VERSION:
                    raise StoreError(
                        f"{url}: store schema version {version} is newer than this topicfeed "
                        f"understands ({SCHEMA_VERSION}); upgrade topicfeed"
                    )
            if version is not None and version < SCHEMA_VERSION:
                self._upgrade()
        except sa.exc.DatabaseError as exc:
            raise StoreError(f"{url}: not a usable topicfeed store ({exc.orig}); "
                             "point [store] url or --data-dir at another location") from exc

    def _upgrade(self) -> None:
        with self._exclusive() as conn:
            version = conn.execute(sa.select(schema_version.c.version)).scalar()
            if version < SCHEMA_VERSION:  # not upgraded meanwhile by another process
                migrations.upgrade(conn, version)
                conn.execute(schema_version.update().values(version=SCHEMA_VERSION))

    def exclusive(self) -> AbstractContextManager[Connection]:
        """A transaction holding the store's write lock from its start (bulk changes, upgrades)."""
        return self._exclusive()

    @contextmanager
    def _exclusive(self) -> Iterator[Connection]:
        """A transaction that holds the write lock from its first statement on.

        Two processes upgrading an old store at once: the second waits, then reads the new
        version and does nothing.
        """
        if self.engine.dialect.name != "sqlite":
            with self.engine.begin() as conn:
                conn.execute(sa.select(schema_version.c.version).with_for_update())
                yield conn
            return
        # pysqlite would begin a deferred transaction, and only at the first write.
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.exec_driver_sql("ROLLBACK")
                raise
            conn.exec_driver_sql("COMMIT")

    def close(self) -> None:
        self._quick.close()
        self.engine.dispose()

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    # --- articles -----------------------------------------------------------------------

    def fetch_states(self, urls: Iterable[str]) -> dict[str, FetchState]:
        """For the given canonical URLs (or aliases) that are stored: their fetch state."""
        wanted = list(dict.fromkeys(urls))
        if not wanted:
            return {}
        if len(wanted) == 1:  # the downloader's case, one link at a time: the quick path
            rows = self._quick.rows(statements.FETCH_STATE, url=wanted[0])
            return {wanted[0]: FetchState(*rows[0])} if rows else {}
        with self.engine.connect() as conn:
            return {
                row.url: FetchState(row.published, row.fetched, row.etag, row.last_modified)
                for row in conn.execute(statements.FETCH_STATES, {"urls": wanted})
            }

    def save(self, article: Article, content_sha256: str, now: datetime, *,
             fingerprint: bytes | None = None, near_similarity: float = 0.8) -> SaveResult:
        """Insert, update, alias, cluster or just touch, in one transaction.

        ``fingerprint`` is the text's MinHash signature: an article at least ``near_similarity``
        similar to a stored one joins it instead of becoming a new article.
        """
        touched = self._quick.rows(statements.TOUCH_UNCHANGED, url=article.canonical_url, sha=content_sha256,
                                   fetched=now, etag=article.etag, last_modified=article.last_modified)
        if touched:  # the common re-fetch: nothing new, committed already
            return SaveResult(SaveOutcome.UNCHANGED, touched[0][0])
        near = NearCheck(fingerprint, near_similarity)
        # The write lock from the first read on: each source's item worker saves on its own
        # connection, and two near-duplicates looked up in deferred transactions at the same
        # moment would both see no cluster and both be stored as new stories.
        try:
            with self._exclusive() as conn:
                return self._save(conn, article, content_sha256, now, near)
        except IntegrityError:
            # A concurrent writer stored the same URL or text first: re-run against its row.
            with self._exclusive() as conn:
                return self._save(conn, article, content_sha256, now, near)

    def save_many(self, prepared: Sequence[Article], now: datetime, *,
                  near_similarity: float = 0.8) -> list[SaveResult]:
        """``save`` for several prepared articles (their ``content_sha256`` and ``fingerprint``
        set), in one transaction: one commit instead of one per article.

        Either all are stored or none is (the exception says why); the results are in order.
        """
        if not prepared:
            return []
        try:
            with self._exclusive() as conn:
                return [self._save(conn, article, article.content_sha256, now,
                                   NearCheck(article.fingerprint, near_similarity)) for article in prepared]
        except IntegrityError:
            # A concurrent writer stored one of the URLs or texts first: each on its own, then.
            return [self.save(article, article.content_sha256, now, fingerprint=article.fingerprint,
                              near_similarity=near_similarity) for article in prepared]

    def _raw(self, conn: Connection, statement: sa.Executable, values: Mapping[str, Any],
             column_keys: Sequence[str] | None = None) -> list[tuple[Any, ...]]:
        """``statement`` in ``conn``'s transaction, straight on the driver (compiled once)."""
        return run_raw(conn.connection.dbapi_connection, self._quick.compiled(statement, column_keys),
                       values, self.engine.dialect)

    def _save(self, conn: Connection, article: Article, sha: str, now: datetime,
              near: NearCheck) -> SaveResult:
        # The statements every article page runs go straight to the driver (crawler.store.driver):
        # SQLAlchemy's per-execution work was most of save()'s cost.
        found = self._raw(conn, statements.BY_URL, {"url": article.canonical_url})
        existing = statements.StoredRow(*found[0]) if found else None
        if existing is not None:
            validators = {"row_id": existing.id, "fetched": now, "etag": article.etag,
                          "last_modified": article.last_modified}
            if existing.content_sha256 == sha or existing.kind != "canonical":
                self._raw(conn, statements.UPDATE_ARTICLE, validators, statements.VALIDATOR_COLUMNS)
                return SaveResult(SaveOutcome.UNCHANGED, existing.id)
            if self._raw(conn, statements.BY_TEXT, {"sha": sha}):
                # the new text is another stored article's
                self._raw(conn, statements.UPDATE_ARTICLE, validators, statements.VALIDATOR_COLUMNS)
                return SaveResult(SaveOutcome.UNCHANGED, existing.id)
            conn.execute(revisions.insert(), {
                "article_id": existing.id, "revision": existing.revision, "title": existing.title,
                "text": existing.text, "body_html": existing.body_html,
                "content_sha256": existing.content_sha256, "valid_from": existing.updated,
                "replaced": now})
            values = statements.article_values(article, sha)
            del values["published"]  # the first publication time stays
            conn.execute(
                articles.update()
                .where(articles.c.id == existing.id)
                .values(**values, fetched=now, updated=now, revision=articles.c.revision + 1,
                        version=articles.c.version + 1, minhash=near.fingerprint)
            )
            near.index(conn, existing.id)
            self._set_matches(conn, existing.id, article.topics, replace=True)
            return SaveResult(SaveOutcome.UPDATED, existing.id)

        same_text = next((row[0] for row in self._raw(conn, statements.BY_TEXT, {"sha": sha})), None)
        if same_text is not None:
            self._join(conn, same_text, article, "alias", now)
            return SaveResult(SaveOutcome.ALIAS, same_text)

        cluster = near.find(conn)
        if cluster is not None:
            self._join(conn, cluster, article, "near", now)
            return SaveResult(SaveOutcome.NEAR_DUPLICATE, cluster)

        published = article.published or now
        row = {
            **statements.article_values(article, sha), "canonical_url": article.canonical_url,
            "published": published, "updated": published, "archived": now, "fetched": now,
            "revision": 1, "version": 1, "archived_version": 0, "minhash": near.fingerprint,
        }
        article_id = self._raw(conn, statements.INSERT_ARTICLE, row, tuple(row))[0][0]
        if near.fingerprint is not None:
            near.index(conn, article_id, replace=False)
        url_row = {"url": article.canonical_url, "article_id": article_id, "source": article.source,
                   "kind": "canonical", "outlet": "", "first_seen": now}
        self._raw(conn, statements.INSERT_URL, url_row, tuple(url_row))
        for slug, keywords in sorted(article.topics.items()):
            match = {"article_id": article_id, "topic": slug, "keywords": list(keywords)}
            self._raw(conn, statements.INSERT_MATCH, match, tuple(match))
        if article.topics:
            queue_story(conn, article_id, now)  # delivery (crawler.delivery): sent once, kill or not
        self._raw(conn, statements.FORGET_FAILURE, {"failed_url": article.canonical_url})
        return SaveResult(SaveOutcome.NEW, article_id)

    @staticmethod
    def _join(conn: Connection, article_id: int, article: Article, kind: str, now: datetime) -> None:
        conn.execute(article_urls.insert(), {
            "url": article.canonical_url, "article_id": article_id, "source": article.source,
            "kind": kind, "outlet": article.outlet or article.site_name, "first_seen": now})
        conn.execute(statements.BUMP_VERSION, {"row_id": article_id})

    @staticmethod
    def _set_matches(conn: Connection, article_id: int, topics: Mapping[str, list[str]], *,
                     replace: bool) -> None:
        if replace:
            conn.execute(matches.delete().where(matches.c.article_id == article_id))
        if topics:
            conn.execute(matches.insert(), [
                {"article_id": article_id, "topic": slug, "keywords": list(kws)}
                for slug, kws in sorted(topics.items())
            ])

    def failure(self, canonical_url: str) -> PageFailure | None:
        rows = self._quick.rows(statements.FAILURE, url=canonical_url)
        return PageFailure(*rows[0]) if rows else None

    def url_status(self, canonical_url: str) -> UrlStatus:
        """``fetch_states`` and ``failure`` for one URL, in one lookup."""
        published, fetched, etag, last_modified, reason, attempts, last_attempt = (
            self._quick.rows(statements.URL_STATUS, url=canonical_url)[0])
        stored = published is not None
        return UrlStatus(
            state=FetchState(published, fetched, etag, last_modified) if stored else None,
            failure=PageFailure(reason, attempts, last_attempt) if reason is not None else None,
        )

    def touch(self, canonical_url: str, now: datetime) -> None:
        """Record a fetch that found nothing new (e.g. 304 Not Modified)."""
        ids = sa.select(article_urls.c.article_id).where(article_urls.c.url == canonical_url)
        with self._tx() as conn:
            conn.execute(articles.update().where(articles.c.id.in_(ids)).values(fetched=now))

    def version(self, article_id: int) -> int | None:
        """The article's version (it grows with every change the archive shows), or None."""
        with self.engine.connect() as conn:
            return conn.execute(statements.VERSION, {"row_id": article_id}).scalar()

    def due_for_revisit(self, source: str, published_after: datetime,
                        fetched_before: datetime | None) -> list[str]:
        """Canonical URLs of a source's young articles last fetched before ``fetched_before``."""
        condition = (articles.c.source == source) & (articles.c.published >= published_after)
        if fetched_before is not None:
            condition &= articles.c.fetched <= fetched_before
        query = sa.select(articles.c.canonical_url).where(condition).order_by(articles.c.published.desc())
        with self.engine.connect() as conn:
            return list(conn.execute(query).scalars())

    def set_local_images(self, article_id: int, local: Mapping[str, str], failed: Iterable[str] = ()) -> None:
        """Record where an article's images were saved (image URL → path under the archive),
        and which could not be saved (``failed``: their URLs)."""
        failed = set(failed)
        with self._tx() as conn:
            images = conn.execute(sa.select(articles.c.images).where(articles.c.id == article_id)).scalar()
            if images is None:
                return
            updated = [{**image, "local": local.get(image["url"], image.get("local", "")),
                        "failed": image["url"] in failed and image["url"] not in local} for image in images]
            conn.execute(articles.update().where(articles.c.id == article_id)
                         .values(images=updated, version=articles.c.version + 1))
            imagefiles.record(conn, article_id, local.values())

    def mark_archived(self, article_id: int, version: int) -> None:
        with self._tx() as conn:
            conn.execute(articles.update().where(articles.c.id == article_id)
                         .values(archived_version=version))

    def integrity_ok(self) -> bool:
        if self.engine.dialect.name != "sqlite":
            return True
        with self.engine.connect() as conn:
            return conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
