"""Everything an article's own content determines, computed in one pass (no store, no I/O).

Canonical URL, sanitised body, plain text, images, topics, summary, content hash and the
near-duplicate signature. It is CPU work only, so it can run in a worker process
(crawler.itemwork.pool) while the crawl goes on.
"""

from __future__ import annotations

from crawler.items import Article, Image
from crawler.text.dates import as_aware
from crawler.text.htmlclean import clean_body
from crawler.text.strings import clean_line, content_hash
from crawler.text.summary import summarize
from crawler.text.topics import TopicMatcher
from crawler.text.urls import canonical_url


class InvalidArticle(ValueError):
    """The page parsed, but holds no article: no title, or no text."""


def normalize(item: Article) -> Article:
    """Canonical URL, aware times, sanitised body, plain text and every image the body shows."""
    item.canonical_url = canonical_url(item.url)
    item.title = clean_line(item.title)
    for name in ("outlet", "author", "editor", "site_name"):
        setattr(item, name, clean_line(getattr(item, name)))
    if not item.title:
        raise InvalidArticle(f"no title: {item.url}")
    if item.published is not None:
        item.published = as_aware(item.published)
    body = clean_body(item.body_html, item.url, item.image_fallbacks)
    item.body_html, item.text = body.html, body.text
    if not item.text:
        raise InvalidArticle(f"no text: {item.url}")
    known = {image.url for image in item.images}
    item.images += [Image(url) for url in body.image_urls if url not in known]
    if not item.cover and item.images:
        item.cover = item.images[0].url
    item.keywords = [line for line in (clean_line(k) for k in item.keywords) if line]
    return item


def prepare(item: Article, matcher: TopicMatcher) -> Article:
    """``normalize``, then topics and content hash; summary and signature only for matches."""
    normalize(item)
    item.topics = matcher.match(item.title, item.text)
    item.content_sha256 = content_hash(item.text)
    if item.topics:  # only what reaches a feed needs a summary and a near-duplicate signature
        from crawler.text.minhash import signature  # numpy: not loaded by crawls that match nothing

        item.summary = summarize(item.text)
        item.fingerprint = signature(item.text)
    return item
