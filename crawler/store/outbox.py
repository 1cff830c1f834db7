"""The delivery outbox (DESIGN §12): what each notification target is sent, once, across kills.

A new story is queued (``queue_story``) in the transaction that stores it. ``expand`` turns
queued stories into one row per target that wants them, in one transaction, so a kill at
any moment leaves each story either queued or expanded, never lost. A row is marked sent
right after the target accepted it: only a kill in between sends it a second time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from crawler.store.schema import matches, outbox, outbox_stories, runs, source_health

PENDING, HELD, DIGESTED, SENT, FAILED = "pending", "held", "digested", "sent", "failed"


def queue_story(conn: Connection, article_id: int, now: datetime) -> None:
    """In the storing transaction: the article is a new story for the targets to hear of."""
    conn.execute(outbox_stories.insert(), {"article_id": article_id, "queued": now})


@dataclass(frozen=True)
class Wanted:
    """What one target wants: its topics (empty: all) and whether stories wait for a digest."""

    target: str
    topics: tuple[str, ...]
    digest: bool

    def wants(self, topics: Sequence[str]) -> bool:
        return not self.topics or any(topic in self.topics for topic in topics)


@dataclass(frozen=True)
class OutboxRow:
    id: int
    target: str
    key: str
    kind: str
    article_id: int | None
    payload: dict[str, Any]
    attempts: int


@dataclass(frozen=True)
class TargetCounts:
    sent: int = 0
    pending: int = 0
    held: int = 0
    failed: int = 0
    last_error: str = ""
    last_sent: datetime | None = None


class Outbox:
    def __init__(self, engine: Engine):
        self.engine = engine

    def expand(self, targets: Sequence[Wanted], now: datetime) -> int:
        """Queued stories → one row per target that wants them; returns the rows added."""
        added = 0
        with self.engine.begin() as conn:
            queued = list(conn.execute(sa.select(outbox_stories.c.article_id)).scalars())
            if not queued:
                return 0
            topics: dict[int, list[str]] = {}
            for article_id, topic in conn.execute(
                    sa.select(matches.c.article_id, matches.c.topic).where(matches.c.article_id.in_(queued))):
                topics.setdefault(article_id, []).append(topic)
            existing = {(row.target, row.key) for row in conn.execute(
                sa.select(outbox.c.target, outbox.c.key).where(outbox.c.article_id.in_(queued)))}
            for article_id in sorted(queued):
                for wanted in targets:
                    key = f"story:{article_id}"
                    if (wanted.target, key) in existing or not wanted.wants(topics.get(article_id, [])):
                        continue
                    conn.execute(outbox.insert(), _row(wanted.target, key, "story", now, article_id=article_id,
                                                       state=HELD if wanted.digest else PENDING))
                    added += 1
            conn.execute(outbox_stories.delete().where(outbox_stories.c.article_id.in_(queued)))
        return added

    def queue(self, target: str, key: str, kind: str, payload: dict[str, Any], now: datetime) -> bool:
        """A message that is no story (a health alarm); False if (target, key) is already queued."""
        with self.engine.begin() as conn:
            return self._queue(conn, target, key, kind, payload, now)

    @staticmethod
    def _queue(conn: Connection, target: str, key: str, kind: str, payload: dict[str, Any],
               now: datetime) -> bool:
        found = conn.execute(sa.select(outbox.c.id).where(outbox.c.target == target, outbox.c.key == key)).first()
        if found is None:
            conn.execute(outbox.insert(), _row(target, key, kind, now, payload=payload))
        return found is None

    def due(self, target: str, now: datetime, limit: int = 100) -> list[OutboxRow]:
        query = (sa.select(outbox.c.id, outbox.c.target, outbox.c.key, outbox.c.kind, outbox.c.article_id,
                           outbox.c.payload, outbox.c.attempts)
                 .where(outbox.c.target == target, outbox.c.state == PENDING, outbox.c.next_attempt <= now)
                 .order_by(outbox.c.id).limit(limit))
        with self.engine.connect() as conn:
            return [OutboxRow(*row) for row in conn.execute(query)]

    def mark_sent(self, row_id: int, now: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(outbox.update().where(outbox.c.id == row_id)
                         .values(state=SENT, sent=now, attempts=outbox.c.attempts + 1))

    def mark_failed(self, row_id: int, error: str, next_attempt: datetime, *, give_up: bool) -> None:
        with self.engine.begin() as conn:
            conn.execute(outbox.update().where(outbox.c.id == row_id).values(
                state=FAILED if give_up else PENDING, last_error=error[:500], next_attempt=next_attempt,
                attempts=outbox.c.attempts + 1))

    def close_digest(self, target: str, now: datetime) -> int:
        """The target's held stories become one digest row; returns how many it lists."""
        with self.engine.begin() as conn:
            held = conn.execute(sa.select(outbox.c.id, outbox.c.article_id)
                                .where(outbox.c.target == target, outbox.c.state == HELD)
                                .order_by(outbox.c.id)).all()
            if not held:
                return 0
            # Keyed by its first story's row: a re-run after a kill finds it instead of adding another.
            payload = {"articles": [row.article_id for row in held]}
            self._queue(conn, target, f"digest:{held[0].id}", "digest", payload, now)
            conn.execute(outbox.update().where(outbox.c.id.in_([row.id for row in held])).values(state=DIGESTED))
            return len(held)

    def counts(self) -> dict[str, TargetCounts]:
        totals: dict[str, dict[str, Any]] = {}
        query = (sa.select(outbox.c.target, outbox.c.state, sa.func.count(), sa.func.max(outbox.c.sent))
                 .group_by(outbox.c.target, outbox.c.state))
        with self.engine.connect() as conn:
            for target, state, count, last_sent in conn.execute(query):
                entry = totals.setdefault(target, {})
                if state in (SENT, PENDING, HELD, FAILED):
                    entry[state] = count
                if state == SENT:
                    entry["last_sent"] = last_sent
            for target, error in conn.execute(
                    sa.select(outbox.c.target, outbox.c.last_error)
                    .where(outbox.c.last_error != "", outbox.c.state.in_((PENDING, FAILED)))
                    .order_by(outbox.c.id)):
                totals.setdefault(target, {})["last_error"] = error
        return {target: TargetCounts(**entry) for target, entry in totals.items()}

    # --- source health ------------------------------------------------------------------

    def recent_outcomes(self, source: str, count: int) -> list[tuple[int, str]]:
        """The source's last ``count`` finished runs, newest first: (run id, outcome)."""
        query = (sa.select(runs.c.id, runs.c.outcome)
                 .where(runs.c.source == source, runs.c.finished.is_not(None))
                 .order_by(runs.c.id.desc()).limit(count))
        with self.engine.connect() as conn:
            return [(run_id, outcome) for run_id, outcome in conn.execute(query)]

    def change_health(self, source: str, state: str, run_id: int, now: datetime,
                      alarms: Sequence[tuple[str, dict[str, Any]]]) -> bool:
        """Record ``state`` and queue ``alarms`` (target, payload) if it is a change; True if so."""
        with self.engine.begin() as conn:
            before = conn.execute(sa.select(source_health.c.state)
                                  .where(source_health.c.source == source)).scalar()
            if (before or "ok") == state:
                return False
            conn.execute(source_health.delete().where(source_health.c.source == source))
            conn.execute(source_health.insert(), {"source": source, "state": state, "run_id": run_id, "changed": now})
            for target, payload in alarms:
                self._queue(conn, target, f"health:{source}:{run_id}", "health", payload, now)
            return True


def _row(target: str, key: str, kind: str, now: datetime, *, article_id: int | None = None,
         payload: dict[str, Any] | None = None, state: str = PENDING) -> dict[str, Any]:
    return {"target": target, "key": key, "kind": kind, "article_id": article_id, "payload": payload or {},
            "state": state, "attempts": 0, "next_attempt": now, "last_error": "", "created": now, "sent": None}

