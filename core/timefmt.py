"""Show every time in the viewer's own time zone with UTC beside it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from markupsafe import Markup, escape


def zone(name: str | None) -> ZoneInfo:
    """Return the named zone, UTC when unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def is_timezone(name: str) -> bool:
    """Tell whether `name` is a known IANA zone."""
    return name in available_timezones()


@lru_cache(maxsize=1)
def timezone_choices() -> list[tuple[str, str]]:
    """Return the IANA zones for a list, UTC first, then by name (Europe/Paris, ...)."""
    names = sorted(n for n in available_timezones()
                   if "/" in n and not n.startswith(("Etc/", "SystemV/", "posix/", "right/")))
    return [("UTC", "UTC")] + [(n, n.replace("_", " ")) for n in names]


def format_local(value: datetime, tz_name: str | None) -> str:
    """Format an aware datetime as '26 Nov 2026 16:00 CET (15:00 UTC)'."""
    utc = value.astimezone(UTC)
    local = utc.astimezone(zone(tz_name))
    text = local.strftime("%-d %b %Y %H:%M %Z")
    if local.utcoffset() or local.tzname() != "UTC":
        day = "" if local.date() == utc.date() else utc.strftime("%-d %b ")
        text += f" ({day}{utc.strftime('%H:%M')} UTC)"
    return text


def datetime_html(value: datetime | None, tz_name: str | None) -> Markup:
    """Render a <time> element with the machine-readable UTC instant."""
    if value is None:
        return Markup("&mdash;")
    iso = value.astimezone(UTC).isoformat(timespec="seconds")
    return Markup('<time datetime="{}">{}</time>').format(iso, escape(format_local(value, tz_name)))


def date_html(value: date | None) -> Markup:
    """Render a calendar date (dates are the same in every zone)."""
    if value is None:
        return Markup("&mdash;")
    return Markup('<time datetime="{}">{}</time>').format(value.isoformat(),
                                                           value.strftime("%-d %b %Y"))
