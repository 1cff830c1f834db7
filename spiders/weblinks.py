"""Where the ``web`` spider finds article links: HTML pages, sitemaps and feeds (pure functions)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from crawler.extract.charset import decode_page
from crawler.extract.fields import parse_published
from spiders.webargs import WebArgs

_SAFE_ID = re.compile(r"[^A-Za-z0-9_-]+")
_PURE_DATE = re.compile(r"^\d{1,8}$")  # 2025, 0724, 20250724, 07-24 is not pure: it holds a dash
_HTML_PARSER = lxml.html.HTMLParser(encoding="utf-8")
_XML_PARSER = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)


@dataclass(frozen=True)
class Entry:
    """A link to an article or a sitemap, with the date its listing gives (if any)."""

    url: str
    published: datetime | None = None


@dataclass
class PageLinks:
    """The links of a list page, as the source's regexes classify them."""

    articles: list[str] = field(default_factory=list)
    lists: list[str] = field(default_factory=list)
    other: int = 0


def page_links(html: str, base_url: str) -> list[str]:
    """Every http(s) link of a page, absolute, without fragments, first occurrence first."""
    if not html.strip():
        return []
    try:  # as bytes: an XHTML page's <?xml encoding=…?> declaration is no error then
        tree = lxml.html.document_fromstring(html.encode("utf-8"), parser=_HTML_PARSER)
    except etree.ParserError:  # no element at all
        return []
    base = tree.find(".//base")
    if base is not None and base.get("href"):
        base_url = urljoin(base_url, base.get("href"))
    links: dict[str, None] = {}
    for link in tree.iter("a", "area"):
        href = (link.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        url = urljoin(base_url, href).split("#", 1)[0]
        if url.startswith(("http://", "https://")):
            links.setdefault(url, None)
    return list(links)


def classify_links(html: str | bytes, base_url: str, args: WebArgs) -> PageLinks:
    """Which of a page's links match ``article_urls`` and which ``list_urls`` (``topicfeed check`` shows this)."""
    text = decode_page(html) if isinstance(html, bytes) else html
    found = PageLinks()
    for url in page_links(text, base_url):
        if args.is_article(url):
            found.articles.append(url)
        elif args.is_list(url) and url != base_url:
            found.lists.append(url)
        else:
            found.other += 1
    return found


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _child_text(element: etree._Element, name: str) -> str:
    for child in element.iter():
        if _local(child.tag) == name and child.text:
            return child.text.strip()
    return ""


def _date(text: str) -> datetime | None:
    dated = parse_published(text)
    return dated.value if dated else None


def parse_xml(body: bytes) -> etree._Element | None:
    try:
        root = etree.fromstring(body.lstrip(), _XML_PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return None
    return root


def sitemap_entries(body: bytes) -> tuple[list[Entry], list[Entry]]:
    """A sitemap → (sub-sitemaps, page entries). News sitemaps date their pages by publication_date."""
    root = parse_xml(body)
    if root is None:
        return [], []
    sitemaps, pages = [], []
    for element in root:
        kind = _local(element.tag)
        loc = _child_text(element, "loc")
        if not loc:
            continue
        published = _date(_child_text(element, "publication_date") or _child_text(element, "lastmod"))
        (sitemaps if kind == "sitemap" else pages).append(Entry(loc, published))
    return sitemaps, pages


def feed_entries(body: bytes) -> list[Entry]:
    """RSS 2.0 items and Atom entries: their links and dates."""
    root = parse_xml(body)
    if root is None:
        return []
    entries = []
    for element in root.iter():
        kind = _local(element.tag)
        if kind == "item":
            url = _child_text(element, "link") or _child_text(element, "guid")
            published = _date(_child_text(element, "pubDate") or _child_text(element, "date"))
        elif kind == "entry":
            links = [c for c in element if _local(c.tag) == "link" and c.get("rel", "alternate") == "alternate"]
            url = links[0].get("href", "") if links else ""
            published = _date(_child_text(element, "published") or _child_text(element, "updated"))
        else:
            continue
        if url.strip():
            entries.append(Entry(url.strip(), published))
    return entries


def site_id(url: str, id_pattern: re.Pattern[str] | None = None) -> str:
    """The article's own id in its URL (DESIGN §11), filename-safe.

    The last path segment without its extension; where that is a name every article shares
    (news.cn's ``…/<hash>/c.html``: a name without a digit), the nearest segment that is no
    date; ``id_pattern``'s group overrides both.
    """
    parts = urlsplit(url)
    if id_pattern is not None:
        match = id_pattern.search(url)
        if match and match.group(1):
            return _safe(match.group(1))
    segments = [s for s in parts.path.split("/") if s]
    if not segments:
        return _safe(parts.netloc)
    stem = segments[-1].rsplit(".", 1)[0] if "." in segments[-1] else segments[-1]
    if any(ch.isdigit() for ch in stem):
        return _safe(stem)
    for segment in reversed(segments[:-1]):
        if any(ch.isdigit() for ch in segment) and not _PURE_DATE.match(segment):
            return _safe(segment)
    digits = re.findall(r"\d+", parts.query)
    return _safe(f"{stem}-{digits[-1]}" if digits else stem)


def _safe(value: str) -> str:
    return _SAFE_ID.sub("_", value).strip("_") or "article"
