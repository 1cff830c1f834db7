"""Article body HTML: lazy images resolved, sanitised, turned into text and Markdown."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import html_to_markdown
import lxml.html
import nh3

from crawler.text import clean_paragraphs, xml_safe
from crawler.urls import absolute, unwrap_proxy

LAZY_ATTRIBUTES = ("data-lazyload", "data-src", "data-original", "data-actualsrc", "data-url")

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "code", "del", "div", "em", "figcaption",
        "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre",
        "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th",
        "thead", "tr", "u", "ul",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "figure",
     "figcaption", "pre", "table", "ul", "ol", "hr"}
)


def _fragments(html: str) -> list[lxml.html.HtmlElement]:
    if not html.strip():
        return []
    return lxml.html.fragments_fromstring(html)


def _serialize(nodes: Sequence[lxml.html.HtmlElement | str]) -> str:
    parts = []
    for node in nodes:
        if isinstance(node, str):
            parts.append(node)
        else:
            parts.append(lxml.html.tostring(node, encoding="unicode"))
    return "".join(parts)


def _images(nodes: Sequence[lxml.html.HtmlElement | str]) -> Iterator[lxml.html.HtmlElement]:
    for node in nodes:
        if not isinstance(node, str):
            yield from node.iter("img")


def resolve_images(html: str, base_url: str, fallback_urls: Sequence[str] = ()) -> str:
    """Point every <img> at its real, absolute image URL, and every link past its proxy.

    Lazy-load attributes win over ``src``; a placeholder (``data:`` URL or empty) with no
    lazy attribute takes the next URL of ``fallback_urls`` (ifeng's imagesInContent, which
    lists the images in document order); proxy prefixes are unwrapped, on ``<a href>`` too.
    """
    nodes = _fragments(xml_safe(html))
    for node in nodes:
        if not isinstance(node, str):
            for link in node.iter("a"):
                if link.get("href"):
                    link.set("href", unwrap_proxy(link.get("href")))
    fallbacks = iter(fallback_urls)
    for img in _images(nodes):
        real = next((img.get(attr) for attr in LAZY_ATTRIBUTES if img.get(attr)), None)
        src = img.get("src", "")
        if not real and (not src or src.startswith("data:")):
            real = next(fallbacks, None)
        if not real:
            real = src
        for attr in LAZY_ATTRIBUTES:
            img.attrib.pop(attr, None)
        target = urljoin(base_url, absolute(unwrap_proxy(xml_safe(real or "").strip())))
        if real and urlsplit(target).scheme in ("http", "https"):
            img.set("src", target)
        else:
            img.attrib.pop("src", None)
        size = img.attrib.pop("data-size", "")
        if size and "," in size and not img.get("width"):
            width, _, height = size.partition(",")
            if width.strip().isdigit() and height.strip().isdigit():
                img.set("width", width.strip())
                img.set("height", height.strip())
    return _serialize(nodes)


def replace_image_sources(html: str, sources: Mapping[str, str]) -> str:
    """Point <img> elements at other copies of their images (local files, our server)."""
    if not sources:
        return html
    nodes = _fragments(html)
    for img in _images(nodes):
        replacement = sources.get(img.get("src", ""))
        if replacement:
            img.set("src", replacement)
    return _serialize(nodes)


def sanitize(html: str) -> str:
    """Remove everything executable: scripts, styles, event handlers, javascript:/data: URLs."""
    cleaned = nh3.clean(
        xml_safe(html),
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style", "iframe", "object", "embed", "noscript", "template"},
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    # <img> without a usable src is a leftover placeholder.
    return cleaned.replace("<img>", "")


def set_image_attributes(html: str, **attributes: str) -> str:
    """Set the same attributes on every <img> (e.g. ``referrerpolicy="no-referrer"``)."""
    nodes = _fragments(html)
    for img in _images(nodes):
        for name, value in attributes.items():
            img.set(name, value)
    return _serialize(nodes)


def _image_urls(nodes: Sequence[lxml.html.HtmlElement | str]) -> list[str]:
    return [img.get("src") for img in _images(nodes) if img.get("src")]


def html_to_text(html: str) -> str:
    """Paragraph-preserving plain text of an HTML fragment."""
    return _text(_fragments(html))


def _text(nodes: Sequence[lxml.html.HtmlElement | str]) -> str:
    chunks: list[str] = []
    for node in nodes:
        if isinstance(node, str):
            chunks.append(node)
            continue
        for element in node.iter():
            if element.tag in BLOCK_TAGS:
                element.tail = "\n" + (element.tail or "")
                if element.tag != "br":
                    element.text = "\n" + (element.text or "")
        chunks.append(node.text_content())
    return clean_paragraphs("".join(chunks))


@dataclass(frozen=True)
class CleanBody:
    html: str
    text: str
    image_urls: list[str]


def clean_body(html: str, base_url: str, fallback_urls: Sequence[str] = ()) -> CleanBody:
    """An article body as it is archived: images resolved, sanitised; its text and image URLs."""
    safe = sanitize(resolve_images(html, base_url, fallback_urls))
    nodes = _fragments(safe)
    images = _image_urls(nodes)  # before _text, which rewrites the tree's text
    return CleanBody(safe, _text(nodes), images)


MARKDOWN_OPTIONS = html_to_markdown.ConversionOptions(autolinks=False)


def markdown_safe(text: str) -> str:
    """Text that Markdown renderers show as text: a literal ``<`` would start raw HTML."""
    return text.replace("<", "&lt;")


def html_to_markdown_text(html: str) -> str:
    return markdown_safe(html_to_markdown.convert(html, MARKDOWN_OPTIONS).content.strip())
