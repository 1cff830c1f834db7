"""An article page's facts besides its body: title, published, outlet, editor, author, site name."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time

from crawler.text.dates import SITE_TZ, parse_site_time
from crawler.text.strings import clean_line

TITLE_SEPARATORS = re.compile(r"\s*(?:--|——|_|\||｜|-|—|–)\s*")
# The visible time near the title: 2025年07月24日 07:55 · 2025-07-24 16:03 · 2025 07/24 10:32:08
VISIBLE_TIME = re.compile(
    r"(20\d{2})\s*[年/.\-]?\s*(\d{1,2})\s*[月/.\-]\s*(\d{1,2})\s*日?"
    r"(?:\s*(\d{1,2})\s*[:：]\s*(\d{2})(?:\s*[:：]\s*(\d{2}))?)?"
)
URL_DATE = re.compile(r"(?<!\d)(20\d{2})(?:[/_-]?)(\d{2})(?:[/_-]?)(\d{2})(?!\d)|/(20\d{2})/(\d{2})-(\d{2})/")
OUTLET_LABEL = re.compile(r"(?:来源|稿源|来自)\s*[:：]\s*([^\s|｜【】\[\]()（）]{2,30})")
EDITOR_LINE = re.compile(
    r"[（(【\[]?\s*(?:责任编辑|责编|编辑)\s*[:：]\s*"
    r"([^\s()（）【】\[\]|｜:：]{2,20}(?:[、，,][^\s()（）【】\[\]|｜:：]{2,20})*)"
)
PUBLISHED_META = ("article:published_time", "publishdate", "pubdate", "publish_date", "publishtime",
                  "og:release_date", "weibo: article:create_at", "datepublished", "sailthru.date",
                  "firstpublishedtime", "publish-date")
OUTLET_META = ("contentsource", "source", "mediaid", "og:article:source", "article:source")
TITLE_META = ("og:title", "articletitle", "twitter:title")
SITE_META = ("og:site_name", "sitename", "application-name")
TITLE_WINDOW = 400  # characters of page text after the title where the time and 来源 are shown


@dataclass(frozen=True)
class Dated:
    """A published time, and whether the page gave a time of day or only a date."""

    value: datetime
    has_time: bool


def first(values: Iterable[str | None]) -> str:
    return next((clean_line(v) for v in values if v and clean_line(v)), "")


def split_title(page_title: str) -> tuple[str, str]:
    """``<title>`` → (article title, site name): the part before the first separator, the last part."""
    parts = [part for part in TITLE_SEPARATORS.split(clean_line(page_title)) if part]
    if len(parts) < 2:
        return clean_line(page_title), ""
    return parts[0], parts[-1]


def strip_outlet(value: str) -> str:
    """``来源：人民网－湖北频道 原创稿`` → ``人民网－湖北频道``."""
    value = re.sub(r"^\s*(?:来源|稿源)\s*[:：]\s*", "", clean_line(value))
    return value.split(" ")[0] if value else ""


def editor_in(text: str) -> str:
    matches = EDITOR_LINE.findall(text)
    return clean_line(matches[-1]) if matches else ""  # the editor line ends the article


def outlet_in(text: str) -> str:
    match = OUTLET_LABEL.search(text)
    return match.group(1) if match else ""


def parse_published(value: str) -> Dated | None:
    """A machine or page date; ``2025-07-24`` alone is that day, without a time of day."""
    value = clean_line(value)
    if not value:
        return None
    visible = VISIBLE_TIME.fullmatch(value)
    if visible:
        return _from_match(visible)
    parsed = parse_site_time(value)
    if parsed is None:
        match = VISIBLE_TIME.search(value)
        return _from_match(match) if match else None
    return Dated(parsed, has_time=bool(re.search(r"\d[:：]\d", value)) or value.isdecimal())


def _from_match(match: re.Match[str]) -> Dated | None:
    year, month, day, hour, minute, second = match.groups()
    try:
        clock = time(int(hour), int(minute), int(second or 0)) if hour else time()
        return Dated(datetime.combine(datetime(int(year), int(month), int(day)), clock, SITE_TZ), bool(hour))
    except ValueError:
        return None


def visible_time(text: str) -> Dated | None:
    match = VISIBLE_TIME.search(text)
    return _from_match(match) if match else None


def url_date(url: str) -> Dated | None:
    """The date in an article URL (``/2025/0724/``, ``/20250724/``, ``/2025-07-24/``, ``t20250724_``)."""
    match = URL_DATE.search(url)
    if not match:
        return None
    year, month, day = (g for g in match.groups() if g is not None)
    try:
        return Dated(datetime(int(year), int(month), int(day), tzinfo=SITE_TZ), has_time=False)
    except ValueError:
        return None


def best_published(candidates: Iterable[Dated | None]) -> datetime | None:
    """The first candidate, or a later one that adds the time of day to the same date."""
    found = [c for c in candidates if c is not None]
    if not found:
        return None
    chosen = found[0]
    if not chosen.has_time:
        day = chosen.value.astimezone(SITE_TZ).date()
        chosen = next((c for c in found if c.has_time and c.value.astimezone(SITE_TZ).date() == day), chosen)
    return chosen.value
