"""What every archive format shares: file-safe ids, an article's tags, YAML front matter."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from crawler.items import Image
from crawler.store import StoredArticle
from crawler.text.tags import make_tags
from crawler.text.urls import web_url

MAX_ID_CHARS = 80
_UNSAFE_ID_CHARS = re.compile(r"[^A-Za-z0-9_-]+")


def safe_file_id(site_id: str) -> str:
    """The site's article id as a portable file-name part (never a path, never empty)."""
    cleaned = _UNSAFE_ID_CHARS.sub("_", site_id).strip("_")
    if cleaned == site_id and 0 < len(cleaned) <= MAX_ID_CHARS:
        return cleaned
    digest = hashlib.sha256(site_id.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{cleaned[: MAX_ID_CHARS - 11]}-{digest}" if cleaned else digest


def shown_images(article: StoredArticle) -> list[Image]:
    """The images a note or post shows: web URLs whose download did not fail (404, not an image)."""
    return [image for image in article.images if not image.failed and web_url(image.url)]


def failed_image_urls(article: StoredArticle) -> set[str]:
    return {image.url for image in article.images if image.failed}


def usable_cover(article: StoredArticle) -> str:
    """The cover, unless its download failed; then the first image that did not, else none."""
    cover = web_url(article.cover)
    if cover and cover not in failed_image_urls(article):
        return cover
    return next((image.url for image in shown_images(article)), "")


def article_tags(article: StoredArticle) -> list[str]:
    matched = [kw for kws in article.topics.values() for kw in kws]
    return make_tags(matched, article.keywords, article.text)


def dump_yaml(data: dict[str, Any], *, flow_style: bool | None = False) -> str:
    import yaml  # only processes that render notes load it

    options = {"allow_unicode": True, "sort_keys": False, "width": 10_000,
               "default_flow_style": flow_style}
    # libyaml's emitter is 4-5x faster than PyYAML's and writes the same text, except that
    # the two escape different characters (emoji: "\U0001F600"), so escapes go to PyYAML.
    text = yaml.dump(data, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), **options)
    return yaml.dump(data, Dumper=yaml.SafeDumper, **options) if "\\" in text else text
