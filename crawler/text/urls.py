"""Canonical URLs: the identity of an article whatever link led to it."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

# Query parameters that never identify content: trackers and per-request tokens.
TRACKING_PARAMS = frozenset(
    {
        "key", "pv_id", "_", "spm", "from", "fr", "share_token", "share_from", "timestamp",
        "ts", "sign", "token", "tk", "isappinstalled", "scene", "srcid", "wfr", "share",
        "fbclid", "gclid", "yclid", "mc_cid", "mc_eid", "ref", "ref_src",
    }
)
TRACKING_PREFIXES = ("utm_",)

# Per-host rules: query parameters that are meaningless for an article page there.
# Qutoutiao article pages are static files: the whole query is per-request noise.
DROP_WHOLE_QUERY_HOSTS = re.compile(r"^html\d*\.qktoutiao\.com$|\.ifeng\.com$|^html\.shehuitu\.com$")

_EMBEDDED_URL = re.compile(r"^(?:https?:)?//[^?#]*[?/](?P<inner>https?(?::|%3A)(?://|%2F%2F).+)$", re.I)


def unwrap_proxy(url: str) -> str:
    """``https://cors.example.dev/?http://real/x`` → ``http://real/x`` (repeatedly)."""
    for _ in range(5):
        match = _EMBEDDED_URL.match(url.strip())
        if not match:
            return url.strip()
        inner = match.group("inner")
        if inner[:10].lower().startswith(("http%3a", "https%3a")):
            inner = unquote(inner)
        url = inner
    return url


def absolute(url: str, scheme: str = "https") -> str:
    """Make protocol-relative URLs absolute (``//host/x`` → ``https://host/x``)."""
    url = url.strip()
    if url.startswith("//"):
        return f"{scheme}:{url}"
    return url


# Already canonical, as most links a crawl checks are (the store keeps them so): https, a
# lower-case host without port or user, a path, no query, fragment, escape or embedded URL.
_CANONICAL = re.compile(r"https://[a-z0-9-]+(?:\.[a-z0-9-]+)*/[^?#%\s\x00-\x1f\x7f\\]*")


def canonical_url(url: str) -> str:
    """https, lower-case host, no fragment, no tracking or per-request query, proxies unwrapped."""
    if _CANONICAL.fullmatch(url) and "//" not in url[8:]:
        return url
    return canonicalize(url)


# Hand-written rather than w3lib's canonicalize_url + url_query_cleaner, measured 2026-12-02: w3lib
# percent-encodes non-ASCII paths (中文.html → %E4%B8%AD…, changing the key of every stored article whose
# URL has Chinese in it), keeps http and proxy prefixes, has no prefix rule (utm_*) and no per-host
# rule, and took 1.5x the time here (122 µs against 81 µs a URL on a loaded 2-core machine).
def canonicalize(url: str) -> str:
    """``canonical_url`` by its rules, without the shortcut for URLs that are canonical already."""
    url = unwrap_proxy(absolute(url))
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = parts.path or "/"
    if DROP_WHOLE_QUERY_HOSTS.search(parts.hostname or ""):
        query = ""
    else:
        kept = [
            (name, value)
            for name, value in parse_qsl(parts.query, keep_blank_values=True)
            if name.lower() not in TRACKING_PARAMS and not name.lower().startswith(TRACKING_PREFIXES)
        ]
        query = urlencode(sorted(kept))
    scheme = "https" if parts.scheme in ("http", "https", "") else parts.scheme
    return urlunsplit((scheme, host, path, query, ""))


def host_of(url: str) -> str:
    return (urlsplit(absolute(url)).hostname or "").lower()


def web_url(url: str) -> str:
    """``url`` if it is an absolute http(s) URL with a host, else "" (javascript:, data:, vbscript:…).

    For every URL field an archive file, feed or page shows: a page's cover or link is the
    site's word, and a reader would follow it.
    """
    text = str(url or "").strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    return text if parts.scheme.lower() in ("http", "https") and parts.hostname else ""
