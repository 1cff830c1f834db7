"""The archive: one Markdown note per article, at a path that never changes (DESIGN §6).

With "hexo" in `[archive] formats` each article also becomes a Hexo post (crawler.hexo).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Self


from crawler.config import Config
from crawler.dates import SITE_TZ
from crawler.fsutil import write_if_changed
from crawler.htmlclean import html_to_markdown_text, markdown_safe, replace_image_sources
from crawler.store import Store, StoredArticle
from crawler.tags import make_tags

MAX_ID_CHARS = 80
_UNSAFE_ID_CHARS = re.compile(r"[^A-Za-z0-9_-]+")


def safe_file_id(site_id: str) -> str:
    """The site's article id as a portable file-name part (never a path, never empty)."""
    cleaned = _UNSAFE_ID_CHARS.sub("_", site_id).strip("_")
    if cleaned == site_id and 0 < len(cleaned) <= MAX_ID_CHARS:
        return cleaned
    digest = hashlib.sha256(site_id.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{cleaned[: MAX_ID_CHARS - 11]}-{digest}" if cleaned else digest


def note_path(archive_dir: Path, article: StoredArticle) -> Path:
    """``<archive>/<source>/<YYYY>/<MM>/<YYYYMMDD>-<site_id>.md``, dated in Asia/Shanghai."""
    local = article.published.astimezone(SITE_TZ)
    name = f"{local:%Y%m%d}-{safe_file_id(article.site_id)}.md"
    return archive_dir / safe_file_id(article.source) / f"{local:%Y}" / f"{local:%m}" / name


def _iso(value: Any) -> str:
    return value.astimezone(SITE_TZ).isoformat()


def article_tags(article: StoredArticle) -> list[str]:
    matched = [kw for kws in article.topics.values() for kw in kws]
    return make_tags(matched, article.keywords, article.text)


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
        "cover": article.cover,
        "also_at": list(article.aliases),
        "also_reported_by": [{"outlet": outlet, "url": url} for outlet, url in article.reported_by],
        "revision": article.revision,
        "content_sha256": article.content_sha256,
    }


def dump_yaml(data: dict[str, Any], *, flow_style: bool | None = False) -> str:
    import yaml  # only processes that render notes load it

    options = {"allow_unicode": True, "sort_keys": False, "width": 10_000,
               "default_flow_style": flow_style}
    # libyaml's emitter is 4-5x faster than PyYAML's and writes the same text, except that
    # the two escape different characters (emoji: "\U0001F600"), so escapes go to PyYAML.
    text = yaml.dump(data, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), **options)
    return yaml.dump(data, Dumper=yaml.SafeDumper, **options) if "\\" in text else text


def render_note(article: StoredArticle) -> str:
    local_published = article.published.astimezone(SITE_TZ)
    local_archived = article.archived.astimezone(SITE_TZ)
    facts = [
        f"- **URL**: {markdown_safe(article.url)}",
        f"- **来源**: {markdown_safe(' / '.join(x for x in (article.site_name, article.outlet) if x))}",
        f"- **发布时间**: {local_published:%Y-%m-%d %H:%M:%S}",
        f"- **归档时间**: {local_archived:%Y-%m-%d %H:%M:%S}",
    ]
    if article.editor:
        facts.append(f"- **责任编辑**: {markdown_safe(article.editor)}")
    facts += [f"- **同时见于**: {markdown_safe(alias)}" for alias in article.aliases]
    facts += [f"- **同时报道**: {markdown_safe(outlet)} {markdown_safe(url)}" for outlet, url in article.reported_by]
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
        "## 原文",
        "",
        html_to_markdown_text(replace_image_sources(article.body_html, local_image_links(article))),
        "",
        *revision_history(article),
        "---",
        "",
        f"标签：{tags}" if tags else "标签：",
        "",
    ]
    return "\n".join(parts)


def local_image_links(article: StoredArticle) -> dict[str, str]:
    """Image URL → the downloaded copy, relative to the note (notes sit at <source>/YYYY/MM/)."""
    return {image.url: f"../../../{image.local}" for image in article.images if image.local}


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
    return f"{moment.astimezone(SITE_TZ):%Y-%m-%d %H:%M:%S}"


class ArchiveWriter:
    """Writes each archive format configured in ``[archive] formats``."""

    def __init__(self, archive_dir: Path, formats: tuple[str, ...], hexo_dir: Path | None = None,
                 topic_titles: Mapping[str, str] | None = None):
        self.archive_dir = archive_dir
        self.formats = formats
        self.hexo_dir = hexo_dir if hexo_dir is not None else archive_dir.parent / "hexo"
        self.topic_titles = dict(topic_titles or {})

    @classmethod
    def from_config(cls, config: Config) -> Self:
        return cls(config.archive_dir, config.archive.formats, config.hexo_dir,
                   {topic.slug: topic.title for topic in config.topics})

    def catch_up(self, store: Store, source: str) -> int:
        """Write the files of articles stored but not archived (a crash came in between)."""
        backlog = store.archive_backlog(source)
        for article in backlog:
            for _ in self.write(article):
                pass
            store.mark_archived(article.id, article.version)
        return len(backlog)

    def render(self, article: StoredArticle) -> list[tuple[Path, str]]:
        """The article's files and their text, one per configured format."""
        files = []
        if "note" in self.formats:
            files.append((note_path(self.archive_dir, article), render_note(article)))
        if "hexo" in self.formats:
            # imported here: crawler.hexo builds on this module's helpers
            from crawler.hexo import hexo_post_path, render_hexo_post

            files.append((hexo_post_path(self.hexo_dir, article),
                          render_hexo_post(article, self.topic_titles)))
        return files

    @staticmethod
    def write_rendered(files: list[tuple[Path, str]]) -> Iterator[Path]:
        """Write rendered files; yields the paths that actually changed."""
        for path, text in files:
            if write_if_changed(path, text.encode("utf-8")):
                yield path

    def write(self, article: StoredArticle) -> Iterator[Path]:
        """Write the article's files; yields the paths that actually changed."""
        return self.write_rendered(self.render(article))
