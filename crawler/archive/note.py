"""The archive note: one Markdown file per article, at a path that never changes (DESIGN §6)."""

from __future__ import annotations

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
from crawler.text.credits import NEAR_COPY_LABEL, SAME_TEXT_LABEL, credited
from crawler.text.dates import site_local
from crawler.text.htmlclean import drop_images, html_to_markdown_text, markdown_safe, replace_image_sources
from crawler.text.urls import web_url

# Notes sit at <archive>/<source>/<YYYY>/<MM>/, the image copies at <archive>/images/<host>/.
NOTE_TO_ARCHIVE = "../../../"


def note_path(archive_dir: Path, article: StoredArticle) -> Path:
    """``<archive>/<source>/<YYYY>/<MM>/<YYYYMMDD>-<site_id>.md``, dated in Asia/Shanghai."""
    return archive_dir / note_name(article.source, article.published, article.site_id)


def note_name(source: str, published: datetime, site_id: str, suffix: str = ".md") -> str:
    """``<source>/<YYYY>/<MM>/<YYYYMMDD>-<site_id><suffix>``: where an article's note lives."""
    local = site_local(published)
    return f"{safe_file_id(source)}/{local:%Y}/{local:%m}/{local:%Y%m%d}-{safe_file_id(site_id)}{suffix}"


def _iso(value: Any) -> str:
    return site_local(value).isoformat()


def front_matter(article: StoredArticle, tags: list[str] | None = None) -> dict[str, Any]:
    return {
        "title": article.title,
        "url": article.url,
        "canonical_url": article.canonical_url,
        "source": article.source,
        "site_name": article.site_name,
        "outlet": article.outlet,
        "author": article.author or article.outlet,
        "editor": article.editor,
        "published": _iso(article.published),
        "updated": _iso(article.updated),
        "archived": _iso(article.archived),
        "topics": sorted(article.topics),
        "tags": article_tags(article) if tags is None else tags,
        "cover": usable_cover(article),
        "also_at": [alias for alias in article.aliases if web_url(alias)],
        "also_reported_by": [{"outlet": outlet, "url": url} for outlet, url in credited(article.reported_by)],
        # provenance: where each archived image came from, and where its copy is
        "images": [{"url": image.url, "local": image.local} for image in shown_images(article)],
        "revision": article.revision,
        "content_sha256": article.content_sha256,
    }


def render_note(article: StoredArticle) -> str:
    local_published = site_local(article.published)
    local_archived = site_local(article.archived)
    facts = [
        f"- **URL**: {markdown_safe(article.url)}",
        f"- **来源**: {markdown_safe(' / '.join(x for x in (article.site_name, article.outlet) if x))}",
        f"- **发布时间**: {local_published:%Y-%m-%d %H:%M:%S}",
        f"- **归档时间**: {local_archived:%Y-%m-%d %H:%M:%S}",
    ]
    if article.editor:
        facts.append(f"- **责任编辑**: {markdown_safe(article.editor)}")
    for label, pairs in ((SAME_TEXT_LABEL, article.same_text), (NEAR_COPY_LABEL, article.reported_by)):
        facts += [f"- **{label}**: {markdown_safe(outlet)} {markdown_safe(url)}" for outlet, url in credited(pairs)]
    tag_list = article_tags(article)  # TF-IDF work: once per note
    tags = markdown_safe(" ".join(f"#{tag}" for tag in tag_list))
    parts = [
        "---",
        dump_yaml(front_matter(article, tag_list)).rstrip("\n"),
        "---",
        "",
        f"# {markdown_safe(article.title)}",
        "",
        *facts,
        "",
        "## 摘要",
        "",
        markdown_safe(article.summary or article.text[:200]),
        "",
        *(["## AI总结", "", article.ai_summary, ""] if article.ai_summary else []),
        "## 原文",
        "",
        html_to_markdown_text(note_body_html(article)),
        "",
        *revision_history(article),
        "---",
        "",
        f"标签：{tags}" if tags else "标签：",
        "",
    ]
    return "\n".join(parts)


def note_body_html(article: StoredArticle) -> str:
    """The body as the note shows it: failed downloads left out, the others from their copies.

    Each copied image keeps its original URL as its title: ``![](../../../images/… "http://…")``.
    """
    body = drop_images(article.body_html, failed_image_urls(article))
    copies = {image.url: f"{NOTE_TO_ARCHIVE}{image.local}" for image in article.images if image.local}
    return replace_image_sources(body, copies, keep_original_as_title=True)


def revision_history(article: StoredArticle) -> list[str]:
    """``## 修订记录``: every earlier text, newest first, with when it was current."""
    if not article.revisions:
        return []
    lines = ["## 修订记录", "",
             f"- 第{article.revision}版（当前）：自 {_local(article.updated)}", ""]
    for old in reversed(article.revisions):
        lines += [f"### 第{old.revision}版：{_local(old.valid_from)} 至 {_local(old.replaced)}", ""]
        if old.title != article.title:
            lines += [f"标题：{markdown_safe(old.title)}", ""]
        lines += [f"> {line}" if line else ">" for line in html_to_markdown_text(old.body_html).splitlines()]
        lines.append("")
    return lines


def _local(moment: Any) -> str:
    return f"{site_local(moment):%Y-%m-%d %H:%M:%S}"
