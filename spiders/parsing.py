"""Parsing helpers shared by spiders: embedded JSON and JSONP bodies."""

from __future__ import annotations

import json
from typing import Any

from scrapy.http import TextResponse

_DECODER = json.JSONDecoder()


class PageParseError(ValueError):
    """A page lacks the structure its spider needs (the site changed, or the page is cut)."""


def embedded_json(text: str, marker: str) -> Any:
    """Decode the JSON value that follows ``marker`` (e.g. ``var allData =``) in a page.

    Uses the JSON decoder itself to find the end, so ``};`` inside strings is harmless
    (a non-greedy regex would stop there).
    """
    start = text.find(marker)
    if start < 0:
        raise PageParseError(f"{marker!r} not found")
    position = start + len(marker)
    while position < len(text) and text[position].isspace():
        position += 1
    try:
        value, _ = _DECODER.raw_decode(text, position)
    except json.JSONDecodeError as exc:
        raise PageParseError(f"JSON after {marker!r} is broken: {exc.msg} at char {exc.pos}") from exc
    except RecursionError:
        raise PageParseError(f"JSON after {marker!r} is nested too deep") from None
    return value


def jsonp_payload(text: str) -> Any:
    """The JSON argument of a JSONP callback: ``callback({...})``."""
    start = text.find("(")
    if start < 0:
        raise PageParseError("not a JSONP body (no callback parenthesis)")
    try:
        value, _ = _DECODER.raw_decode(text, start + 1)
    except json.JSONDecodeError as exc:
        raise PageParseError(f"JSONP payload is broken: {exc.msg} at char {exc.pos}") from exc
    except RecursionError:
        raise PageParseError("JSONP payload is nested too deep") from None
    return value


def load_json(body: bytes) -> Any:
    """A whole JSON answer (UTF-8 bytes); PageParseError when broken or nested too deep."""
    try:
        return json.loads(body)
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        raise PageParseError(f"not JSON: {exc}") from exc
    except RecursionError:
        raise PageParseError("JSON nested too deep") from None


def page_text(response: Any) -> str:
    """A response's text; PageParseError for an image or other binary answer."""
    text = getattr(response, "text", None) if isinstance(response, TextResponse) else None
    if text is None:
        kind = response.headers.get(b"Content-Type", b"").decode("latin-1") or "no Content-Type"
        raise PageParseError(f"not a text page ({kind})")
    return text


def dict_entries(value: Any) -> list[dict[str, Any]]:
    """The objects of a JSON list; a value that is no list (``"junk"``, 42) holds none."""
    return [entry for entry in value if isinstance(entry, dict)] if isinstance(value, list) else []



def as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def http_validators(headers: Any) -> dict[str, str]:
    """ETag and Last-Modified of a response, for conditional revisits (Article fields)."""
    return {
        "etag": headers.get(b"ETag", b"").decode("latin-1"),
        "last_modified": headers.get(b"Last-Modified", b"").decode("latin-1"),
    }
