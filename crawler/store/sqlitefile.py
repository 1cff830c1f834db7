"""The SQLite file itself: refusing a file that is another program's."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path


def foreign_tables(db_path: Path) -> str:
    """The tables of a SQLite file that is another program's (tables, no schema_version), or ""."""
    if not db_path.is_file() or db_path.stat().st_size == 0:
        return ""
    try:
        with contextlib.closing(sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            tables = sorted(row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"))
    except sqlite3.Error:
        return ""  # not a database at all: Store.open says so in its own words
    if not tables or "schema_version" in tables:
        return ""
    return ", ".join(tables[:5]) + (", …" if len(tables) > 5 else "")

