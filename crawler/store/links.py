"""What links stored articles to others: topic matches, aliases and near copies."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from crawler.store.schema import article_urls, articles, matches

FEED_COLUMNS = [articles.c[name] for name in (
    "id", "version", "canonical_url", "url", "title", "outlet", "site_name", "summary",
    "published", "updated", "body_html", "images", "source", "site_id", "author", "editor", "archived")]


@dataclass(frozen=True)
class ArticleLinks:
    """Articles' topic matches, aliases and near copies, keyed by article id."""

    topics: dict[int, dict[str, list[str]]]
    aliases: dict[int, list[str]]
    reported_by: dict[int, list[tuple[str, str]]]
    same_text: dict[int, list[tuple[str, str]]]  # (outlet, url) of each alias

    @classmethod
    def load(cls, conn: Connection, ids: list[int]) -> ArticleLinks:
        links = cls({}, {}, {}, {})
        for m in conn.execute(sa.select(matches.c.article_id, matches.c.topic, matches.c.keywords)
                              .where(matches.c.article_id.in_(ids))):
            links.topics.setdefault(m.article_id, {})[m.topic] = list(m.keywords)
        for u in conn.execute(
            sa.select(article_urls.c.article_id, article_urls.c.url, article_urls.c.kind,
                      article_urls.c.outlet)
            .where(article_urls.c.article_id.in_(ids), article_urls.c.kind != "canonical")
            .order_by(article_urls.c.first_seen, article_urls.c.url)
        ):
            if u.kind == "alias":
                links.aliases.setdefault(u.article_id, []).append(u.url)
                links.same_text.setdefault(u.article_id, []).append((u.outlet, u.url))
            else:
                links.reported_by.setdefault(u.article_id, []).append((u.outlet, u.url))
        return links
