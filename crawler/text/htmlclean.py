"""Article body HTML: lazy images resolved, sanitised, turned into text and Markdown."""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import lxml.html
import nh3

from crawler.text.strings import clean_paragraphs, xml_safe
from crawler.text.urls import absolute, unwrap_proxy

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


def _parse(html: str) -> lxml.html.HtmlElement:
    """The fragment inside one container element: one tree to walk, one string to serialise."""
    container = lxml.html.Element("div")
    if html.strip():
        for node in lxml.html.fragments_fromstring(html):
            if isinstance(node, str):  # text before the first tag
                container.text = node
            else:
                container.append(node)
    return container


def _serialize(container: lxml.html.HtmlElement) -> str:
    html = lxml.html.tostring(container, encoding="unicode")
    return html[len("<div>") : -len("</div>")] if html != "<div></div>" else ""


def resolve_images(html: str, base_url: str, fallback_urls: Sequence[str] = ()) -> str:
    """Point every <img> at its real, absolute image URL, and every link past its proxy.

    Lazy-load attributes win over ``src``; a placeholder (``data:`` URL or empty) with no
    lazy attribute takes the next URL of ``fallback_urls`` (ifeng's imagesInContent, which
    lists the images in document order); proxy prefixes are unwrapped, on ``<a href>`` too.
    """
    container = _parse(xml_safe(html))
    _resolve_in(container, base_url, fallback_urls)
    return _serialize(container)


# What lxml's HTML serialiser writes a URL attribute as: printable ASCII kept, anything else
# percent-encoded as UTF-8. An image's URL is given as the body will show it.
_PRINTABLE_ASCII = "".join(chr(code) for code in range(0x21, 0x7F))


def _as_serialised(url: str) -> str:
    if url.isascii() and url.isprintable() and " " not in url:
        return url
    return quote(url, safe=_PRINTABLE_ASCII)


def _resolve_in(container: lxml.html.HtmlElement, base_url: str, fallback_urls: Sequence[str]) -> None:
    """``resolve_images`` on a parsed tree; an <img> left without a web URL has no ``src``."""
    for link in container.iter("a"):
        if link.get("href"):
            link.set("href", unwrap_proxy(link.get("href")))
    fallbacks = iter(fallback_urls)
    for img in container.iter("img"):
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
            img.set("src", _as_serialised(target))
        else:
            img.attrib.pop("src", None)
        size = img.attrib.pop("data-size", "")
        if size and "," in size and not img.get("width"):
            width, _, height = size.partition(",")
            if width.strip().isdigit() and height.strip().isdigit():
                img.set("width", width.strip())
                img.set("height", height.strip())


TRUNCATED_NOTE = "<p>（正文过长，以下内容未收录）</p>"


def truncate_html(html: str, limit: int) -> str:
    """At most about ``limit`` characters of an HTML fragment, cut outside any tag and closed again.

    A 5 MB paragraph would make a 5 MB feed entry and hundreds of MB of text work; nobody reads
    that far. Fragments within the limit come back unchanged.
    """
    if len(html) <= limit:
        return html
    opened = html.rfind("<", 0, limit)
    cut = opened if opened > html.rfind(">", 0, limit) else limit  # never inside a tag
    return _serialize(_parse(html[:cut])) + TRUNCATED_NOTE


def replace_image_sources(html: str, sources: Mapping[str, str], *, keep_original_as_title: bool = False) -> str:
    """Point <img> elements at other copies of their images (local files, our server).

    ``keep_original_as_title``: the replaced URL becomes the image's title (provenance).
    """
    if not sources:
        return html
    container = _parse(html)
    for img in container.iter("img"):
        original = img.get("src", "")
        replacement = sources.get(original)
        if replacement:
            img.set("src", replacement)
            if keep_original_as_title:
                img.set("title", original)
    return _serialize(container)


def drop_images(html: str, urls: Collection[str]) -> str:
    """Remove the <img> elements showing ``urls`` (downloads that failed: broken images)."""
    if not urls:
        return html
    container = _parse(html)
    for img in list(container.iter("img")):
        if img.get("src", "") in urls:
            img.drop_tree()  # keeps the text after it
    return _serialize(container)


def images_as_links(html: str, label: str) -> str:
    """Turn every <img> with an absolute web address into a link to it, labelled ``label``.

    For pages that must load nothing from elsewhere: an image we have no copy of is still
    one click away, and nothing is fetched from its site while the page is read.
    """
    container = _parse(html)
    for img in list(container.iter("img")):
        src = img.get("src", "")
        if urlsplit(src).scheme not in ("http", "https"):
            continue
        link = lxml.html.Element("a", href=src)
        link.text = img.get("alt") or label
        link.tail = img.tail
        img.getparent().replace(img, link)
    return _serialize(container)


def sanitize(html: str) -> str:
    """Remove everything executable: scripts, styles, event handlers, javascript:/data: URLs."""
    # <img> without a usable src is a leftover placeholder.
    return _nh3_clean(html, ALLOWED_ATTRIBUTES).replace("<img>", "")


# What clean_body lets through the sanitiser so that it can resolve images afterwards: the
# lazy-load attributes are never output (resolution removes them), and no URL from them is
# kept unless it is an absolute http(s) URL.
_RESOLVABLE_ATTRIBUTES = {**ALLOWED_ATTRIBUTES,
                          "img": ALLOWED_ATTRIBUTES["img"] | {*LAZY_ATTRIBUTES, "data-size"}}


def _nh3_clean(html: str, attributes: Mapping[str, Collection[str]]) -> str:
    return nh3.clean(
        xml_safe(html),
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style", "iframe", "object", "embed", "noscript", "template"},
        attributes={tag: set(attrs) for tag, attrs in attributes.items()},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def set_image_attributes(html: str, **attributes: str) -> str:
    """Set the same attributes on every <img> (e.g. ``referrerpolicy="no-referrer"``)."""
    container = _parse(html)
    for img in container.iter("img"):
        for name, value in attributes.items():
            img.set(name, value)
    return _serialize(container)


def html_to_text(html: str) -> str:
    """Paragraph-preserving plain text of an HTML fragment."""
    return _text(_parse(html))


def _text(container: lxml.html.HtmlElement) -> str:
    """The container's text, a line break around every block. (Rewrites the tree's text.)

    Top-level blocks get a break after them only before text of their own: the next block's
    break is enough, and stored texts have always had one line break between paragraphs.
    """
    for element in container.iterdescendants(*BLOCK_TAGS):
        tail = element.tail or ""
        if element.getparent() is not container or tail.strip():
            element.tail = "\n" + tail
        if element.tag != "br":
            element.text = "\n" + (element.text or "")
    return clean_paragraphs(container.text_content())


@dataclass(frozen=True)
class CleanBody:
    html: str
    text: str
    image_urls: list[str]


def clean_body(html: str, base_url: str, fallback_urls: Sequence[str] = ()) -> CleanBody:
    """An article body as it is archived: sanitised, images resolved; its text and image URLs.

    One tree does it all (the sanitiser keeps the lazy-load attributes for it): parsing the
    body once more to resolve its images first was a fifth of the item work per page.
    """
    container = _parse(_nh3_clean(html, _RESOLVABLE_ATTRIBUTES))
    _resolve_in(container, base_url, fallback_urls)
    images = []
    for img in list(container.iter("img")):
        if img.get("src"):
            images.append(img.get("src"))
        else:  # a placeholder that resolved to nothing
            img.drop_tree()
    safe = _serialize(container)
    return CleanBody(safe, _text(container), images)


@functools.cache
def _markdown_options() -> Any:
    import html_to_markdown  # 20 ms: only processes that render notes load it

    return html_to_markdown.ConversionOptions(autolinks=False)


# A Markdown link, image or reference definition whose destination is not a web URL (or a
# local image copy, ../…): text such as "[点我](javascript:alert(1))" would become a live link.
_LINK_OPEN = re.compile(r"(?<!\\)((?:\\\\)*)\]\(")
_REFERENCE = re.compile(r"^( {0,3})\[(?=[^\]\n]+\]:)", re.MULTILINE)
_SAFE_DESTINATION = re.compile(r"[ \t]*<?[ \t]*(?:https?://|mailto:|\.\./)", re.IGNORECASE)


def _defuse_links(text: str) -> str:
    def link(match: re.Match[str]) -> str:
        if _SAFE_DESTINATION.match(text, match.end()):
            return match.group(0)
        return f"{match.group(1)}]\\("

    text = _LINK_OPEN.sub(link, text)

    def reference(match: re.Match[str]) -> str:
        close = text.index("]:", match.end())
        if _SAFE_DESTINATION.match(text, close + 2):
            return match.group(0)
        return f"{match.group(1)}\\["

    return _REFERENCE.sub(reference, text)


def markdown_safe(text: str) -> str:
    """Text that Markdown renderers show as text: no raw HTML, no link to anything but the web."""
    return _defuse_links(text.replace("<", "&lt;"))


def html_to_markdown_text(html: str) -> str:
    import html_to_markdown

    return markdown_safe(html_to_markdown.convert(html, _markdown_options()).content.strip())
