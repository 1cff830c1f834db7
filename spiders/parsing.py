"""Parsing helpers shared by spiders: embedded JSON and JSONP bodies."""

from __future__ import annotations

import json
from typing import Any

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
    return value


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
