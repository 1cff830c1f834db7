"""Checks every test of the pages for people shares: strict parsing, nothing loaded from elsewhere."""

from __future__ import annotations

from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

import html5lib

# Elements whose attribute makes the browser fetch something while the page is read.
LOADING = {"img": "src", "script": "src", "iframe": "src", "video": "src", "audio": "src",
           "source": "src", "embed": "src", "object": "data", "link": "href"}


def parse_page(data: bytes) -> Element:
    """The page's tree; any HTML5 parse error (bad nesting, stray end tag…) fails the test."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(data, transport_encoding="utf-8")


def loaded_resources(root: Element) -> list[str]:
    """What reading the page would fetch: every src/href of a loading element, scripts, styles."""
    found = []
    for tag, attribute in LOADING.items():
        for element in root.iter(tag):
            if tag == "link" and element.get("rel") != "stylesheet":
                continue
            found.append(element.get(attribute, ""))
    found += ["<script>" for _ in root.iter("script")]
    found += [f"style={el.get('style')}" for el in root.iter() if el.get("style")]
    return found


def external(references: list[str]) -> list[str]:
    """The references that leave our own files: absolute URLs, scripts, inline styles."""
    return [r for r in references
            if r.startswith(("<", "style=")) or urlsplit(r).scheme or r.startswith("//") or not r]


def links(root: Element) -> list[tuple[str, str]]:
    """(href, text) of every <a>."""
    return [(a.get("href", ""), "".join(a.itertext())) for a in root.iter("a")]
