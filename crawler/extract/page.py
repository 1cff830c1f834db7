"""One article page → its fields: bytes, URL and Content-Type in, an ``ExtractedPage`` out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from urllib.parse import urljoin

import lxml.html

from crawler.extract import fields
from crawler.extract.body import Body, extract_body
from crawler.extract.charset import decode_page
from crawler.extract.pages import next_page
from crawler.extract.structured import Embedded, embedded_article, json_ld, ld_name, meta_tags
from crawler.text.htmlclean import LAZY_ATTRIBUTES
from crawler.text.strings import clean_line
from crawler.text.urls import absolute


@dataclass(frozen=True)
class ExtractedPage:
    title: str
    body_html: str
    published: datetime | None
    outlet: str
    editor: str
    author: str
    site_name: str
    keywords: tuple[str, ...]
    next_page: str | None
    method: str  # which extractor gave the body: embedded, density, readability, trafilatura


def parse_html(body: bytes, content_type: str = "") -> tuple[str, lxml.html.HtmlElement]:
    text = decode_page(body, content_type)
    tree = lxml.html.document_fromstring(text.encode("utf-8"), parser=_PARSER)
    return text, tree


_PARSER = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)


def resolve_lazy_images(tree: lxml.html.HtmlElement, url: str) -> None:
    """Point every <img> at its real image (``data-src``, ``data-original`` …), absolute."""
    for img in tree.iter("img"):
        real = next((img.get(attr) for attr in LAZY_ATTRIBUTES if img.get(attr)), None) or img.get("src")
        if real and not real.startswith("data:"):
            img.set("src", urljoin(url, absolute(real.strip())))
        for attr in LAZY_ATTRIBUTES:
            img.attrib.pop(attr, None)


class PageFacts:
    """Where a page states its facts; each property looks only where that fact lives."""

    def __init__(self, tree: lxml.html.HtmlElement, url: str):
        self.tree = tree
        self.url = url
        self.meta = meta_tags(tree)
        self.ld = json_ld(tree)
        self.embedded: Embedded | None = embedded_article(tree)

    @cached_property
    def page_title(self) -> tuple[str, str]:
        node = self.tree.find(".//title")
        return fields.split_title(node.text_content() if node is not None else "")

    @cached_property
    def h1(self) -> str:
        titles = [clean_line(h.text_content()) for h in self.tree.iter("h1")]
        titles = [t for t in titles if len(t) >= 4]
        in_title = [t for t in titles if t and t in self.page_title[0]]
        return (in_title or titles or [""])[0]

    @cached_property
    def title(self) -> str:
        return fields.first([
            self.embedded.title if self.embedded else "",
            *(self.meta.get(key) for key in fields.TITLE_META),
            *(str(obj.get("headline") or "") for obj in self.ld),
            self.h1,
            self.page_title[0],
        ])

    @cached_property
    def header_text(self) -> str:
        """The page text around the title: where the time and 来源 are shown (news.cn puts them above)."""
        body = self.tree.find(".//body")
        text = " ".join((body if body is not None else self.tree).text_content().split())
        at = text.find(self.title) if self.title else -1
        if at < 0:
            return text[:fields.TITLE_WINDOW * 3]
        return text[max(0, at - fields.TITLE_WINDOW // 2):at + len(self.title) + fields.TITLE_WINDOW]

    @cached_property
    def published(self) -> datetime | None:
        return fields.best_published([
            *(fields.parse_published(str(obj.get("datePublished") or "")) for obj in self.ld),
            *(fields.parse_published(self.meta.get(key, "")) for key in fields.PUBLISHED_META),
            fields.parse_published(self.embedded.published) if self.embedded else None,
            fields.visible_time(self.header_text),
            fields.url_date(self.url),
        ])

    @cached_property
    def outlet(self) -> str:
        source_nodes = self.tree.xpath("//*[contains(concat(' ', normalize-space(@class), ' '), ' source ')]")
        return fields.first([
            self.embedded.outlet if self.embedded else "",
            fields.outlet_in(self.header_text),
            *(fields.strip_outlet(self.meta.get(key, "")) for key in fields.OUTLET_META),
            *(fields.strip_outlet(node.text_content()) for node in source_nodes[:1]),
            *(ld_name(obj.get("publisher")) for obj in self.ld),
        ])

    @cached_property
    def editor(self) -> str:
        if self.embedded and self.embedded.editor:
            return clean_line(self.embedded.editor)
        body = self.tree.find(".//body")
        return fields.editor_in((body if body is not None else self.tree).text_content())

    @cached_property
    def author(self) -> str:
        return fields.first([
            self.embedded.author if self.embedded else "",
            *(ld_name(obj.get("author")) for obj in self.ld),
            self.meta.get("author"),
            self.meta.get("article:author"),
        ])

    @cached_property
    def site_name(self) -> str:
        return fields.first([*(self.meta.get(key) for key in fields.SITE_META), self.page_title[1]])

    @cached_property
    def keywords(self) -> tuple[str, ...]:
        raw = self.meta.get("keywords") or self.meta.get("news_keywords") or ""
        return tuple(k for k in (clean_line(k) for k in raw.replace("，", ",").split(",")) if k)


def extract_page(body: bytes, url: str, content_type: str = "", *, method: str = "combined",
                 first_url: str | None = None) -> ExtractedPage:
    """Every field §11 lists, from one page. ``first_url``: the article's first page, for paging."""
    _, tree = parse_html(body, content_type)
    resolve_lazy_images(tree, url)
    facts = PageFacts(tree, url)
    found: Body = extract_body(tree, lambda: lxml.html.tostring(tree, encoding="unicode"), method=method,
                               embedded_html=facts.embedded.body_html if facts.embedded else "",
                               title=facts.title)
    return ExtractedPage(
        title=facts.title,
        body_html=found.html,
        published=facts.published,
        outlet=facts.outlet,
        editor=facts.editor,
        author=facts.author,
        site_name=facts.site_name,
        keywords=facts.keywords,
        next_page=next_page(tree, url, first_url or url),
        method=found.method,
    )
