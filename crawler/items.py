"""The one item type spiders yield: a news article as found on a source site."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from crawler.outcomes import SaveOutcome


@dataclass
class Image:
    url: str
    width: int | None = None
    height: int | None = None
    caption: str = ""
    local: str = ""  # path under the archive folder once downloaded (crawler.pipelines.images)
    failed: bool = False  # its download failed (404, not an image): shown nowhere, never the cover


@dataclass
class Article:
    """An article page parsed by a spider, then completed by the pipelines.

    Spiders fill the site facts; ``crawler.text.prepare`` fills ``canonical_url``, ``text``,
    ``topics``, the hash and the signature, and sanitises ``body_html``.
    """

    url: str
    source: str
    spider: str
    site_name: str
    site_id: str
    title: str
    body_html: str
    published: datetime | None = None
    # the listing's own time for it (a column's newsTime, a sitemap's date…): used where the
    # page's date is outside any sane window (crawler.text.prepare)
    listed: datetime | None = None
    outlet: str = ""
    author: str = ""
    editor: str = ""
    summary: str = ""
    images: list[Image] = field(default_factory=list)
    # The body's image URLs in document order, for <img> placeholders that name no lazy-load
    # source (ifeng's imagesInContent); crawler.text.prepare resolves them.
    image_fallbacks: list[str] = field(default_factory=list)
    cover: str = ""
    categories: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    # set by the pipelines
    canonical_url: str = ""
    text: str = ""
    topics: dict[str, list[str]] = field(default_factory=dict)
    content_sha256: str = ""  # of the normalised text (crawler.text.strings.content_hash)
    fingerprint: bytes | None = None  # MinHash signature, for articles that match a topic
    # HTTP validators of the article page, for conditional revisits
    etag: str = ""
    last_modified: str = ""
    # set by StorePipeline: the stored article this item became, and how
    stored_id: int = 0
    save_outcome: SaveOutcome | None = None
    date_note: str = ""  # why the page's own date was not used (crawler.text.prepare)
