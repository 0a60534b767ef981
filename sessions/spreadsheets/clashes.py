"""The import's timetable check: a file may not book a room or a person twice at once."""

import dataclasses
import datetime

from django.utils.translation import gettext as _


@dataclasses.dataclass(frozen=True)
class _Slot:
    pk: int
    code: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    room_id: int | None
    people: frozenset


def _timetable(sessions, changed):
    """The scheduled sessions as they are, or as ``changed`` ({session id: row}) would make them."""
    slots = []
    for session in sessions:
        row = changed.get(session.pk)
        updates = row.updates if row else {}
        starts_at = updates.get("starts_at", session.starts_at)
        ends_at = updates.get("ends_at", session.ends_at)
        if starts_at is None or ends_at is None:
            continue
        room = updates["room"].pk if updates.get("room") else (None if "room" in updates else session.room_id)
        people = {participation.person_id for participation in session.all_roles}
        for added, removed in row.people.values() if row else ():
            people -= {participation.person_id for participation in removed}
            people |= {person.pk for person in added}
        slots.append(_Slot(session.pk, session.code, starts_at, ends_at, room, frozenset(people)))
    return slots


def _clashes(slots):
    """{(kind, first id, second id, room or person id)} for two overlapping sessions sharing a room or a person."""
    found = set()
    slots = sorted(slots, key=lambda slot: (slot.starts_at, slot.ends_at, slot.pk))
    for index, first in enumerate(slots):
        for second in slots[index + 1 :]:
            if second.starts_at >= first.ends_at:
                break
            pair = tuple(sorted([first.pk, second.pk]))
            if first.room_id and first.room_id == second.room_id:
                found.add(("room", *pair, first.room_id))
            found.update(("person", *pair, person) for person in first.people & second.people)
    return found


def refuse_clashes(context, rows):
    """Refuse the rows that would book a room or a person twice at once, as the session admin does.

    Only clashes the import would create count (two sessions that already overlap are the dashboard's
    business), within the forum.
    """
    changed = {row.session.pk: row for row in rows if row.outcome == "changed"}
    if not changed:
        return
    sessions = list(context.sessions.values())
    new = _clashes(_timetable(sessions, changed)) - _clashes(_timetable(sessions, {}))
    codes = {session.pk: session.code for session in sessions}
    names = {p.person_id: p.person.name for session in sessions for p in session.all_roles}
    names.update(
        {person.pk: person.name for row in changed.values() for added, _ in row.people.values() for person in added}
    )
    rooms = {room.pk: room.name for room in context.rooms}
    for kind, first, second, subject in sorted(new, key=lambda item: (item[1], item[2], item[0], item[3])):
        values = {"first": codes[first], "second": codes[second]}
        if kind == "room":
            message = _("The room “%(room)s” would be booked twice: sessions %(first)s and %(second)s overlap.")
            values["room"] = rooms.get(subject, "—")
        else:
            message = _("%(person)s would be in sessions %(first)s and %(second)s at overlapping times.")
            values["person"] = names.get(subject, "—")
        for pk in (first, second):
            if pk in changed and message % values not in changed[pk].reasons:
                changed[pk].reasons.append(message % values)
