"""The filters of a forum's programme page, read from its address, and its room × time grid.

``?day=2009-11-02&roundtable=2&theme=circular-migration&room=room-a`` shows the sessions of that day
*and* roundtable *and* theme *and* room; a filter given twice (``?room=room-a&room=room-b``) keeps
the sessions of either value. ``view=rooms`` lays the sessions out as a grid, rooms as columns and
start times as rows. Every choice is a plain link, so filters work without JavaScript and an address
can be shared, bookmarked and cached (the page cache keys the page on ``PARAMS``).

Values: a day is its date in the forum's time zone (ISO 8601), a roundtable its number, a theme its
slug and a room its name made into a slug (``room_keys``; rooms have no slug of their own). Only
values the programme offers are known: any other makes the page answer 404 with a message naming
it, so that made-up addresses never fill the cache with empty pages. A known combination that
matches nothing is an ordinary page saying so.

Everything here works on the sessions the page already fetched: filtering costs no query.
"""

import datetime
from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext, gettext_lazy

from core.forum_time import forum_date, forum_zone

FILTERS = ("day", "roundtable", "theme", "room")
VIEW = "view"
ROOMS_VIEW = "rooms"
PARAMS = (*FILTERS, VIEW)  # the query parameters the page reads, in the order its links write them

_NAMES = {
    "day": gettext_lazy("Day"),
    # Translators: the name of a programme filter, before its choices (links to each roundtable).
    "roundtable": gettext_lazy("Roundtable"),
    "theme": gettext_lazy("Theme"),
    "room": gettext_lazy("Room"),
    # Translators: the name of the choice between the programme as a list and as a grid of rooms and times.
    VIEW: gettext_lazy("View"),
}
_ALL = {
    "day": gettext_lazy("All days"),
    "roundtable": gettext_lazy("All roundtables"),
    "theme": gettext_lazy("All themes"),
    "room": gettext_lazy("All rooms"),
}


@dataclass
class Choice:
    value: str
    label: str
    href: str = ""  # the address with this choice (in place of any other of its filter)
    is_active: bool = False
    remove_href: str = ""  # the address without this choice


@dataclass
class Filter:
    name: str
    label: str
    choices: list
    all_href: str = ""
    all_label: str = ""

    @property
    def active(self):
        return [choice for choice in self.choices if choice.is_active]


@dataclass
class ProgrammeFilters:
    filters: list
    views: list  # the two ways of showing the programme, as choices
    sessions: list  # the sessions that match
    unknown: list = field(default_factory=list)  # (filter label, value) of the values this programme does not offer
    clear_href: str = ""

    @property
    def is_active(self):
        return any(f.active for f in self.filters)

    @property
    def is_rooms_view(self):
        return any(choice.is_active and choice.value == ROOMS_VIEW for choice in self.views)

    @property
    def active(self):
        """(filter, choice, href that removes just this choice) for each active choice."""
        return [(f, choice, choice.remove_href) for f in self.filters for choice in f.active]


def _label(name, forum):
    """The filter's name; the roundtable filter takes the forum's own word for its roundtables, if it has one."""
    return forum.group_name() if name == "roundtable" else _NAMES[name]


def _all_label(name, forum):
    if name == "roundtable" and forum.own_name("group_name_plural"):
        # Translators: the choice that removes the filter by roundtable, for a forum with its own word for them.
        return gettext("All: %(names)s") % {"names": forum.group_name_plural()}
    return _ALL[name]


def room_keys(rooms):
    """{room pk: key}: each room's name as a slug, unique within the forum (``room-a``; a second room
    whose name gives the same slug gets ``-2``; a name with no letter or digit gives ``room-<pk>``)."""
    keys = {}
    taken = set()
    for room in rooms:
        base = slugify(room.name, allow_unicode=True) or f"room-{room.pk}"
        key, n = base, 1
        while key in taken:
            n += 1
            key = f"{base}-{n}"
        taken.add(key)
        keys[room.pk] = key
    return keys


def _session_values(session, *, zone, rooms, themes):
    return {
        "day": {forum_date(session.starts_at, zone).isoformat()} if session.starts_at else set(),
        "roundtable": {str(session.roundtable.number)},
        "theme": themes.get(session.pk, set()),
        "room": {rooms[session.room_id]} if session.room_id in rooms else set(),
    }


def _wanted(query, name):
    """The values asked for ``name``, without empty ones, in the order given and without repeats."""
    return list(dict.fromkeys(value for value in query.getlist(name) if value))


def _href(path, selected):
    pairs = [(name, value) for name in PARAMS for value in selected.get(name, [])]
    return f"{path}?{urlencode(pairs)}" if pairs else path


def programme_filters(*, query, path, forum, sessions, rooms, session_themes):
    """The filters, choices and matching sessions of ``forum``'s programme page.

    ``sessions``: the page's sessions (``selectors.sessions_for_cards``); ``rooms``: the forum's rooms in
    their order; ``session_themes``: (session id, theme slug, theme name) rows; ``query``: the request's
    GET; ``path``: the page's path, for the links.
    """
    zone = forum_zone(forum)
    room_key = room_keys(rooms)
    themes_of = {}
    theme_names = {}
    for session_id, slug, name in session_themes:
        themes_of.setdefault(session_id, set()).add(slug)
        theme_names[slug] = name
    values = {session.pk: _session_values(session, zone=zone, rooms=room_key, themes=themes_of) for session in sessions}

    # What the programme offers, in the order shown.
    days = sorted({day for value in values.values() for day in value["day"]})
    numbers = sorted({session.roundtable.number for session in sessions})
    used_themes = {slug for value in values.values() for slug in value["theme"]}
    used_rooms = {key for value in values.values() for key in value["room"]}
    offered = {
        "day": [(day, capfirst(date_format(datetime.date.fromisoformat(day), gettext("l j F")))) for day in days],
        "roundtable": [(str(number), forum.group_label(number)) for number in numbers],
        "theme": sorted(((slug, theme_names[slug]) for slug in used_themes), key=lambda item: item[1].casefold()),
        "room": [(room_key[room.pk], room.name) for room in rooms if room_key[room.pk] in used_rooms],
    }

    selected = {name: _wanted(query, name) for name in PARAMS}
    known = {name: {value for value, _label in offered[name]} for name in FILTERS}
    known[VIEW] = {ROOMS_VIEW}
    unknown = [(_label(name, forum), value) for name in PARAMS for value in selected[name] if value not in known[name]]
    # Links from this page lead to addresses that work: without the unknown values.
    selected = {name: [value for value in selected[name] if value in known[name]] for name in PARAMS}

    filters = []
    for name in FILTERS:
        active = set(selected[name])
        choices = []
        for value, label in offered[name]:
            choices.append(
                Choice(
                    value=value,
                    label=label,
                    href=_href(path, {**selected, name: [value]}),
                    is_active=value in active,
                    remove_href=_href(path, {**selected, name: [v for v in selected[name] if v != value]}),
                )
            )
        filters.append(
            Filter(
                name=name,
                label=_label(name, forum),
                choices=choices,
                all_href=_href(path, {**selected, name: []}),
                all_label=_all_label(name, forum),
            )
        )

    is_rooms_view = ROOMS_VIEW in selected[VIEW]
    views = [
        Choice(
            value="list",
            # Translators: the programme shown as a list of time slots (the other choice is "Rooms and times").
            label=gettext("List"),
            href=_href(path, {**selected, VIEW: []}),
            is_active=not is_rooms_view,
        ),
        Choice(
            value=ROOMS_VIEW,
            label=gettext("Rooms and times"),
            href=_href(path, {**selected, VIEW: [ROOMS_VIEW]}),
            is_active=is_rooms_view,
        ),
    ]

    wanted = {name: set(selected[name]) for name in FILTERS if selected[name]}
    shown = [
        session
        for session in sessions
        if not unknown and all(values[session.pk][name] & chosen for name, chosen in wanted.items())
    ]
    return ProgrammeFilters(
        filters=filters,
        views=views,
        sessions=shown,
        unknown=unknown,
        clear_href=_href(path, {VIEW: selected[VIEW]}),
    )


# The room × time grid.


@dataclass
class Cell:
    sessions: list
    rowspan: int = 1


@dataclass
class Row:
    starts_at: datetime.datetime
    cells: list  # one per column, None where a cell above spans this row
    wide: list = field(default_factory=list)  # a plenary, break or reception without a room: across every column


@dataclass
class GridDay:
    date: datetime.date
    columns: list  # room names; "" for the sessions without a room
    rows: list


def _is_wide(session):
    return session.room_id is None and not getattr(session, "is_session", True)


def _lay_out(placed, starts, columns):
    """Place ``placed`` sessions in a grid of ``starts`` rows and ``columns`` (room ids): (grid, covered),
    ``covered`` naming for each place the cell above that spans over it."""
    column_of = {pk: index for index, pk in enumerate(columns)}
    row_of = {start: index for index, start in enumerate(starts)}
    grid = [[None] * len(columns) for _ in starts]
    covered = [[None] * len(columns) for _ in starts]
    for session in placed:
        row, column = row_of[session.starts_at], column_of[session.room_id]
        owner = covered[row][column] or grid[row][column]
        if owner is None:
            owner = grid[row][column] = Cell(sessions=[])
        owner.sessions.append(session)
        # The cell reaches down to the last row starting before this session ends.
        top = next(index for index in range(row, -1, -1) if grid[index][column] is owner)
        last = max(index for index, start in enumerate(starts) if index == row or start < session.ends_at)
        owner.rowspan = max(owner.rowspan, last - top + 1)
        for index in range(top + 1, top + owner.rowspan):
            covered[index][column] = owner
    return grid, covered


def room_grid(*, sessions, rooms, zone):
    """The scheduled ``sessions`` day by day as grids: one column per room used that day (in the forum's
    room order, then one for sessions without a room), one row per start time. A session's cell spans
    the rows that start before it ends; a session starting in a room while another is still running
    there joins that one's cell. A plenary, break or reception without a room gets a row across every
    column, when its row is free (else it is placed like a session without a room)."""
    order = {room.pk: index for index, room in enumerate(rooms)}
    names = {room.pk: room.name for room in rooms}
    by_day = {}
    for session in sorted((s for s in sessions if s.starts_at), key=lambda s: (s.starts_at, s.ends_at)):
        by_day.setdefault(forum_date(session.starts_at, zone), []).append(session)

    days = []
    for date, day_sessions in sorted(by_day.items()):
        starts = sorted({s.starts_at for s in day_sessions})
        row_of = {start: index for index, start in enumerate(starts)}
        wide = [s for s in day_sessions if _is_wide(s)]
        placed = [s for s in day_sessions if not _is_wide(s)]
        while True:
            columns = sorted({s.room_id for s in placed}, key=lambda pk: (pk is None, order.get(pk, 0)))
            grid, covered = _lay_out(placed, starts, columns)
            busy = [s for s in wide if any(grid[row_of[s.starts_at]]) or any(covered[row_of[s.starts_at]])]
            if not busy:
                break
            wide = [s for s in wide if s not in busy]
            placed = sorted([*placed, *busy], key=lambda s: (s.starts_at, s.ends_at))
        rows = []
        for index, start in enumerate(starts):
            across = [s for s in wide if s.starts_at == start]
            cells = [
                None if covered[index][column] is not None or across else (grid[index][column] or Cell(sessions=[]))
                for column in range(len(columns))
            ]
            rows.append(Row(starts_at=start, cells=cells, wide=across))
        days.append(GridDay(date=date, columns=[names.get(pk, "") for pk in columns], rows=rows))
    return days
