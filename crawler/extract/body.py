"""The article body of a page: candidate extractors, junk-line removal, and the choice among them.

Three ways to find the body are kept side by side so the choice stays a measured one
(``bench/extract.py``): ``density`` (ours: the block holding the most paragraph text, after
dropping page parts named like navigation or comments), ``readability`` (readability-lxml) and
``trafilatura``. ``combined`` uses the embedded article (``__NEXT_DATA__``, JSON-LD) when the
page has one, else the density block, checked against readability when it looks wrong.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass

import lxml.html
from lxml import etree

from crawler.extract.junk import is_junk_line, is_junk_part
from crawler.text.htmlclean import BLOCK_TAGS

DROP_TAGS = ("script", "style", "noscript", "iframe", "form", "textarea", "select", "button", "nav",
             "header", "footer", "aside", "template", "svg", "object", "embed", "link", "meta")
TEXT_UNITS = frozenset({"p", "td", "li", "blockquote", "pre", "h2", "h3", "h4", "h5", "h6", "section"})
_WORD_CHARS = re.compile(r"[\w\u4e00-\u9fff]")
_SENTENCE_MARKS = re.compile(r"[，。！？；、,.;]")
MIN_BODY_CHARS = 40  # a body shorter than this is no body: try the next extractor
JUNK_SHARE_LIMIT = 0.2  # a candidate with more junk than this (by characters) is suspect
MIN_AGREEMENT = 0.5  # readability replaces a short density block only if it holds half its lines


@dataclass(frozen=True)
class Body:
    html: str
    method: str


def _text_length(text: str) -> int:
    return len(_WORD_CHARS.findall(text))


def _link_length(element: lxml.html.HtmlElement) -> int:
    return sum(_text_length(a.text_content()) for a in element.iter("a"))


def _paragraph_score(element: lxml.html.HtmlElement) -> float:
    text = element.text_content()
    length = _text_length(text) - _link_length(element)
    if length <= 0:
        return 0.0
    return length * (1.5 if _SENTENCE_MARKS.search(text) else 1.0)


def _direct_text(element: lxml.html.HtmlElement) -> str:
    """Text that sits in the element itself (``<br>``-separated bodies), not in child blocks."""
    parts = [element.text or ""]
    parts += [child.tail or "" for child in element]
    parts += [child.text_content() for child in element if child.tag in ("span", "font", "strong", "b", "em", "a")]
    return "".join(parts)


def pruned_copy(tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """The page's <body> without scripts, forms, page chrome, and parts named like junk."""
    body = tree.find(".//body")
    body = copy.deepcopy(body if body is not None else tree)
    for element in list(body.iter(*DROP_TAGS)):
        element.drop_tree()
    total = sum(_paragraph_score(p) for p in body.iter("p")) or 1.0
    for element in list(body.iter(etree.Element)):
        if element.getparent() is None:
            continue
        names = f"{element.get('class', '')} {element.get('id', '')}"
        if names.strip() and is_junk_part(names) and sum(_paragraph_score(p) for p in element.iter("p")) < total / 2:
            element.drop_tree()
    return body


def density(tree: lxml.html.HtmlElement) -> str:
    """The inner HTML of the block whose paragraphs hold the most text."""
    body = pruned_copy(tree)
    scores: dict[lxml.html.HtmlElement, float] = {}
    for element in body.iter(etree.Element):
        if element.tag in TEXT_UNITS:
            score = _paragraph_score(element)
        elif element.tag == "div":
            direct = _direct_text(element)
            score = _text_length(direct) * (1.5 if _SENTENCE_MARKS.search(direct) else 1.0)
            if score:
                scores[element] = scores.get(element, 0.0) + score
            continue
        else:
            continue
        parent = element.getparent()
        if parent is None or score == 0:
            continue
        scores[parent] = scores.get(parent, 0.0) + score
        grand = parent.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0.0) + score / 3
    if not scores:
        return ""
    best = max(scores, key=scores.__getitem__)
    return inner_html(best)


def inner_html(element: lxml.html.HtmlElement) -> str:
    parts = [element.text or ""]
    parts += [lxml.html.tostring(child, encoding="unicode") for child in element]
    return "".join(parts).strip()


def readability_body(page: str) -> str:
    from readability import Document

    return Document(page).summary(html_partial=True)


def trafilatura_body(page: str) -> str:
    import trafilatura

    return trafilatura.extract(page, output_format="html", include_images=True, include_links=False,
                               include_comments=False, include_tables=True, deduplicate=False) or ""


def strip_junk(fragment: str, title: str = "") -> str:
    """Drop every block whose whole text is a boilerplate line (or repeats the title), images kept."""
    if not fragment.strip():
        return ""
    container = lxml.html.fragment_fromstring(fragment, create_parent="div")
    for element in list(container.iter(*BLOCK_TAGS)):
        if element.getparent() is None or element.find(".//img") is not None:
            continue
        line = " ".join(element.text_content().split())
        if is_junk_line(line) or (title and line == title):
            element.drop_tree()
    for element in list(container.iter("h1")):
        if element.getparent() is not None and element.find(".//img") is None:
            element.drop_tree()  # the title, repeated
    return inner_html(container)


def junk_share(fragment: str) -> float:
    """Share of a body's characters in boilerplate lines (the junk-line score)."""
    lines = [line for line in body_lines(fragment) if line]
    total = sum(len(line) for line in lines)
    return sum(len(line) for line in lines if is_junk_line(line)) / total if total else 0.0


def body_lines(fragment: str) -> list[str]:
    """A body's text, one line a block, whitespace collapsed: what extractors are compared on."""
    if not fragment.strip():
        return []
    from crawler.text.htmlclean import html_to_text

    return [" ".join(line.split()) for line in html_to_text(fragment).split("\n") if line.strip()]


def text_chars(fragment: str) -> int:
    return sum(_text_length(line) for line in body_lines(fragment))


def sentence_chars(fragment: str) -> int:
    """Characters in lines that read as prose: not junk, holding a sentence mark."""
    return sum(_text_length(line) for line in body_lines(fragment)
               if _SENTENCE_MARKS.search(line) and not is_junk_line(line))


def agreement(a: str, b: str) -> float:
    """Share of a's lines that b holds too."""
    lines_a, lines_b = set(body_lines(a)), set(body_lines(b))
    return len(lines_a & lines_b) / len(lines_a) if lines_a else 0.0


# Each takes the parsed page and a function giving its HTML (serialised only when needed).
EXTRACTORS: dict[str, Callable[[lxml.html.HtmlElement, Callable[[], str]], str]] = {
    "density": lambda tree, page: density(tree),
    "readability": lambda tree, page: readability_body(page()),
    "trafilatura": lambda tree, page: trafilatura_body(page()),
}


def combined(tree: lxml.html.HtmlElement, page: Callable[[], str], embedded_html: str = "", title: str = "") -> Body:
    """Embedded JSON first; else the density block, unless it is short or junky and readability
    finds more prose holding at least half of the density block's lines (both junk-stripped)."""
    if text_chars(embedded_html) >= MIN_BODY_CHARS:
        return Body(strip_junk(embedded_html, title), "embedded")
    found = strip_junk(density(tree), title)
    if sentence_chars(found) >= MIN_BODY_CHARS * 4 and junk_share(found) <= JUNK_SHARE_LIMIT:
        return Body(found, "density")
    other = strip_junk(readability_body(page()), title)
    if sentence_chars(other) > sentence_chars(found) and agreement(found, other) >= MIN_AGREEMENT:
        return Body(other, "readability")
    return Body(found, "density")


def extract_body(tree: lxml.html.HtmlElement, page: Callable[[], str], *, method: str = "combined",
                 embedded_html: str = "", title: str = "") -> Body:
    if method == "combined":
        return combined(tree, page, embedded_html, title)
    if method == "embedded":
        return Body(strip_junk(embedded_html, title), "embedded")
    return Body(EXTRACTORS[method](tree, page), method)
