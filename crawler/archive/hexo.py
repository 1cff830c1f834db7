"""Hexo posts: each archived article as a post for a Hexo blog, shaped like the seed post.

Written under ``<data_dir>/hexo/source/_posts/`` when ``[archive] formats`` holds "hexo";
point a Hexo site's ``source/_posts`` there (or copy the files) to publish the archive.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from crawler.archive.frontmatter import (
    article_tags,
    dump_yaml,
    failed_image_urls,
    safe_file_id,
    shown_images,
    usable_cover,
)
from crawler.store import StoredArticle
from crawler.text.dates import site_local
from crawler.text.htmlclean import drop_images, replace_image_sources, set_image_attributes
from crawler.text.urls import web_url

POSTS_DIR = Path("source") / "_posts"
# Hexo renders post bodies through Nunjucks: these would be read as template tags.
NUNJUCKS_MARKERS = ("{{", "{%", "{#")
_BLANK_LINE = re.compile(r"\n([ \t]*)\n")


def hexo_post_path(hexo_dir: Path, article: StoredArticle) -> Path:
    """``<hexo>/source/_posts/<YYYYMMDD>-<source>-<site_id>.md``, dated in Asia/Shanghai."""
    local = site_local(article.published)
    name = f"{local:%Y%m%d}-{safe_file_id(article.source)}-{safe_file_id(article.site_id)}.md"
    return hexo_dir / POSTS_DIR / name


def hexo_categories(article: StoredArticle, topic_titles: Mapping[str, str]) -> list[list[str]]:
    """The article's topics and its site, as sibling categories."""
    # Hexo reads `categories: [a, b]` as the hierarchy a > b (the seed's 新媒体 > 趣头条 > 分类);
    # a list of one-item lists, [[a], [b]], makes a and b siblings, which is what we mean.
    names = [topic_titles.get(slug, slug) for slug in sorted(article.topics)]
    names.append(article.site_name)
    return [[name] for name in dict.fromkeys(n for n in names if n)]


def hexo_front_matter(article: StoredArticle, topic_titles: Mapping[str, str]) -> dict[str, Any]:
    front: dict[str, Any] = {
        "title": article.title,
        "date": _wall_clock(article.published),
        "updated": _wall_clock(max(article.updated, article.published)),
        "categories": hexo_categories(article, topic_titles),
        "tags": article_tags(article),
        "author": article.author or article.outlet or article.site_name,
    }
    # The header wants the full-size first picture, the thumbnail the list's small cover;
    # an image whose download failed (404, not an image) is neither.
    cover = usable_cover(article)
    headimg = next((image.url for image in shown_images(article)), "") or cover
    if headimg:
        front["headimg"] = headimg
        front["thumbnail"] = cover or headimg
    front["comments"] = False
    original = web_url(article.url) or web_url(article.canonical_url)
    if original:
        front["original_url"] = original  # for themes; the body ends with a link to it too
    shown_text = article.body_html + article.site_name + article.outlet  # the body and its 原文 line
    if any(marker in shown_text for marker in NUNJUCKS_MARKERS):
        front["disableNunjucks"] = True
    return front


def _wall_clock(moment: datetime) -> datetime:
    """Beijing wall-clock time without an offset: the only date form Hexo reads right.

    Hexo takes a front-matter date as a wall-clock time in the site's ``timezone`` setting
    and drops any offset written with it (hexo-front-matter shifts parsed timestamps back to
    wall clock), so "22:06+08:00" would come out as 14:06. The Hexo site needs
    ``timezone: Asia/Shanghai``.
    """
    return site_local(moment).replace(tzinfo=None)


def hexo_body(body_html: str, image_sources: Mapping[str, str] | None = None) -> str:
    """The sanitised body as one raw HTML block for Hexo's Markdown renderer.

    ``image_sources``: image URL → where the Hexo site serves its copy (``[archive] hexo_local_images``).
    """
    body = replace_image_sources(body_html, image_sources or {}, keep_original_as_title=True)
    # Image hosts such as static.1sapp.com refuse other sites' Referer (the seed does the same).
    body = set_image_attributes(body, referrerpolicy="no-referrer").strip()
    # Markdown ends a raw HTML block at a blank line and renders the rest as Markdown; a
    # newline written as &#10; keeps the line non-blank and <pre> text the same.
    return _BLANK_LINE.sub(lambda match: "\n" + match.group(1) + "&#10;", body)


def source_line(article: StoredArticle) -> str:
    """``<p>原文：<a href="…">趣头条 / 证券时报</a></p>``: the post links the article it copies."""
    url = web_url(article.url) or web_url(article.canonical_url)
    credit = " / ".join(dict.fromkeys(name for name in (article.site_name, article.outlet) if name)) or url
    if not url:
        return ""
    return f'<p>原文：<a href="{html.escape(url, quote=True)}">{html.escape(credit, quote=False)}</a></p>'


def render_hexo_post(article: StoredArticle, topic_titles: Mapping[str, str],
                     image_sources: Mapping[str, str] | None = None) -> str:
    front = dump_yaml(hexo_front_matter(article, topic_titles), flow_style=None)
    body = hexo_body(drop_images(article.body_html, failed_image_urls(article)), image_sources)
    return f"---\n{front}---\n\n<div>\n{body}\n{source_line(article)}\n</div>\n"
