"""Which archive image files a stored article references (``image_files``), for ``topicfeed serve``."""

from __future__ import annotations

import threading
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from crawler.store.schema import articles, image_files


def record(conn: Connection, article_id: int, paths: Iterable[str]) -> None:
    wanted = set(paths)
    if not wanted:
        return
    known = set(conn.execute(sa.select(image_files.c.path).where(image_files.c.path.in_(wanted))).scalars())
    fresh = sorted(wanted - known)
    if fresh:
        conn.execute(image_files.insert(), [{"path": path, "article_id": article_id} for path in fresh])


def backfill(conn: Connection) -> None:
    """Fill ``image_files`` from the local copies articles already record (schema upgrade)."""
    for article_id, images in conn.execute(sa.select(articles.c.id, articles.c.images)):
        record(conn, article_id, [i["local"] for i in images or [] if isinstance(i, dict) and i.get("local")])


def is_referenced(engine: Engine, path: str) -> bool:
    with engine.connect() as conn:
        return conn.execute(sa.select(image_files.c.path).where(image_files.c.path == path)).first() is not None


class ImageReferences:
    """``references(path)``: does a stored article show this image file? (the store opened on first use)"""

    def __init__(self, store_url: str):
        self.store_url = store_url
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    def __call__(self, path: str) -> bool:
        from crawler.store.database import Store, StoreError

        with self._lock:
            if self._engine is None:
                try:
                    self._engine = Store.open(self.store_url).engine
                except StoreError:
                    return False
        try:
            return is_referenced(self._engine, path)
        except sa.exc.SQLAlchemyError:
            return False
