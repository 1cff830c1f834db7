"""Site times to timezone-aware datetimes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

SITE_TZ = ZoneInfo("Asia/Shanghai")
LOG_TIME_FORMAT = "%Y-%m-%d %H:%M:%S%z"  # Scrapy's log lines and topicfeed's summary lines alike
# A news article dated outside this window has a wrong date: it counts as missing (DESIGN §6).
EARLIEST_PUBLISHED = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)
# Shown in a zone east of UTC, 9999-12-31T23:59:59Z is in the year 10000: no datetime holds it.
_LATEST_SHOWN = datetime(9999, 12, 30, tzinfo=UTC)
_EARLIEST_SHOWN = datetime(1, 1, 2, tzinfo=UTC)


def parse_site_time(value: str | int | float | None, *, tz: ZoneInfo = SITE_TZ) -> datetime | None:
    """Parse a site's local time string or an epoch (seconds or milliseconds).

    Naive times are the site's local time (Asia/Shanghai); returns None when unparseable.
    """
    if value is None or value == "" or isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None  # a list, an object, true: no time at all
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.strip().isdecimal()):
        number = float(value)
        if number > 1e11:  # milliseconds
            number /= 1000
        try:
            moment = datetime.fromtimestamp(number, UTC)
        except (OverflowError, OSError, ValueError):
            return None
        return moment if moment >= EARLIEST_PUBLISHED else None
    text = value.strip()
    try:  # the common shape first: "2025-07-24 10:30:00" (dateutil costs ~50x more)
        return as_aware(datetime.fromisoformat(text), tz)
    except ValueError:
        pass
    from dateutil import parser as date_parser  # the rare other shapes: not loaded by every crawl

    try:
        parsed = date_parser.parse(text)
    except (ValueError, OverflowError, TypeError):
        return None
    return as_aware(parsed, tz)


def as_aware(value: datetime, tz: ZoneInfo = SITE_TZ) -> datetime:
    return value.replace(tzinfo=tz) if value.tzinfo is None else value


def reference_time(value: object) -> datetime:
    """A ``TOPICFEED_NOW`` value (ISO 8601 with a UTC offset, or a TOML date-time); ValueError if not one."""
    try:
        parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError("not an ISO 8601 time") from None
    if parsed.tzinfo is None:
        raise ValueError("has no UTC offset")
    return parsed


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def plausible_published(moment: datetime, now: datetime) -> bool:
    """A publication time a news article can have: from 1990 to a day after ``now``."""
    return EARLIEST_PUBLISHED <= moment <= now + FUTURE_SLACK


def sane_published(published: datetime | None, listed: datetime | None, now: datetime) -> datetime | None:
    """The time an article goes by: its own when plausible, else its listing's when that is, else
    None (the fetch time is used then)."""
    for moment in (published, listed):
        if moment is not None and plausible_published(as_aware(moment), now):
            return as_aware(moment)
    return None


def site_local(moment: datetime) -> datetime:
    """``moment`` in Asia/Shanghai; a stored extreme (year 9999) is clamped instead of overflowing."""
    return min(max(moment, _EARLIEST_SHOWN), _LATEST_SHOWN).astimezone(SITE_TZ)


def shown_time(moment: datetime, tz: ZoneInfo = SITE_TZ) -> str:
    """A time as commands print it, with its zone: ``2025-07-24 07:55 +08:00``."""
    local = min(max(moment, _EARLIEST_SHOWN), _LATEST_SHOWN).astimezone(tz)
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} {offset[:3]}:{offset[3:]}"


def log_stamp(moment: datetime | None = None) -> str:
    """The time at the start of a log or summary line: local, with its UTC offset."""
    return (moment or datetime.now()).astimezone().strftime(LOG_TIME_FORMAT)
