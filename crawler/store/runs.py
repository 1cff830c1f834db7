"""Crawl run records: one row per source run, its outcome, counts and error lines."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from crawler.outcomes import RUNNING, RunOutcome
from crawler.store.records import RunRecord
from crawler.store.schema import runs


class RunRecords:
    """The store's run records (a part of crawler.store.Store)."""

    engine: Engine

    def start_run(self, source: str, started: datetime) -> int:
        with self.engine.begin() as conn:
            return conn.execute(
                runs.insert().values(source=source, started=started, outcome=str(RUNNING), stats={}, errors=[])
            ).inserted_primary_key[0]

    def finish_run(self, run_id: int, finished: datetime, outcome: RunOutcome,
                   stats: Mapping[str, Any], errors: list[str]) -> None:
        with self.engine.begin() as conn:
            conn.execute(runs.update().where(runs.c.id == run_id).values(
                finished=finished, outcome=str(outcome), stats=json.loads(json.dumps(stats, default=str)),
                errors=errors))

    def last_runs(self) -> dict[str, RunRecord]:
        latest = sa.select(sa.func.max(runs.c.id)).group_by(runs.c.source)
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(runs).where(runs.c.id.in_(latest)).order_by(runs.c.source))
            return {row.source: _record(row) for row in rows}

    def run_since(self, source: str, started: datetime) -> RunRecord | None:
        """The source's latest run started at ``started`` or later (whole seconds), if any."""
        query = (sa.select(runs).where((runs.c.source == source) & (runs.c.started >= started.replace(microsecond=0)))
                 .order_by(runs.c.id.desc()).limit(1))
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return _record(row) if row is not None else None


def _record(row: sa.Row[Any]) -> RunRecord:
    return RunRecord(**{**row._mapping, "outcome": RunOutcome.parse(row.outcome)})
