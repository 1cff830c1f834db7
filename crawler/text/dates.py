"""Site times to timezone-aware datetimes."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from dateutil import parser as date_parser

SITE_TZ = ZoneInfo("Asia/Shanghai")


def parse_site_time(value: str | int | float | None, *, tz: ZoneInfo = SITE_TZ) -> datetime | None:
    """Parse a site's local time string or an epoch (seconds or milliseconds).

    Naive times are the site's local time (Asia/Shanghai); returns None when unparseable.
    """
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.strip().isdecimal()):
        number = float(value)
        if number > 1e11:  # milliseconds
            number /= 1000
        try:
            return datetime.fromtimestamp(number, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    text = value.strip()
    try:  # the common shape first: "2025-07-24 10:30:00" (dateutil costs ~50x more)
        return as_aware(datetime.fromisoformat(text), tz)
    except ValueError:
        pass
    try:
        parsed = date_parser.parse(text)
    except (ValueError, OverflowError, TypeError):
        return None
    return as_aware(parsed, tz)


def as_aware(value: datetime, tz: ZoneInfo = SITE_TZ) -> datetime:
    return value.replace(tzinfo=tz) if value.tzinfo is None else value


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
