"""Per-link point lookups: on a kept connection, without SQLAlchemy's per-call cost.

SQLAlchemy still writes the SQL and converts the values (``PointQuery`` is compiled from a
Core select for the engine's dialect); only the execution goes straight to the driver. That
is about 10 µs per lookup on SQLite, against 50 µs for a cached statement through a kept
SQLAlchemy connection and 150 µs with a connection checked out per call.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect, Engine

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class PointQuery:
    """A select compiled once for one dialect: its SQL, how to pass parameters, how to read rows."""

    sql: str
    positional: tuple[str, ...] | None  # parameter names in order, for qmark-style drivers
    binds: Mapping[str, Processor]
    results: tuple[Processor, ...]

    def __post_init__(self) -> None:
        # What parameters() and row() do per call, worked out once: most lookups bind one
        # unconverted value and convert one or two of the columns they read.
        converting = {name: process for name, process in self.binds.items() if process}
        object.__setattr__(self, "_converting", converting)
        object.__setattr__(self, "_converted_columns",
                           tuple((i, process) for i, process in enumerate(self.results) if process))

    @classmethod
    def compile(cls, statement: sa.Executable, dialect: Dialect,
                column_keys: Sequence[str] | None = None) -> PointQuery:
        """``column_keys``: for an INSERT or UPDATE, the columns it sets (from its parameters)."""
        compiled = statement.compile(dialect=dialect, column_keys=column_keys)
        binds = {
            name: bind.type.dialect_impl(dialect).bind_processor(dialect)
            for name, bind in ((b.key, b) for b in compiled.binds.values())
        }
        selected = getattr(statement, "selected_columns", None)
        if selected is None:  # DML: what it returns, if anything
            selected = list(getattr(statement, "_returning", ()))
        return cls(
            sql=compiled.string,
            positional=tuple(compiled.positiontup or ()) if compiled.positional else None,
            binds=binds,
            results=tuple(column.type.dialect_impl(dialect).result_processor(dialect, None)
                          for column in selected),
        )

    def parameters(self, values: Mapping[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        converting: dict[str, Callable[[Any], Any]] = self._converting  # type: ignore[attr-defined]
        if converting:
            values = {**values, **{name: process(values[name]) for name, process in converting.items()}}
        if self.positional is None:
            return {name: values[name] for name in self.binds}
        return tuple([values[name] for name in self.positional])

    def row(self, raw: tuple[Any, ...]) -> tuple[Any, ...]:
        converted: tuple[tuple[int, Callable[[Any], Any]], ...] = self._converted_columns  # type: ignore[attr-defined]
        if not converted:
            return tuple(raw)
        values = list(raw)
        for index, process in converted:
            values[index] = process(values[index])
        return tuple(values)


def run_raw(connection: Any, query: PointQuery, values: Mapping[str, Any],
            dialect: Dialect) -> list[tuple[Any, ...]]:
    """Run ``query`` on a driver connection; its rows (none for DML without RETURNING).

    Driver errors come out as SQLAlchemy's (IntegrityError, OperationalError…), as they
    would through a SQLAlchemy connection.
    """
    try:
        cursor = connection.cursor()
        try:
            cursor.execute(query.sql, query.parameters(values))
            raw = cursor.fetchall() if cursor.description else []
        finally:
            cursor.close()
    except dialect.loaded_dbapi.Error as exc:
        raise sa.exc.DBAPIError.instance(query.sql, None, exc, dialect.loaded_dbapi.Error) from exc
    return [query.row(r) for r in raw]


class QuickReads:
    """One autocommit driver connection per thread (and process), kept for point lookups.

    Autocommit, and every result read to the end: no transaction stays open between lookups,
    so each one sees what other processes committed last (an open transaction would pin an
    old WAL snapshot on SQLite and leave an idle transaction on PostgreSQL).
    """

    def __init__(self, engine: Engine):
        self.engine = engine
        self._compiled: dict[tuple[int, tuple[str, ...]], tuple[sa.Executable, PointQuery]] = {}
        self._local = threading.local()
        self._lock = threading.Lock()
        self._opened: list[tuple[int, Any]] = []  # (pid, driver connection)

    def compiled(self, statement: sa.Executable,
                 column_keys: Sequence[str] | None = None) -> PointQuery:
        """``statement`` (built once, at module level) compiled for this engine, once."""
        key = (id(statement), tuple(column_keys or ()))
        found = self._compiled.get(key)
        if found is None:  # the statement is kept with it, so its id() is never reused
            found = self._compiled[key] = (
                statement, PointQuery.compile(statement, self.engine.dialect, column_keys))
        return found[1]

    def rows(self, statement: sa.Select[Any], **values: Any) -> list[tuple[Any, ...]]:
        """Run ``statement`` with ``values`` on the kept connection; all its rows."""
        connection = self._connection()
        try:
            return run_raw(connection, self.compiled(statement), values, self.engine.dialect)
        except sa.exc.DBAPIError:
            self._discard(connection)
            raise

    def close(self) -> None:
        with self._lock:
            opened, self._opened = self._opened, []
        for pid, connection in opened:
            if pid == os.getpid():  # a forked child leaves its parent's connections alone
                connection.close()
        self._local = threading.local()

    def _connection(self) -> Any:
        kept = getattr(self._local, "kept", None)
        if kept is not None and kept[0] == os.getpid():  # a forked child opens its own
            return kept[1]
        pooled = self.engine.raw_connection()  # through the pool: its connect hooks (pragmas) run
        pooled.detach()  # ours from now on: its autocommit setting never goes back to the pool
        connection = pooled.dbapi_connection
        self.engine.dialect.set_isolation_level(connection, "AUTOCOMMIT")
        with self._lock:
            self._opened.append((os.getpid(), connection))
        self._local.kept = (os.getpid(), connection)
        return connection

    def _discard(self, connection: Any) -> None:
        self._local.kept = None
        with self._lock:
            self._opened = [(pid, c) for pid, c in self._opened if c is not connection]
        with contextlib.suppress(self.engine.dialect.loaded_dbapi.Error):  # broken: why it goes
            connection.close()


def sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Every SQLite connection: WAL, foreign keys, and a busy wait instead of "database is locked"."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
