"""The cells of an imported row read as the values they stand for: a session code, a day, a time (in the
forum's time zone), a status, a list of names. Each raises ValueError with a message for the committee."""

import datetime
import re

from django.utils.translation import gettext as _

from core.forum_time import forum_datetime
from roundtables.models import Status

CODE_PATTERN = re.compile(r"^(\d+)\.(\d+)$")
TIME_PATTERN = re.compile(r"^(\d{1,2})[:.h](\d{2})(?::(\d{2}))?$")


def cell_text(cell):
    """A cell as text (numbers as written, dates in ISO form)."""
    if cell is None:
        return ""
    if isinstance(cell, dict):
        return next(iter(cell.values()))
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def cell_names(cell):
    """The names in a cell, separated by “;” or line breaks."""
    return [part.strip() for part in re.split(r"[;\n]", cell_text(cell)) if part.strip()]


def parse_code(cell):
    if isinstance(cell, int | float):
        raise ValueError(
            _(
                "The code %(code)s was read as a number, which cannot tell 1.1 from 1.10: "
                "format the code column as text."
            )
            % {"code": cell_text(cell)}
        )
    match = CODE_PATTERN.match(cell_text(cell))
    if not match:
        raise ValueError(_("“%(code)s” is not a session code such as 1.2.") % {"code": cell_text(cell)})
    return int(match[1]), int(match[2])


def parse_day(cell):
    if isinstance(cell, dict) and ("date" in cell or "datetime" in cell):
        return datetime.date.fromisoformat(cell.get("date") or cell["datetime"][:10])
    try:
        return datetime.date.fromisoformat(cell_text(cell))
    except ValueError:
        raise ValueError(
            _("The day “%(value)s” is not a date: write it as YYYY-MM-DD, e.g. 2009-11-02.")
            % {"value": cell_text(cell)}
        ) from None


def parse_time(cell, column):
    if isinstance(cell, dict) and "time" in cell:
        return datetime.time.fromisoformat(cell["time"])
    if isinstance(cell, dict) and "datetime" in cell:
        return datetime.datetime.fromisoformat(cell["datetime"]).time()
    match = TIME_PATTERN.match(cell_text(cell))
    if match:
        hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
        if hour < 24 and minute < 60 and second < 60:
            return datetime.time(hour, minute, second)
    raise ValueError(
        _("The %(column)s time “%(value)s” is not a time: write it as HH:MM, e.g. 09:30.")
        % {"column": column, "value": cell_text(cell)}
    )


def parse_status(cell):
    text = cell_text(cell).casefold()
    for value, label in Status.choices:
        if text in {value, str(label).casefold()}:
            return value
    raise ValueError(
        _("The status “%(value)s” is neither “%(published)s” nor “%(draft)s”.")
        % {"value": cell_text(cell), "published": Status.PUBLISHED, "draft": Status.DRAFT}
    )


def parse_times(cells, columns, forum):
    """(starts_at, ends_at) from the day, start and end ``columns`` of a row, read in the forum's zone:
    (None, None) when all three are empty. Raises ValueError with the committee's message."""
    values = {column: cells.get(column) for column in ("day", "start", "end")}
    if len(columns) < 3:
        raise ValueError(_("Give the day, start and end columns together."))
    given = [column for column in ("day", "start", "end") if values[column] is not None]
    if not given:
        return None, None
    if len(given) < 3:
        raise ValueError(
            _("Give the day, the start and the end, or leave all three empty for a session not scheduled yet.")
        )
    day = parse_day(values["day"])
    starts_at = forum_datetime(day, parse_time(values["start"], "start"), forum)
    ends_at = forum_datetime(day, parse_time(values["end"], "end"), forum)
    if ends_at <= starts_at:
        raise ValueError(_("The session must end after it starts."))
    return starts_at, ends_at
