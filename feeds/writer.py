"""Render every topic and write the feed folder, touching only files whose bytes change."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from crawler.fsutil import write_if_changed
from feeds.atom import render_atom
from feeds.index_page import render_index_html
from feeds.model import TopicFeed
from feeds.opml import render_opml

OPML_NAME = "index.opml"
INDEX_NAME = "index.html"


def write_feed_files(feeds: Sequence[TopicFeed], feeds_dir: Path, base_url: str) -> list[Path]:
    """Write ``<slug>.atom`` per topic plus ``index.opml`` and ``index.html``.

    Each file is replaced atomically and only when its bytes differ; returns the paths
    actually written. Feeds of topics that were removed are left in place, so readers
    still subscribed to them keep the last entries instead of a 404.
    """
    _check_slugs(feeds)
    outputs = [(feeds_dir / f"{feed.slug}.atom", render_atom(feed, base_url)) for feed in feeds]
    outputs.append((feeds_dir / OPML_NAME, render_opml(feeds, base_url)))
    outputs.append((feeds_dir / INDEX_NAME, render_index_html(feeds, base_url)))
    return [path for path, data in outputs if write_if_changed(path, data)]


def _check_slugs(feeds: Sequence[TopicFeed]) -> None:
    seen: set[str] = set()
    for feed in feeds:
        slug = feed.slug
        if not slug or slug in (".", "..") or "/" in slug or "\\" in slug or "\x00" in slug:
            raise ValueError(f"topic slug {slug!r} is not a plain file name")
        if slug in seen:
            raise ValueError(f"topic slug {slug!r} appears twice")
        seen.add(slug)
