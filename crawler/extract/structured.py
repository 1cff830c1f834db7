"""What a page states about itself in machine-readable form: meta tags, JSON-LD, __NEXT_DATA__."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape
from typing import Any

from lxml import html as lxml_html

ARTICLE_TYPES = frozenset({"newsarticle", "article", "reportagenewsarticle", "blogposting", "webpage"})
# Keys under which client-rendered pages keep an article's fields (thepaper, many Next.js sites).
TITLE_KEYS = ("title", "name", "headline")
BODY_KEYS = ("content", "contentHtml", "articleBody", "body", "html", "detail")
TIME_KEYS = ("pubTime", "publishTime", "publishedAt", "published_at", "datePublished", "pubDate", "ctime")
SOURCE_KEYS = ("source", "sourceName", "origin")
AUTHOR_KEYS = ("author", "authorName", "writer")
EDITOR_KEYS = ("responsEditor", "responsibleEditor", "editor", "editorName")
MIN_EMBEDDED_BODY = 80  # characters: shorter strings are summaries, not bodies
MAX_DEPTH = 12


@dataclass(frozen=True)
class Embedded:
    """An article found in a page's embedded JSON."""

    title: str
    body_html: str
    published: str = ""
    outlet: str = ""
    author: str = ""
    editor: str = ""


def meta_tags(tree: lxml_html.HtmlElement) -> dict[str, str]:
    """``name``/``property``/``itemprop`` (lower-cased) → the first non-empty ``content``."""
    found: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = meta.get("name") or meta.get("property") or meta.get("itemprop") or meta.get("http-equiv")
        content = (meta.get("content") or "").strip()
        if key and content:
            found.setdefault(key.strip().lower(), content)
    return found


def _ld_objects(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, list):
        for item in value:
            yield from _ld_objects(item)
    elif isinstance(value, dict):
        yield value
        yield from _ld_objects(value.get("@graph"))


def json_ld(tree: lxml_html.HtmlElement) -> list[dict[str, Any]]:
    """The page's JSON-LD article objects (NewsArticle, Article, …), broken blocks skipped."""
    articles = []
    for script in tree.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text, strict=False)
        except ValueError:
            continue
        for obj in _ld_objects(data):
            kinds = obj.get("@type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if any(str(kind).lower() in ARTICLE_TYPES for kind in kinds):
                articles.append(obj)
    return articles


def ld_name(value: Any) -> str:
    """A JSON-LD person or organisation (or a list of them) as text."""
    if isinstance(value, list):
        return "、".join(name for name in (ld_name(item) for item in value) if name)
    if isinstance(value, dict):
        return str(value.get("name") or "").strip()
    return str(value or "").strip()


def _first_text(obj: dict[str, Any], keys: tuple[str, ...]) -> str:
    for key in keys:
        value = obj.get(key)
        if isinstance(value, (str, int)) and str(value).strip():
            return str(value).strip()
        if isinstance(value, dict) and value.get("name"):
            return str(value["name"]).strip()
    return ""


def _article_dicts(value: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every dict under ``value`` holding a title and a body-sized string."""
    if depth > MAX_DEPTH:
        return
    if isinstance(value, dict):
        body = _first_text(value, BODY_KEYS)
        if len(body) >= MIN_EMBEDDED_BODY and _first_text(value, TITLE_KEYS):
            yield value
        for item in value.values():
            yield from _article_dicts(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _article_dicts(item, depth + 1)


def embedded_article(tree: lxml_html.HtmlElement) -> Embedded | None:
    """The article in ``__NEXT_DATA__`` (Next.js) or JSON-LD ``articleBody``: the longest body wins."""
    found: list[dict[str, Any]] = []
    for script in tree.iter("script"):
        if script.get("id") == "__NEXT_DATA__" and script.text:
            try:
                found += _article_dicts(json.loads(script.text, strict=False))
            except ValueError:
                continue
    found += [obj for obj in json_ld(tree) if len(str(obj.get("articleBody") or "")) >= MIN_EMBEDDED_BODY]
    if not found:
        return None
    best = max(found, key=lambda obj: len(_first_text(obj, BODY_KEYS)))
    body = _first_text(best, BODY_KEYS)
    if "<" not in body:  # plain text (JSON-LD articleBody): one paragraph a line
        body = "".join(f"<p>{escape(line.strip())}</p>" for line in body.splitlines() if line.strip())
    author = best.get("author")
    return Embedded(
        title=_first_text(best, TITLE_KEYS),
        body_html=body,
        published=_first_text(best, TIME_KEYS),
        outlet=_first_text(best, SOURCE_KEYS) or ld_name(best.get("publisher")),
        author=ld_name(author) if isinstance(author, (dict, list)) else _first_text(best, AUTHOR_KEYS),
        editor=_first_text(best, EDITOR_KEYS),
    )
