"""An archived article as a page: ``archive/<source>/<YYYY>/<MM>/<YYYYMMDD>-<id>.html``.

The same facts as the Markdown note (crawler.archive.note), with the body sanitised again and
its images shown from the archive's own copies; an image we have no copy of becomes a link,
one that could not be downloaded is left out, so the page loads nothing from elsewhere.
"""

from __future__ import annotations

from posixpath import relpath

from crawler.text.htmlclean import images_as_links, sanitize
from feeds.html import link, names_and_links, page, text, time_html
from feeds.model import ArchivedPage
from feeds.pages import INDEX_NAME, topic_page_name

IMAGE_LINK_LABEL = "[图片：未存档，点击查看原图]"


def root_of(path: str) -> str:
    """The way from the page at ``path`` back up to the feeds folder: "../../../../"."""
    return "../" * path.count("/")


def local_href(page_path: str, local: str) -> str:
    """The archive's copy of an image (``images/<host>/<file>``), relative to the page."""
    return relpath(local, page_path.rsplit("/", 1)[0]) if "/" in page_path else local


def render_archived_html(archived: ArchivedPage) -> bytes:
    root = root_of(archived.path)
    topics = " · ".join(link(root + topic_page_name(slug), title or slug) for slug, title in archived.topics)
    body = [
        f"<nav>{link(root + INDEX_NAME, '← 全部主题')}{' · ' + topics if topics else ''}</nav>",
        "<article>",
        f"<h1>{text(archived.title)}</h1>",
        "<ul class=\"meta\">",
        *_facts(archived),
        "</ul>",
    ]
    if archived.summary:
        body += ["<h2>摘要</h2>", f"<p>{text(archived.summary)}</p>"]
    body += ["<h2>原文</h2>", sanitize(images_as_links(archived.body_html, IMAGE_LINK_LABEL))]
    if archived.images:
        body += ["<h2>图片来源</h2>", "<ol class=\"meta\">"]
        body += [f"<li>{link(local, '存档副本')}：{link(url, url, external=True)}</li>"
                 for url, local in archived.images]
        body.append("</ol>")
    body.append("</article>")
    return page(f"{archived.title} · 存档", body, root=root)


def _facts(archived: ArchivedPage) -> list[str]:
    credit = " / ".join(text(x) for x in dict.fromkeys((archived.site_name, archived.outlet)) if x)
    facts = [
        f"<li>原文：{link(archived.url, archived.url, external=True)}</li>",
        f"<li>来源：{credit}</li>",
        f"<li>发布时间：{time_html(archived.published)}</li>",
    ]
    if archived.updated > archived.published:
        facts.append(f"<li>更新时间：{time_html(archived.updated)}</li>")
    facts.append(f"<li>归档时间：{time_html(archived.archived)}</li>")
    if archived.author and archived.author != archived.outlet:
        facts.append(f"<li>作者：{text(archived.author)}</li>")
    if archived.editor:
        facts.append(f"<li>责任编辑：{text(archived.editor)}</li>")
    if archived.same_text_at:
        facts.append(f"<li>同时见于：{names_and_links(archived.same_text_at)}</li>")
    if archived.also_reported_by:
        facts.append(f"<li>同时报道：{names_and_links(archived.also_reported_by)}</li>")
    return facts
