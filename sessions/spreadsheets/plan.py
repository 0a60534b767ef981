"""Planning an import: what each row of a file would change in the forum's sessions, or why it is refused.

``import_plan`` compares each row with the forum's session of the same code and tells what would change,
or why the row is refused, without writing anything (a constant number of queries). Only the sessions'
title, time, room, chair, rapporteur, themes and status are changed. The roundtable and zone columns are
checked (a session changes roundtable in the admin; times are always read in the forum's zone).
"""

import dataclasses
import hashlib
import json

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from core.forum_time import DATED, when_text
from roundtables.models import Status, Theme
from roundtables.selectors import roundtable_ids_editable_by

from ..models import Participation, Person, Session
from .cells import cell_names, cell_text, parse_code, parse_status, parse_times
from .clashes import refuse_clashes
from .columns import PEOPLE_COLUMNS, names_cell


@dataclasses.dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclasses.dataclass
class RowResult:
    """What one row of the file does: changes a session, leaves it as it is, or is refused (``reasons``)."""

    number: int  # the row's number in the file, as a spreadsheet program shows it
    code: str
    session: Session | None = None
    changes: list = dataclasses.field(default_factory=list)
    reasons: list = dataclasses.field(default_factory=list)
    updates: dict = dataclasses.field(default_factory=dict)  # field name -> new value
    themes: list | None = None  # the new themes, when they change
    people: dict = dataclasses.field(default_factory=dict)  # role -> (people to add, participations to remove)

    @property
    def outcome(self):
        if self.reasons:
            return "refused"
        return "changed" if self.changes else "unchanged"

    @property
    def reason(self):
        return " ".join(self.reasons)


@dataclasses.dataclass
class ImportPlan:
    forum: object
    rows: list

    @property
    def refused(self):
        return [row for row in self.rows if row.outcome == "refused"]

    @property
    def changed(self):
        return [row for row in self.rows if row.outcome == "changed"]

    @property
    def unchanged(self):
        return [row for row in self.rows if row.outcome == "unchanged"]

    @property
    def can_apply(self):
        return bool(self.changed) and not self.refused

    @property
    def digest(self):
        """A fingerprint of what the plan would write, and of the values it would write over."""
        summary = [
            [row.number, row.code, row.outcome, [[c.label, c.old, c.new] for c in row.changes], row.reasons]
            for row in self.rows
        ]
        return hashlib.sha256(json.dumps(summary, sort_keys=True).encode()).hexdigest()


class _Context:
    """What the rows are checked against, fetched once for the whole file."""

    def __init__(self, *, forum, rows, user, lock):
        sessions = Session.objects.in_forum(forum).select_related("roundtable__forum", "room")
        if lock:
            sessions = sessions.select_for_update(of=("self",))
        sessions = sessions.prefetch_related(
            "themes",
            Prefetch(
                "participations",
                queryset=Participation.objects.select_related("person").order_by("position", "id"),
                to_attr="all_roles",
            ),
        )
        self.forum = forum
        self.sessions = {(s.roundtable.number, s.number): s for s in sessions}
        self.rooms = list(forum.rooms.all())
        people_names = {
            name for _number, cells in rows for column in PEOPLE_COLUMNS for name in cell_names(cells.get(column))
        }
        self.people = {}
        for person in Person.objects.filter(name__in=people_names).order_by("pk"):
            self.people.setdefault(person.name, []).append(person)
        self.themes = {theme.name.casefold(): theme for theme in Theme.objects.all()}  # a few dozen at most
        self.scope = roundtable_ids_editable_by(user)
        self.may_change_people = user.has_perms(
            ["programme_sessions.add_participation", "programme_sessions.delete_participation"]
        )

    def room(self, name):
        exact = [room for room in self.rooms if room.name == name]
        if exact:
            return exact[0]
        folded = [room for room in self.rooms if room.name.casefold() == name.casefold()]
        if len(folded) == 1:
            return folded[0]
        raise ValueError(
            _("The forum has no room “%(name)s” (its rooms: %(rooms)s).")
            % {"name": name, "rooms": ", ".join(room.name for room in self.rooms) or "—"}
        )

    def person(self, name, holders):
        people = self.people.get(name, [])
        if len(people) == 1:
            return people[0]
        if not people:
            raise ValueError(
                _("Nobody called “%(name)s” is in the programme: add the person in the admin first.") % {"name": name}
            )
        current = [person for person in people if person.pk in holders]
        if len(current) == 1:
            return current[0]
        raise ValueError(
            _("Several people are called “%(name)s”: set this role in the admin, where they can be told apart.")
            % {"name": name}
        )


def _plan_row(context, number, cells, seen):
    forum = context.forum
    row = RowResult(number=number, code=cell_text(cells.get("code")))
    try:
        key = parse_code(cells.get("code"))
    except ValueError as error:
        row.reasons.append(str(error) if row.code else _("The row has no session code."))
        return row
    row.code = f"{key[0]}.{key[1]}"
    if key in seen:
        row.reasons.append(_("Session %(code)s is already in row %(row)d.") % {"code": row.code, "row": seen[key]})
        return row
    seen[key] = number
    session = context.sessions.get(key)
    if session is None:
        row.reasons.append(
            _("This forum has no session %(code)s: the import changes existing sessions; add new ones in the admin.")
            % {"code": row.code}
        )
        return row
    row.session = session

    roundtable = cell_text(cells.get("roundtable"))
    if roundtable and roundtable not in {session.roundtable.title, str(session.roundtable.number)}:
        row.reasons.append(
            _("The roundtable column says “%(value)s”, but session %(code)s belongs to “%(roundtable)s”.")
            % {"value": roundtable, "code": row.code, "roundtable": session.roundtable.title}
        )
    zone_name = cell_text(cells.get("zone"))
    if zone_name and zone_name != forum.time_zone:
        row.reasons.append(
            _("Times are read in the forum's time zone, %(zone)s, not in %(other)s.")
            % {"zone": forum.time_zone, "other": zone_name}
        )

    if "title" in cells:
        title = " ".join(cell_text(cells["title"]).split())
        max_length = Session._meta.get_field("title").max_length
        if not title:
            row.reasons.append(_("A session needs a title."))
        elif len(title) > max_length:
            row.reasons.append(_("The title is longer than %(count)d characters.") % {"count": max_length})
        elif title != session.title:
            row.updates["title"] = title
            row.changes.append(FieldChange(_("Title"), session.title, title))

    time_columns = [column for column in ("day", "start", "end") if column in cells]
    if time_columns:
        try:
            starts_at, ends_at = parse_times(cells, time_columns, forum)
        except ValueError as error:
            row.reasons.append(str(error))
        else:
            if (starts_at, ends_at) != (session.starts_at, session.ends_at):
                row.updates.update(starts_at=starts_at, ends_at=ends_at)
                row.changes.append(
                    FieldChange(
                        _("When"),
                        when_text(session.starts_at, session.ends_at, forum, style=DATED),
                        when_text(starts_at, ends_at, forum, style=DATED),
                    )
                )

    if "room" in cells:
        name = cell_text(cells["room"])
        try:
            room = context.room(name) if name else None
        except ValueError as error:
            row.reasons.append(str(error))
        else:
            if (room.pk if room else None) != session.room_id:
                row.updates["room"] = room
                row.changes.append(
                    FieldChange(_("Room"), session.room.name if session.room else "—", room.name if room else "—")
                )

    for column, role in PEOPLE_COLUMNS.items():
        if column in cells:
            _plan_people(context, row, session, column, role, cell_names(cells[column]))

    if "themes" in cells:
        themes, missing = [], []
        for name in cell_names(cells["themes"]):
            theme = context.themes.get(name.casefold())
            if theme is None:
                missing.append(name)
            else:
                themes.append(theme)
        if missing:
            row.reasons.append(_("No cross-cutting theme is called “%(name)s”.") % {"name": missing[0]})
        else:
            current = list(session.themes.all())
            if {theme.pk for theme in themes} != {theme.pk for theme in current}:
                row.themes = themes
                row.changes.append(
                    FieldChange(
                        _("Cross-cutting themes"),
                        names_cell(sorted(theme.name for theme in current)) or "—",
                        names_cell(sorted(theme.name for theme in themes)) or "—",
                    )
                )

    if "status" in cells:
        try:
            status = parse_status(cells["status"])
        except ValueError as error:
            row.reasons.append(str(error))
        else:
            if status != session.status:
                row.updates["status"] = status
                row.changes.append(
                    FieldChange(_("Status"), str(Status(session.status).label), str(Status(status).label))
                )

    if row.changes and not row.reasons:
        _check_scope_and_rules(context, row, session)
    return row


def _plan_people(context, row, session, column, role, names):
    holders = [participation for participation in session.all_roles if participation.role == role]
    try:
        wanted = [context.person(name, {p.person_id for p in holders}) for name in names]
    except ValueError as error:
        row.reasons.append(str(error))
        return
    wanted_ids = {person.pk for person in wanted}
    current_ids = {participation.person_id for participation in holders}
    if wanted_ids == current_ids:
        return
    added = [person for person in dict.fromkeys(wanted) if person.pk not in current_ids]
    removed = [participation for participation in holders if participation.person_id not in wanted_ids]
    row.people[role] = (added, removed)
    label = str(Participation.Role(role).label)
    row.changes.append(
        FieldChange(
            label,
            names_cell(p.person.name for p in holders) or "—",
            names_cell(p.name for p in dict.fromkeys(wanted)) or "—",
        )
    )


def _check_scope_and_rules(context, row, session):
    if context.scope is not None and session.roundtable_id not in context.scope:
        row.reasons.append(
            _("Session %(code)s belongs to roundtable %(number)d, which you do not coordinate.")
            % {"code": row.code, "number": session.roundtable.number}
        )
        return
    if row.people and not context.may_change_people:
        row.reasons.append(_("You may not change who holds a role in a session."))
        return
    changed = Session(**{field.attname: getattr(session, field.attname) for field in Session._meta.concrete_fields})
    changed.roundtable = session.roundtable
    changed.room = session.room
    for name, value in row.updates.items():
        setattr(changed, name, value)
    try:
        # The room is one of the forum's, fetched above: checking that it exists would cost a query per row.
        changed.clean_fields(
            exclude=[f.name for f in Session._meta.fields if f.name not in row.updates or f.name == "room"]
        )
        changed.clean()
    except ValidationError as error:
        row.reasons.extend(message for messages in error.message_dict.values() for message in messages)


def import_plan(*, forum, rows, user, lock=False):
    """What importing ``rows`` (from ``spreadsheet_read``) into ``forum`` would do, row by row. Writes nothing."""
    context = _Context(forum=forum, rows=rows, user=user, lock=lock)
    seen = {}
    planned = [_plan_row(context, number, cells, seen) for number, cells in rows]
    refuse_clashes(context, planned)
    return ImportPlan(forum=forum, rows=planned)
