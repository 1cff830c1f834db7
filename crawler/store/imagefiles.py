"""Which archive image files a stored article references (``image_files``), for ``topicfeed serve``."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

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


def missing_copies(engine: Engine, source: str, archive_dir: Path, since: datetime,
                   limit: int) -> list[tuple[int, str, list[str]]]:
    """(article id, URL, image URLs) of a source's articles whose images have no whole local copy.

    Images of archived articles are only requested when the article is new or changed; one that
    a full disk or a kill kept from its file is fetched again through this. Images that failed
    for good (404, not an image) are not.
    """
    query = (sa.select(articles.c.id, articles.c.url, articles.c.images)
             .where((articles.c.source == source) & (articles.c.published >= since)
                    & (articles.c.archived_version > 0))
             .order_by(articles.c.published.desc()))
    found = []
    with engine.connect() as conn:
        for article_id, url, images in conn.execute(query):
            missing = [i["url"] for i in images or [] if isinstance(i, dict) and not i.get("failed")
                       and not _whole(archive_dir, i.get("local", ""))]
            if missing:
                found.append((article_id, url, missing))
                if len(found) >= limit:
                    break
    return found


def _whole(archive_dir: Path, local: str) -> bool:
    try:
        return bool(local) and (archive_dir / local).stat().st_size > 0
    except OSError:
        return False
