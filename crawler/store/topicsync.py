"""Matches follow the configured topics (DESIGN §6): the stored articles re-matched, no page fetched.

The store keeps each topic's definition (keywords, require, exclude) as its matches were made.
When the config's differ, only the topics that changed are matched again:

- a removed topic's matches are deleted (one statement);
- a topic that can only have lost articles (keywords dropped, require or exclude added) is
  matched again on its current articles only;
- a new topic, or one that may have gained articles, is matched against every stored
  article that may hold one of its keywords (the database picks them by a substring search
  for a part of each keyword no other character folds into, crawler.text.literal), read in
  id batches (title and text only), and against its current articles.

Every article whose topics changed gets a new version, so its archive files and feed entries
are written again (crawler.archive.writer catch_up, feeds.build). An article that gains its
first topic gets the summary and the near-duplicate signature that only matched articles have.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from crawler.config import Topic
from crawler.store.database import Store
from crawler.store.schema import (
    article_urls,
    articles,
    matches,
    near_bands,
    outbox_stories,
    revisions,
    topic_definitions,
)
from crawler.text.literal import literal_run
from crawler.text.strings import fold
from crawler.text.topics import TopicMatcher, definition_fingerprint, only_narrows, topic_definition

BATCH = 5_000

_SET_KEYWORDS = (
    matches.update()
    .where((matches.c.article_id == sa.bindparam("aid")) & (matches.c.topic == sa.bindparam("slug")))
    .values(keywords=sa.bindparam("kws"))
)
_DROP_MATCH = matches.delete().where(
    (matches.c.article_id == sa.bindparam("aid")) & (matches.c.topic == sa.bindparam("slug")))


@dataclass
class Rematch:
    """What one re-match changed."""

    changed_topics: tuple[str, ...] = ()
    removed_topics: tuple[str, ...] = ()
    scanned: int = 0  # articles whose text was matched again
    gained: int = 0  # (article, topic) matches added
    lost: int = 0  # … removed
    articles: set[int] = field(default_factory=set)  # articles whose topics changed

    @property
    def nothing(self) -> bool:
        return not self.changed_topics and not self.removed_topics

    def line(self) -> str:
        topics = ", ".join([*self.changed_topics, *(f"-{slug}" for slug in self.removed_topics)])
        return (f"topics changed ({topics}): {self.scanned} stored articles matched again, "
                f"{self.gained} matches added, {self.lost} removed")


def follow_topics(store: Store, topics: Sequence[Topic], *, batch: int = BATCH) -> Rematch:
    """Bring the stored matches in line with ``topics``; a no-op (one read) when they already are.

    Runs in one transaction holding the store's write lock: a second process doing the same
    waits, then finds nothing to do; a crash leaves the old matches and definitions.
    """
    configured = {topic.slug: topic_definition(topic) for topic in topics}
    with store.engine.connect() as conn:
        recorded = _recorded(conn)
    if all(recorded.get(slug, (None, ""))[1] == definition_fingerprint(d) for slug, d in configured.items()) \
            and set(recorded) == set(configured):
        return Rematch()
    with store.exclusive() as conn:
        recorded = _recorded(conn)
        changed = tuple(slug for slug, d in configured.items()
                        if recorded.get(slug, (None, ""))[1] != definition_fingerprint(d))
        stale = set(recorded) | set(conn.execute(sa.select(matches.c.topic).distinct()).scalars())
        result = Rematch(changed, tuple(sorted(stale - set(configured))))
        if result.removed_topics:
            _remove(conn, result)
        if changed:
            may_gain = [slug for slug in changed
                        if slug not in recorded or not only_narrows(recorded[slug][0], configured[slug])]
            _rematch(conn, [t for t in topics if t.slug in changed], result, everything=bool(may_gain),
                     batch=batch)
        _bump_versions(conn, result.articles)
        _record(conn, configured)
    return result


def prune_unmatched(store: Store, source: str, published_before: datetime) -> int:
    """Forget a source's articles older than ``published_before`` that match no topic and were
    never archived (kept until then so that a new topic finds them); returns how many."""
    doomed = (
        sa.select(articles.c.id)
        .where((articles.c.source == source) & (articles.c.published < published_before)
               & (articles.c.archived_version == 0)
               & ~sa.exists().where(matches.c.article_id == articles.c.id)
               & ~sa.exists().where(outbox_stories.c.article_id == articles.c.id))
    )
    with store.exclusive() as conn:
        ids = list(conn.execute(doomed).scalars())
        for start in range(0, len(ids), BATCH):
            chunk = ids[start:start + BATCH]
            for table in (near_bands, revisions, article_urls):
                conn.execute(table.delete().where(table.c.article_id.in_(chunk)))
            conn.execute(articles.delete().where(articles.c.id.in_(chunk)))
    return len(ids)


def _recorded(conn: Connection) -> dict[str, tuple[dict[str, Any], str]]:
    return {row.slug: (row.definition, row.fingerprint) for row in conn.execute(sa.select(topic_definitions))}


def _record(conn: Connection, configured: dict[str, dict[str, list[str]]]) -> None:
    conn.execute(topic_definitions.delete())
    if configured:
        conn.execute(topic_definitions.insert(), [
            {"slug": slug, "definition": d, "fingerprint": definition_fingerprint(d)}
            for slug, d in configured.items()])


def _remove(conn: Connection, result: Rematch) -> None:
    gone = matches.c.topic.in_(result.removed_topics)
    result.articles.update(conn.execute(sa.select(matches.c.article_id).where(gone).distinct()).scalars())
    result.lost += conn.execute(matches.delete().where(gone)).rowcount


def _rematch(conn: Connection, changed: Sequence[Topic], result: Rematch, *, everything: bool,
             batch: int) -> None:
    """Match ``changed`` again on every article (``everything``) or on their current ones only."""
    matcher = TopicMatcher(changed)
    slugs = [topic.slug for topic in changed]
    query = sa.select(articles.c.id, articles.c.title, articles.c.text, articles.c.minhash.is_(None).label("bare"))
    current = articles.c.id.in_(sa.select(matches.c.article_id).where(matches.c.topic.in_(slugs)))
    if not everything:
        query = query.where(current)
    else:
        literals = [literal_run(fold(keyword)) for topic in changed for keyword in topic.keywords]
        if all(literals):  # every match holds one of them: the database reads the rest
            held = [_holds(conn, column, literal) for literal in dict.fromkeys(literals)
                    for column in (articles.c.title, articles.c.text)]
            query = query.where(sa.or_(current, *held))
    last = 0
    while True:
        rows = conn.execute(query.where(articles.c.id > last).order_by(articles.c.id).limit(batch)).all()
        if not rows:
            return
        last = rows[-1].id
        result.scanned += len(rows)
        _apply(conn, rows, matcher, slugs, result)


def _holds(conn: Connection, column: sa.ColumnElement[str], literal: str) -> sa.ColumnElement[bool]:
    """``column`` contains ``literal`` as it is: a plain substring search, 6× faster than
    ``LIKE '%…%'`` on SQLite (1M texts: 0.9 s against 5.4 s), which decodes every character."""
    if conn.dialect.name == "sqlite":
        return sa.func.instr(column, literal) > 0
    if conn.dialect.name == "postgresql":
        return sa.func.strpos(column, literal) > 0
    return column.contains(literal, autoescape=True)


def _apply(conn: Connection, rows: Sequence[sa.Row[Any]], matcher: TopicMatcher, slugs: list[str],
           result: Rematch) -> None:
    first, last = rows[0].id, rows[-1].id
    existing = {
        (row.article_id, row.topic): row.keywords
        for row in conn.execute(sa.select(matches.c.article_id, matches.c.topic, matches.c.keywords).where(
            matches.c.article_id.between(first, last) & matches.c.topic.in_(slugs)))
    }
    added, dropped, rewritten, bare = [], [], [], []
    for row in rows:
        found = matcher.match_folded(fold(f"{row.title}\n{row.text}"))
        for slug in slugs:
            old, new = existing.get((row.id, slug)), found.get(slug)
            if old == new:
                continue
            result.articles.add(row.id)
            if old is None:
                added.append({"article_id": row.id, "topic": slug, "keywords": new})
            elif new is None:
                dropped.append({"aid": row.id, "slug": slug})
            else:
                rewritten.append({"aid": row.id, "slug": slug, "kws": new})
        if found and row.bare:
            bare.append(row)
    if added:
        conn.execute(matches.insert(), added)
    if dropped:
        conn.execute(_DROP_MATCH, dropped)
    if rewritten:
        conn.execute(_SET_KEYWORDS, rewritten)
    result.gained += len(added)
    result.lost += len(dropped)
    _first_match(conn, bare)


def _first_match(conn: Connection, rows: Iterable[sa.Row[Any]]) -> None:
    """What prepare gives only matched articles: a summary and a near-duplicate signature."""
    rows = list(rows)
    if not rows:
        return
    from crawler.text.minhash import band_keys, signature  # numpy: only once something matched
    from crawler.text.summary import summarize

    for row in rows:
        fingerprint = signature(row.text)
        conn.execute(articles.update().where(articles.c.id == row.id).values(
            summary=summarize(row.text), minhash=fingerprint))
        conn.execute(near_bands.delete().where(near_bands.c.article_id == row.id))
        conn.execute(near_bands.insert(), [{"band_key": key, "article_id": row.id} for key in band_keys(fingerprint)])


def _bump_versions(conn: Connection, ids: set[int]) -> None:
    ordered = sorted(ids)
    for start in range(0, len(ordered), BATCH):
        conn.execute(articles.update().where(articles.c.id.in_(ordered[start:start + BATCH]))
                     .values(version=articles.c.version + 1))
