"""The portal's own iCalendar (RFC 5545) writer: content lines, text values, times and time zones.

The calendar files of the programme hold hundreds of events, each with a long description, and are
made anew for every request that the page cache does not answer. Writing their text directly costs
a fraction of building a tree of objects first, so this module only knows what those files use:

- ``content_line``: ``NAME;PARAM=value:value`` as folded bytes: lines longer than 75 octets are
  cut, never inside a UTF-8 character nor between a backslash and the character it escapes, and go
  on after CRLF and a space (section 3.1);
- ``text``: a TEXT value with backslash, semicolon, comma and line breaks escaped (3.3.11), and the
  control characters a TEXT value cannot hold left out; ``texts``: a list of them (CATEGORIES);
  ``unescaped_text``: one line as it is, for names that apps read unescaped;
- ``utc_time`` and ``local_time``: DATE-TIME values, ``20091102T073000Z`` and ``20091102T093000``
  (3.3.5); ``duration``: ``PT1H`` (3.3.6);
- ``vtimezone``: the VTIMEZONE of a zone, its offsets and their changes over a span of days (3.6.5);
  ``is_utc``: whether times in a zone are written in UTC instead, with no VTIMEZONE.

This module imports no app.
"""

import datetime
import re

LINE_OCTETS = 75  # the longest line, in octets, CRLF not counted (section 3.1)
_FOLD = b"\r\n "
_CONTINUATION_BYTE = 0b1100_0000  # mask; a UTF-8 continuation byte is 0b10xx_xxxx
_BACKSLASH = ord("\\")
# Control characters a TEXT value cannot hold (HTAB can be written; line breaks are escaped first).
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f]")
# How far apart ``zone_changes`` looks at a zone before it searches a change to the second. The time zone
# database has no two changes of a zone's offset, summer time or abbreviation less than six days apart
# (from 1995 to 2045), so none goes unseen between two looks.
ZONE_SCAN_STEP = datetime.timedelta(days=3)
_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Universal", "Universal", "Etc/Zulu", "Zulu"})


def fold(line):
    """The bytes of one content line (``str``), folded so that no line is longer than 75 octets."""
    data = line.encode()
    if len(data) <= LINE_OCTETS:
        return data
    parts = []
    start, limit, end = 0, LINE_OCTETS, len(data)
    while end - start > limit:
        cut = start + limit
        while data[cut] & _CONTINUATION_BYTE == 0b1000_0000:  # inside a character: cut before it
            cut -= 1
        backslashes = 0
        while cut - 1 - backslashes > start and data[cut - 1 - backslashes] == _BACKSLASH:
            backslashes += 1
        if backslashes % 2:  # "\," "\n" "\\" stay on one line, as some calendar apps need
            cut -= 1
        parts.append(data[start:cut])
        start, limit = cut, LINE_OCTETS - 1  # a continuation line starts with a space
    parts.append(data[start:])
    return _FOLD.join(parts)


def content_line(name, value, /, **parameters):
    """``NAME;PARAM=value:value`` as folded bytes. ``value`` is written as given (escape TEXT with
    ``text``); parameter names are written with ``_`` as ``-``, their values quoted when they hold
    ``:`` ``;`` or ``,`` (a double quote, which a parameter value cannot hold, is left out)."""
    if parameters:
        written = "".join(f";{key.replace('_', '-').upper()}={_parameter(given)}" for key, given in parameters.items())
        return fold(f"{name}{written}:{value}")
    return fold(f"{name}:{value}")


def _parameter(value):
    value = str(value).replace('"', "")
    return f'"{value}"' if any(character in value for character in ":;,") else value


def text(value):
    """A TEXT value: backslash, semicolon and comma escaped, each line break written ``\\n``."""
    value = (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\n", "\\n")
    )
    return _CONTROL.sub("", value)


def unescaped_text(value):
    """A text written as it is, for properties that apps read without unescaping (``X-WR-CALNAME``, and
    ``NAME`` as the portal's files have always written it): line breaks become spaces and control
    characters are left out, so that the line stays one line; nothing else is escaped."""
    value = value.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
    return _CONTROL.sub("", value)


def texts(values):
    """A list of TEXT values, separated by commas (as in CATEGORIES)."""
    return ",".join(text(value) for value in values)


def utc_time(moment):
    """An aware datetime as a UTC DATE-TIME (seconds, no fraction): ``20091102T073000Z``."""
    moment = moment.astimezone(datetime.UTC)
    return (
        f"{moment.year:04d}{moment.month:02d}{moment.day:02d}T{moment.hour:02d}{moment.minute:02d}{moment.second:02d}Z"
    )


def local_time(moment):
    """A datetime as a local DATE-TIME, the clock time it shows (seconds, no fraction): ``20091102T093000``."""
    return (
        f"{moment.year:04d}{moment.month:02d}{moment.day:02d}T{moment.hour:02d}{moment.minute:02d}{moment.second:02d}"
    )


def duration(delta):
    """A non-negative timedelta as a DURATION: ``PT1H``, ``P1DT30M``, ``PT0S``."""
    seconds = int(delta.total_seconds())
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    clock = "".join(f"{amount}{unit}" for amount, unit in ((hours, "H"), (minutes, "M"), (seconds, "S")) if amount)
    if not days and not clock:
        return "PT0S"
    return f"P{f'{days}D' if days else ''}{f'T{clock}' if clock else ''}"


def is_utc(zone):
    """Whether ``zone`` (a ``ZoneInfo``) is UTC under one of its names: its times are written ``…Z``."""
    return getattr(zone, "key", None) in _UTC_NAMES


def _offset(delta):
    """A UTC-OFFSET value: ``+0200``, ``-0430``, ``+053328`` (seconds only when there are)."""
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}{f'{seconds:02d}' if seconds else ''}"


def _state(zone, instant):
    """(UTC offset, whether it is summer time, abbreviation) of ``zone`` at the UTC datetime ``instant``."""
    local = instant.astimezone(zone)
    return local.utcoffset(), bool(local.dst()), local.tzname() or _offset(local.utcoffset())


def zone_changes(zone, first, last):
    """[(UTC instant, offset before, offset after, abbreviation after, summer time after)]: the zone as
    it is at the start of day ``first`` (offset before = after), then each change of its offset, summer
    time or abbreviation up to day ``last``, found every ``ZONE_SCAN_STEP`` and then to the second."""
    step = ZONE_SCAN_STEP
    start = datetime.datetime.combine(first, datetime.time(), tzinfo=zone).astimezone(datetime.UTC)
    end = datetime.datetime.combine(last, datetime.time(), tzinfo=zone).astimezone(datetime.UTC)
    state = _state(zone, start)
    changes = [(start, state[0], state[0], state[2], state[1])]
    moment = start
    while moment < end:
        following = min(moment + step, end)
        new_state = _state(zone, following)
        if new_state != state:
            before, after = moment, following  # the change happens in (before, after]
            while after - before > datetime.timedelta(seconds=1):
                middle = before + (after - before) / 2
                middle = middle.replace(microsecond=0)
                if _state(zone, middle) == state:
                    before = middle
                else:
                    after = middle
            changed = _state(zone, after)
            changes.append((after, state[0], changed[0], changed[2], changed[1]))
            state = changed
            moment = after
            continue
        moment = following
    return changes


def vtimezone(zone, first, last):
    """The lines (``str``, not folded) of the VTIMEZONE of ``zone`` (a ``ZoneInfo``) from day ``first``
    to day ``last``: one STANDARD or DAYLIGHT observance per offset change, its later occurrences as
    RDATE. Each DTSTART is the local time of the change on the clock before it (section 3.6.5)."""
    observances = {}
    for instant, offset_from, offset_to, name, is_summer in zone_changes(zone, first, last):
        onset = (instant + offset_from).replace(tzinfo=None)
        observances.setdefault((offset_from, offset_to, name, is_summer), []).append(onset)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{zone.key}"]
    for (offset_from, offset_to, name, is_summer), onsets in observances.items():
        kind = "DAYLIGHT" if is_summer else "STANDARD"
        lines += [f"BEGIN:{kind}", f"DTSTART:{local_time(onsets[0])}"]
        if len(onsets) > 1:
            lines.append(f"RDATE:{','.join(local_time(onset) for onset in onsets[1:])}")
        lines += [
            f"TZNAME:{text(name)}",
            f"TZOFFSETFROM:{_offset(offset_from)}",
            f"TZOFFSETTO:{_offset(offset_to)}",
            f"END:{kind}",
        ]
    lines.append("END:VTIMEZONE")
    return lines
