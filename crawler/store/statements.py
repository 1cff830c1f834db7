"""The statements the store runs on every article: built once, compiled once per dialect."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from crawler.items import Article, Image
from crawler.store.schema import article_urls, articles, matches, page_failures

# Built once: the downloader asks these for every article link it considers.
FETCH_STATES = (
    sa.select(article_urls.c.url, articles.c.published, articles.c.fetched,
              articles.c.etag, articles.c.last_modified)
    .join(articles, articles.c.id == article_urls.c.article_id)
    .where(article_urls.c.url.in_(sa.bindparam("urls", expanding=True)))
)
FETCH_STATE = (
    sa.select(articles.c.published, articles.c.fetched, articles.c.etag, articles.c.last_modified)
    .join(article_urls, articles.c.id == article_urls.c.article_id)
    .where(article_urls.c.url == sa.bindparam("url", type_=sa.Text))
)
FAILURE = (
    sa.select(page_failures.c.reason, page_failures.c.attempts, page_failures.c.last_attempt)
    .where(page_failures.c.url == sa.bindparam("url", type_=sa.Text))
)
# Both of the above in one row: the URL left-joined to its article and to its failure record.
wanted = sa.select(sa.bindparam("url", type_=sa.Text).label("url")).subquery("wanted")
URL_STATUS = (
    sa.select(articles.c.published, articles.c.fetched, articles.c.etag, articles.c.last_modified,
              page_failures.c.reason, page_failures.c.attempts, page_failures.c.last_attempt)
    .select_from(
        wanted.outerjoin(article_urls, article_urls.c.url == wanted.c.url)
        .outerjoin(articles, articles.c.id == article_urls.c.article_id)
        .outerjoin(page_failures, page_failures.c.url == wanted.c.url)
    )
)


# Built once: Store.save runs them for every article page the crawl parses.
BY_URL = (
    sa.select(articles, article_urls.c.kind)
    .join(article_urls, article_urls.c.article_id == articles.c.id)
    .where(article_urls.c.url == sa.bindparam("url"))
)
BY_TEXT = sa.select(articles.c.id).where(articles.c.content_sha256 == sa.bindparam("sha"))
UPDATE_ARTICLE = articles.update().where(articles.c.id == sa.bindparam("row_id"))
BUMP_VERSION = (articles.update().where(articles.c.id == sa.bindparam("row_id"))
                 .values(version=articles.c.version + 1))
VERSION = sa.select(articles.c.version).where(articles.c.id == sa.bindparam("row_id"))
INSERT_ARTICLE = articles.insert().returning(articles.c.id)
INSERT_URL = article_urls.insert()
INSERT_MATCH = matches.insert()
VALIDATOR_COLUMNS = ("fetched", "etag", "last_modified")
# A re-fetch that found the stored text (or an alias's page): one statement, committed on its
# own, touches the validators and says which article it was. It matches nothing (and so
# changes nothing) when the URL is new or its canonical article's text changed: then
# Store.save takes the whole path, in a transaction.
_linked = sa.select(article_urls.c.article_id).where(article_urls.c.url == sa.bindparam("url", type_=sa.Text))
_aliased = sa.exists().where((article_urls.c.url == sa.bindparam("url", type_=sa.Text))
                             & (article_urls.c.kind != sa.literal_column("'canonical'")))
TOUCH_UNCHANGED = (
    articles.update()
    .where(articles.c.id == _linked.scalar_subquery())
    .where((articles.c.content_sha256 == sa.bindparam("sha", type_=sa.String)) | _aliased)
    .values(fetched=sa.bindparam("fetched", type_=articles.c.fetched.type),
            etag=sa.bindparam("etag", type_=sa.Text),
            last_modified=sa.bindparam("last_modified", type_=sa.Text))
    .returning(articles.c.id)
)
StoredRow = namedtuple("StoredRow", [column.key for column in BY_URL.selected_columns])  # type: ignore[misc]
FORGET_FAILURE = page_failures.delete().where(page_failures.c.url == sa.bindparam("failed_url"))


def images_json(images: Iterable[Image]) -> list[dict[str, Any]]:
    return [
        {"url": i.url, "width": i.width, "height": i.height, "caption": i.caption, "local": i.local}
        for i in images
    ]


def article_values(article: Article, content_sha256: str) -> dict[str, Any]:
    return {
        "url": article.url,
        "source": article.source,
        "spider": article.spider,
        "site_name": article.site_name,
        "site_id": article.site_id,
        "title": article.title,
        "outlet": article.outlet,
        "author": article.author,
        "editor": article.editor,
        "published": article.published,
        "body_html": article.body_html,
        "text": article.text,
        "summary": article.summary,
        "content_sha256": content_sha256,
        "images": images_json(article.images),
        "cover": article.cover,
        "categories": list(article.categories),
        "keywords": list(article.keywords),
        "etag": article.etag,
        "last_modified": article.last_modified,
    }
