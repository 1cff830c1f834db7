"""POSTing JSON to a delivery endpoint: bounded by a timeout, under the mirror when one is set.

Errors never carry the URL: chat webhooks hold their access token in it.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Any

from crawler import __version__
from crawler.mirror import mirror_url
from crawler.runtime import MIRROR_ENV

MAX_ANSWER_BYTES = 1 << 20
USER_AGENT = f"topicfeed/{__version__}"


class DeliveryError(Exception):
    """A target did not take a message; the text is one line, without secrets."""


def outgoing_url(url: str) -> str:
    """The URL to connect to: under ``TOPICFEED_MIRROR``, ``MIRROR/HOST/PATH?QUERY`` (DESIGN §4)."""
    mirror = os.environ.get(MIRROR_ENV, "").rstrip("/")
    return mirror_url(mirror, url) if mirror else url


def _opener() -> urllib.request.OpenerDirector:
    if os.environ.get(MIRROR_ENV):
        return urllib.request.build_opener(urllib.request.ProxyHandler({}))  # the mirror is local
    return urllib.request.build_opener()


def request_json(url: str, payload: Any | None = None, *, timeout: float, headers: dict[str, str] | None = None,
                 method: str = "POST", data: bytes | None = None) -> dict[str, Any]:
    """Send ``payload`` as JSON (or raw ``data``); the answer's JSON object, ``{}`` if it has none."""
    body = data if data is not None else json.dumps(payload, ensure_ascii=False).encode("utf-8")
    sent = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT, **(headers or {})}
    request = urllib.request.Request(outgoing_url(url), data=body if method != "GET" else None,
                                     headers=sent, method=method)
    try:
        with _opener().open(request, timeout=timeout) as answer:
            raw = answer.read(MAX_ANSWER_BYTES)
    except urllib.error.HTTPError as error:
        raise DeliveryError(f"HTTP {error.code}: {_snippet(error.read(2000))}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise DeliveryError(f"no answer ({reason or type(error).__name__})") from None
    try:
        parsed = json.loads(raw.decode("utf-8")) if raw.strip() else {}
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _snippet(raw: bytes) -> str:
    return " ".join(raw.decode("utf-8", "replace").split())[:200]
