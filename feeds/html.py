"""What every page for people shares: the one stylesheet, the page frame, escaped text and links.

Pages are static UTF-8 HTML5 that load nothing from elsewhere: no script, no web font, and
only relative links to our own files (the stylesheet, the archived images).
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from crawler.text.dates import site_local
from crawler.text.strings import xml_safe

STYLESHEET_NAME = "style.css"
# China has had no daylight saving since 1991, so a fixed offset needs no tz database.
BEIJING = timezone(timedelta(hours=8))
ZONE_LABEL = "北京时间"

STYLESHEET = """\
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{font-family:system-ui,sans-serif;max-width:46rem;margin:0 auto;padding:1rem;line-height:1.7;
color:#1a1a1a;background:#fff;overflow-wrap:anywhere}
a{color:#0b57d0}
h1{font-size:1.5rem;line-height:1.35}
h2{font-size:1.2rem;margin-top:2rem}
h3{font-size:1.05rem;margin:0 0 .25rem}
nav{font-size:.95rem;margin-bottom:1rem}
img{max-width:100%;height:auto}
table{border-collapse:collapse;width:100%;font-size:.95rem}
th,td{border-bottom:1px solid #ddd;padding:.35rem .4rem;text-align:left;vertical-align:top}
.meta,time{color:#555;font-size:.92rem}
.entries{list-style:none;padding:0}
.entries li{border-top:1px solid #ddd;padding:.8rem 0}
.ok{color:#17692f}.bad{color:#b3261e}
figure{margin:1rem 0}figcaption{color:#555;font-size:.9rem}
@media (prefers-color-scheme:dark){body{color:#e6e6e6;background:#161616}a{color:#8ab4f8}
.meta,time,figcaption{color:#aaa}th,td,.entries li{border-color:#444}}
"""


def page(title: str, body: Iterable[str], *, root: str = "", lang: str = "zh-CN") -> bytes:
    """A whole page; ``root`` leads from the page to the feeds folder ("" or "../…/")."""
    lines = [
        "<!DOCTYPE html>",
        f'<html lang="{text(lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{text(title)}</title>",
        f'<link rel="stylesheet" href="{text(root + STYLESHEET_NAME)}">',
        "</head>",
        "<body>",
        *body,
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(lines).encode("utf-8")


def text(value: str) -> str:
    return html.escape(xml_safe(value), quote=True)


def safe_href(url: str) -> str | None:
    """``url`` if it may be followed: web links or relative ones, never javascript:, data: and the like."""
    cleaned = xml_safe(url).strip()
    try:
        scheme = urlsplit(cleaned).scheme
    except ValueError:
        return None
    return cleaned if scheme in ("", "http", "https") else None


def link(url: str, label: str, *, external: bool = False) -> str:
    """``<a>`` to ``url`` (plain text when the URL is unsafe); ``external`` sends no Referer."""
    href = safe_href(url)
    if href is None:
        return text(label)
    rel = ' rel="noreferrer"' if external else ""
    return f'<a href="{text(href)}"{rel}>{text(label)}</a>'


def time_html(moment: datetime) -> str:
    """The time in Beijing, the zone named; machine-readable in ``datetime``."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()} on a page; attach a timezone")
    local = site_local(moment)
    return f'<time datetime="{text(moment.isoformat())}">{local:%Y-%m-%d %H:%M} {ZONE_LABEL}</time>'


def names_and_links(pairs: Iterable[tuple[str, str]]) -> str:
    """"新华社、人民网" with each name linking its URL."""
    return "、".join(link(url, name or url, external=True) for name, url in pairs)
