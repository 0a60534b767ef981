"""A forum's time: sessions are stored in UTC and read, typed and shown in their forum's time zone.

Every page, PDF, calendar, spreadsheet and admin screen that turns a stored time into a day or a
clock time, or a typed day and time into a stored one, goes through this module, so a session at
00:30 in Athens is on the Athens day everywhere (in UTC it is still the day before).

The functions take the forum as ``forum``: anything with a ``time_zone`` name (a Forum), a zone
name ("Europe/Athens") or a ``ZoneInfo``. This module imports no app.

- ``forum_zone``: the zone as a ``ZoneInfo``;
- ``forum_local`` and ``forum_date``: a stored datetime as the forum's clock and day show it;
- ``forum_days`` and ``within_forum_days``: the local days a session covers, and whether they fall
  within the forum's own days;
- ``forum_datetime``, ``local_time_exists`` and ``same_local_time``: from a local day and time to a
  stored datetime (a time the clocks skip is refused with ``SkippedTime``; a time they pass twice is
  its first occurrence unless ``time.fold`` is 1), and the same local time in another zone or days later;
- ``when_text``: the one "when" of a session ("Mon 2 Nov 2009, 09:30–11:00") in the active language,
  as text or as HTML with ``<time>`` elements, in the styles of ``STYLES``.
"""

import datetime
import zoneinfo
from html import escape

from django.utils import dateformat
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

# The styles of ``when_text``, from the shortest to the longest.
TIMES = "times"  # “09:30–11:00”: where the day is given already (a programme's time slots)
SHORT = "short"  # “Mon 2 Nov, 09:30–11:00”: session cards, clash messages, the dashboard
DATED = "dated"  # “Mon 2 Nov 2009, 09:30–11:00”: admin lists, spreadsheet previews, changes, feeds
LONG = "long"  # “Monday 2 November 2009, 09:30–11:00”: session and person pages
PRINTED = "printed"  # “Monday 2 November 2009 · 09:30–11:00”: the PDFs
STYLES = (TIMES, SHORT, DATED, LONG, PRINTED)
END_FORMAT = "H:i"


class SkippedTime(ValueError):
    """A local day and time that does not exist in the forum's zone: the clocks skip it (summer time)."""

    def __init__(self, day, time, zone):
        self.day, self.time, self.zone = day, time, zone
        super().__init__(
            gettext("%(day)s %(time)s does not exist in %(zone)s (the clocks skip it).")
            % {"day": day.isoformat(), "time": time.strftime("%H:%M"), "zone": zone.key}
        )


def forum_zone(forum):
    """The forum's time zone as a ``ZoneInfo`` (``forum``: a forum, a zone name or a ``ZoneInfo``)."""
    if isinstance(forum, datetime.tzinfo):
        return forum
    # ZoneInfo keeps each zone it has read, so asking again costs a dictionary lookup.
    return zoneinfo.ZoneInfo(forum if isinstance(forum, str) else forum.time_zone)


def forum_local(value, forum):
    """The aware datetime ``value`` on the forum's clock (None stays None)."""
    if value is None:
        return None
    return value.astimezone(forum_zone(forum))


def forum_date(value, forum):
    """The forum's local day of the aware datetime ``value`` (None stays None)."""
    if value is None:
        return None
    return value.astimezone(forum_zone(forum)).date()


def forum_days(starts_at, ends_at, forum):
    """(first day, last day) that ``starts_at``–``ends_at`` covers in the forum's zone; a session that
    ends at midnight ends on the day before."""
    zone = forum_zone(forum)
    return starts_at.astimezone(zone).date(), (ends_at - datetime.timedelta(microseconds=1)).astimezone(zone).date()


def within_forum_days(starts_at, ends_at, forum):
    """Whether ``starts_at``–``ends_at`` falls within ``forum.starts_on``–``forum.ends_on``, counted in the
    forum's zone (``forum`` is a forum here: it needs its days and its ``time_zone``)."""
    first_day, last_day = forum_days(starts_at, ends_at, forum)
    return forum.starts_on <= first_day and last_day <= forum.ends_on


def local_time_exists(value, forum):
    """Whether the naive local datetime ``value`` exists in the forum's zone (the clocks do not skip it)."""
    zone = forum_zone(forum)
    aware = value.replace(tzinfo=zone)
    return aware.astimezone(datetime.UTC).astimezone(zone).replace(tzinfo=None) == value


def forum_datetime(day, time, forum):
    """The local ``time`` on ``day`` in the forum's zone, as the datetime to store (in UTC).

    Raises ``SkippedTime`` (a ``ValueError`` whose message tells the committee why) for a time the
    clocks skip. A time the clocks pass twice is its first occurrence, unless ``time.fold`` is 1.
    (In UTC, because Python never finds a local time passed twice equal to a time of another zone:
    a session at 01:30 on that night would never equal itself as read back from the database.)
    """
    zone = forum_zone(forum)
    value = datetime.datetime.combine(day, time, tzinfo=zone)
    if not local_time_exists(value.replace(tzinfo=None), zone):
        raise SkippedTime(day, time, zone)
    return value.astimezone(datetime.UTC)


def same_local_time(value, *, zone, new_zone=None, days=datetime.timedelta(0)):
    """The wall-clock time of ``value`` in ``zone``, ``days`` later, set in ``new_zone`` (``zone`` itself by
    default), in UTC as ``forum_datetime`` gives it: a session moved to another zone or edition keeps its
    local times, summer time included. None stays None. (A time the clocks skip in ``new_zone`` is not
    refused here: see ``local_time_exists``.)"""
    if value is None:
        return None
    local = value.astimezone(forum_zone(zone))
    moved = datetime.datetime.combine(local.date() + days, local.time(), tzinfo=forum_zone(new_zone or zone))
    return moved.astimezone(datetime.UTC)


def _start_format(style):
    """The format of Django's "date" filter for the start, in the active language."""
    if style == TIMES:
        return "H:i"
    if style == SHORT:
        # Translators: a date format of Django's “date” filter (D weekday abbreviated, j day, N month abbreviated,
        # H:i time; a backslash escapes a literal letter).
        return gettext("D j M, H:i")
    if style == DATED:
        # Translators: a date format of Django's “date” filter (D weekday abbreviated, j day, N month abbreviated,
        # Y year, H:i time; a backslash escapes a literal letter).
        return gettext("D j M Y, H:i")
    if style == LONG:
        # Translators: a date format of Django's “date” filter (l weekday, j day, F month, Y year, H:i time;
        # a backslash escapes a literal letter, as in \d\e).
        return gettext("l j F Y, H:i")
    if style == PRINTED:
        # Translators: a date format of Django's “date” filter (l weekday, j day, F month, Y year; a backslash
        # escapes a literal letter, as in \d\e).
        return gettext("l j F Y") + " · H:i"
    raise ValueError(f"Unknown style {style!r}: one of {', '.join(STYLES)}.")


def when_text(starts_at, ends_at, forum, *, style=DATED, html=False, empty="—"):
    """When a session takes place, in the forum's zone and the active language: “Mon 2 Nov 2009, 09:30–11:00”.

    ``style`` is one of ``STYLES``; ``ends_at`` None gives the start alone (a moment, such as a change);
    ``starts_at`` None (a session not scheduled yet) gives ``empty``. With ``html`` the start and the end
    are ``<time>`` elements carrying their ISO 8601 value, the text escaped (a safe string).
    """
    if starts_at is None:
        return empty
    zone = forum_zone(forum)
    start = starts_at.astimezone(zone)
    start_text = dateformat.format(start, _start_format(style))
    end = ends_at.astimezone(zone) if ends_at is not None else None
    end_text = dateformat.format(end, END_FORMAT) if end is not None else None
    if not html:
        return start_text if end is None else f"{start_text}–{end_text}"
    text = f'<time datetime="{start.isoformat()}">{escape(start_text)}</time>'
    if end is not None:
        text += f'–<time datetime="{end.isoformat()}">{escape(end_text)}</time>'
    return mark_safe(text)  # the two texts are escaped, the ISO values are digits and signs
