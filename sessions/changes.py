"""What changed in a forum's public programme: the changelog page, its Atom feed and the booklet's version date.

Built from the history django-reversion keeps of every save (see ``versions.py``): each revision of a
session holds the session as it was and the roles in it at that moment. Walking a forum's revisions in
order, the programme *as the public saw it* is rebuilt after each one, and only differences between two
public states are listed:

- the forum's first publication is the starting point (one entry, "the programme was published"); what
  happened before, in the drafts, is never listed;
- a session published later is *added*; a public session that changes code, title, time or room, or
  gains or loses a person in a role, is *changed* (old and new public values only);
- a public session taken back to draft is *withdrawn*: it stays in the list with the code and title the
  public last saw, so that a printed booklet can be checked against it; published again, it is *back in
  the programme*, with what changed meanwhile;
- a document added to the forum, a roundtable or a public session after that point is listed too (a
  paper of several sessions names those the public saw);
- while the forum itself is back in draft nothing is listed; when it is published again, the sessions
  are compared with what the public saw last.

Limits: a session deleted outright leaves no dated trace (the history records saves, not deletions):
its entries disappear, so the committee withdraws a session by taking it back to draft. Records written
without a revision (bulk loads such as the synthetic forum) have no history to compare with: a session
whose first recorded version comes after its creation starts silently from that version. Session
background, issues and themes are not followed here. Names of rooms and people are today's.

Everything is fetched in a constant number of queries, whatever the size of the forum or its history.

Longer than 400 lines: it is one walk over the versions of a forum's records (``_Walk``), whose
steps share its state; split, the walk would be harder to follow.
"""

import dataclasses
import datetime
import json

from django.db.models import CharField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from reversion.models import Version

from core.forum_time import DATED, forum_date, when_text
from roundtables.models import Status
from sessions.documents import documents_for_forum_page
from sessions.models import Document, Participation, Person, Session
from sessions.presenters import ROLE_ORDER

PUBLISHED, ADDED, CHANGED, WITHDRAWN, REINSTATED, DOCUMENT = (
    "published",
    "added",
    "changed",
    "withdrawn",
    "reinstated",
    "document",
)
FEED_LENGTH = 50


@dataclasses.dataclass
class Detail:
    label: str
    old: str = ""
    new: str = ""
    kind: str = "changed"  # or "added", "removed"


@dataclasses.dataclass
class ProgrammeChange:
    """One entry of the changelog: something the public saw change, at ``at``."""

    at: datetime.datetime
    kind: str
    key: str  # stable and unique in the forum: the entry's anchor and its feed id
    code: str = ""
    title: str = ""
    url: str = ""  # where the public reads about it today ("" for a withdrawn session)
    details: list = dataclasses.field(default_factory=list)
    forum: object = dataclasses.field(default=None, compare=False, repr=False)  # for its word for sessions

    @property
    def heading(self):
        own = self.forum.own_name("session_name") if self.forum is not None else ""
        if own and self.kind in {ADDED, CHANGED, WITHDRAWN, REINSTATED}:  # “Working session added”
            return {
                ADDED: _("%(session)s added"),
                CHANGED: _("%(session)s changed"),
                WITHDRAWN: _("%(session)s withdrawn"),
                REINSTATED: _("%(session)s back in the programme"),
            }[self.kind] % {"session": own}
        return {
            PUBLISHED: _("The programme was published."),
            ADDED: _("Session added"),
            CHANGED: _("Session changed"),
            WITHDRAWN: _("Session withdrawn"),
            REINSTATED: _("Session back in the programme"),
            DOCUMENT: _("Document added"),
        }[self.kind]

    @property
    def summary(self):
        """One line, for a feed entry's title."""
        if self.kind == PUBLISHED:
            return self.heading
        subject = f"{self.code} {self.title}".strip() if self.kind != DOCUMENT else self.title
        if self.kind == CHANGED:
            labels = list(dict.fromkeys(detail.label for detail in self.details))
            return _("%(session)s: %(changes)s") % {"session": subject, "changes": ", ".join(labels)}
        return _("%(heading)s: %(subject)s") % {"heading": self.heading, "subject": subject}


@dataclasses.dataclass(frozen=True)
class _Snapshot:
    """A session as the public sees it (or would, once published)."""

    code: str
    title: str
    starts_at: datetime.datetime | None
    ends_at: datetime.datetime | None
    room_id: int | None
    status: str
    people: frozenset  # of (person id, role)


def _fields(format_name, data):
    """The saved field values of a version, read from its JSON (the format every programme model is registered
    with) without building model objects: a large forum has thousands of versions. None if unreadable."""
    if format_name != "json":
        return None
    try:
        fields = json.loads(data)[0]["fields"]
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return fields if isinstance(fields, dict) else None


def _moment(value):
    if value is None or isinstance(value, datetime.datetime):
        return value
    return parse_datetime(str(value))


def _versions(app_label, model):
    return Version.objects.filter(content_type__app_label=app_label, content_type__model=model)


VERSION_VALUES = ("object_id", "format", "serialized_data", "revision_id", "revision__date_created")


class _Interval:
    def __init__(self):
        self.spans = []

    def open(self, at):
        if not self.spans or self.spans[-1][1] is not None:
            self.spans.append([at, None])

    def close(self, at):
        if self.spans and self.spans[-1][1] is None:
            self.spans[-1][1] = at

    def holds(self, at):
        """Whether ``at`` falls strictly after a start (not in the revision that opened it) and before its end."""
        return any(start < at and (end is None or at < end) for start, end in self.spans)


class _Walk:
    """Rebuilds the public programme after each revision of the forum's history, collecting the changes."""

    def __init__(self, forum):
        self.forum = forum
        sessions = Session.objects.in_forum(forum).select_related("roundtable")
        self.sessions = {
            session.pk: session
            for session in sessions.only(
                "id", "number", "slug", "status", "created_at", "roundtable__number", "roundtable__slug"
            )
        }
        self.roundtables = dict(forum.roundtables.values_list("id", "number"))
        self.rooms = dict(forum.rooms.values_list("id", "name"))
        # Versions name their record by its id as text: match them with a subquery, not a list of ids.
        keys = Session.objects.in_forum(forum).annotate(key=Cast("pk", CharField())).values("key")
        session_versions = _versions("programme_sessions", "session").filter(object_id__in=keys)
        by_revision = {}  # revision id -> (date, {session id: fields})
        for object_id, format_name, data, revision_id, date in session_versions.values_list(*VERSION_VALUES):
            fields = _fields(format_name, data)
            if fields is not None:
                by_revision.setdefault(revision_id, (date, {}))[1][int(object_id)] = fields
        people = {}  # revision id -> session id -> {(person id, role)}
        role_versions = _versions("programme_sessions", "participation").filter(
            revision_id__in=session_versions.values("revision_id")
        )
        for _object_id, format_name, data, revision_id, _date in role_versions.values_list(*VERSION_VALUES):
            fields = _fields(format_name, data)
            if fields and fields.get("session") in self.sessions:
                people.setdefault(revision_id, {}).setdefault(fields["session"], set()).add(
                    (fields.get("person"), fields.get("role"))
                )
        self.people_names = {}
        wanted = {person for sessions in people.values() for roles in sessions.values() for person, _role in roles}
        if wanted:
            self.people_names = dict(Person.objects.filter(pk__in=wanted).values_list("id", "name"))
        forum_versions = _versions("roundtables", "forum").filter(object_id=str(forum.pk))
        forum_status = {}
        for _object_id, format_name, data, revision_id, date in forum_versions.values_list(*VERSION_VALUES):
            fields = _fields(format_name, data)
            if fields is not None:
                forum_status[revision_id] = (date, fields.get("status"))
        self.steps = self._steps(by_revision, people, forum_status)

    def _steps(self, by_revision, people, forum_status):
        """(date, revision id, {session id: snapshot}, forum status or None) in the order they happened."""
        steps = {}
        for revision_id, (date, sessions) in by_revision.items():
            snapshots = {
                pk: self._snapshot(fields, people.get(revision_id, {}).get(pk, ())) for pk, fields in sessions.items()
            }
            steps[revision_id] = [date, revision_id, snapshots, None]
        for revision_id, (date, status) in forum_status.items():
            steps.setdefault(revision_id, [date, revision_id, {}, None])[3] = status
        ordered = sorted(steps.values(), key=lambda step: (step[0], step[1]))
        # The forum's state before its history starts: its first recorded status (or today's, with no
        # history at all), from its creation on.
        first_status = next((step[3] for step in ordered if step[3] is not None), self.forum.status)
        first_date = next((step[0] for step in ordered if step[3] is not None), None)
        if first_date is None or self.forum.created_at < first_date:
            ordered.insert(0, [self.forum.created_at, 0, {}, first_status])
        return ordered

    def _snapshot(self, fields, roles):
        roundtable = self.roundtables.get(fields.get("roundtable"))
        number = fields.get("number")
        return _Snapshot(
            code=f"{roundtable}.{number}" if roundtable is not None else "",
            title=fields.get("title") or "",
            starts_at=_moment(fields.get("starts_at")),
            ends_at=_moment(fields.get("ends_at")),
            room_id=fields.get("room"),
            status=fields.get("status"),
            people=frozenset(roles),
        )

    def run(self):
        self.changes = []
        self.baseline_at = None
        self.forum_shown = _Interval()
        self.session_shown = {pk: _Interval() for pk in self.sessions}
        current, shown, last = {}, set(), {}
        forum_public = False
        for date, revision_id, snapshots, status in self.steps:
            first_seen = {pk for pk in snapshots if pk not in current}
            current.update(snapshots)
            was_public = forum_public
            if status is not None:
                forum_public = status == Status.PUBLISHED
            if not forum_public:
                if was_public:
                    self.forum_shown.close(date)
                continue
            if self.baseline_at is None:  # the first publication: the starting point
                self.baseline_at = date
                self.forum_shown.open(date)
                self.changes.append(ProgrammeChange(at=date, kind=PUBLISHED, key=f"published-{revision_id}"))
                for pk, snapshot in current.items():
                    if snapshot.status == Status.PUBLISHED:
                        shown.add(pk)
                        last[pk] = snapshot
                        self.session_shown[pk].open(date)
                continue
            if not was_public:
                self.forum_shown.open(date)
            for pk in current if not was_public else snapshots:
                silent = pk in first_seen and self.sessions[pk].created_at < date  # its history starts here
                self._compare(pk, current[pk], date, revision_id, shown, last, silent=silent)
        return self.changes

    def _compare(self, pk, snapshot, date, revision_id, shown, last, *, silent):
        public = snapshot if snapshot.status == Status.PUBLISHED else None
        before = last.get(pk)
        if silent:
            if public:
                shown.add(pk)
                last[pk] = public
                self.session_shown[pk].open(date)
            return
        if pk in shown and public is None:
            shown.discard(pk)
            self.session_shown[pk].close(date)
            self._add(WITHDRAWN, pk, before, date, revision_id)
        elif pk in shown:
            details = self._details(before, public)
            if details:
                last[pk] = public
                self._add(CHANGED, pk, public, date, revision_id, details)
        elif public is not None:
            shown.add(pk)
            last[pk] = public
            self.session_shown[pk].open(date)
            if before is None:
                self._add(ADDED, pk, public, date, revision_id)
            else:
                self._add(REINSTATED, pk, public, date, revision_id, self._details(before, public))

    def _add(self, kind, pk, snapshot, date, revision_id, details=()):
        session = self.sessions[pk]
        url = ""
        if kind != WITHDRAWN and session.status == Status.PUBLISHED and self.forum.is_published:
            url = reverse(
                "roundtables:session",
                kwargs={"forum": self.forum.slug, "roundtable": session.roundtable.slug, "slug": session.slug},
            )
        self.changes.append(
            ProgrammeChange(
                at=date,
                kind=kind,
                key=f"{kind}-{revision_id}-{pk}",
                code=snapshot.code,
                title=snapshot.title,
                url=url,
                details=list(details),
            )
        )

    def _room(self, pk):
        if pk is None:
            return "—"
        return self.rooms.get(pk, _("a room since removed"))

    def _details(self, old, new):
        details = []
        if old.code != new.code:
            details.append(Detail(_("Code"), old.code, new.code))
        if old.title != new.title:
            details.append(Detail(_("Title"), old.title, new.title))
        if (old.starts_at, old.ends_at) != (new.starts_at, new.ends_at):
            forum = self.forum
            details.append(
                Detail(
                    _("Time"),
                    when_text(old.starts_at, old.ends_at, forum, style=DATED),
                    when_text(new.starts_at, new.ends_at, forum, style=DATED),
                )
            )
        if old.room_id != new.room_id:
            details.append(Detail(_("Room"), self._room(old.room_id), self._room(new.room_id)))
        order = {role: index for index, role in enumerate(ROLE_ORDER)}
        for kind, people in (("removed", old.people - new.people), ("added", new.people - old.people)):
            for person, role in sorted(people, key=lambda item: (order.get(item[1], 99), str(item[0]))):
                name = self.people_names.get(person, "—")
                label = str(Participation.Role(role).label) if role in order else str(role)
                details.append(
                    Detail(label, name if kind == "removed" else "", name if kind == "added" else "", kind=kind)
                )
        return details

    def document_changes(self):
        """Documents added where the public could already see them (not with the session they belong to).

        A document of the forum or of a roundtable is listed from when the forum was public; one attached
        to sessions only, from when one of them was (it names the sessions that were).
        """
        if self.baseline_at is None:
            return []
        public = documents_for_forum_page(forum=self.forum)
        documents = list(
            public.select_related(None).prefetch_related(None).only("id", "title", "created_at", "forum_id")
        )
        first_saved = {}
        keys = public.annotate(key=Cast("pk", CharField())).values("key")
        for object_id, date in (
            _versions("programme_sessions", "document")
            .filter(object_id__in=keys)
            .values_list("object_id", "revision__date_created")
        ):
            first_saved[int(object_id)] = min(date, first_saved.get(int(object_id), date))
        places = {}  # document id -> [session id, ...], or None once it is attached to a roundtable
        for document_id, session_id in Document.sessions.through.objects.filter(
            document__in=public.values("pk")
        ).values_list("document_id", "session_id"):
            places.setdefault(document_id, []).append(session_id)
        for document_id in Document.roundtables.through.objects.filter(document__in=public.values("pk")).values_list(
            "document_id", flat=True
        ):
            places[document_id] = None
        changes = []
        for document in documents:
            at = first_saved.get(document.pk, document.created_at)
            if not self.forum_shown.holds(at):
                continue
            codes = []
            for session_id in places.get(document.pk) or []:
                shown = self.session_shown.get(session_id)
                if shown is not None and shown.holds(at):
                    session = self.sessions[session_id]
                    codes.append(f"{session.roundtable.number}.{session.number}")
            if places.get(document.pk) and not codes:
                continue
            changes.append(
                ProgrammeChange(
                    at=at,
                    kind=DOCUMENT,
                    key=f"document-{document.pk}",
                    code=", ".join(sorted(codes, key=lambda code: tuple(int(n) for n in code.split(".")))),
                    title=document.title,
                    url=document.get_absolute_url(),
                )
            )
        return changes


def forum_changes(forum):
    """The changes the public saw in ``forum``'s programme, latest first. A constant number of queries."""
    walk = _Walk(forum)
    changes = walk.run() + walk.document_changes()
    changes.sort(key=lambda change: (change.at, change.key), reverse=True)
    for change in changes:
        change.forum = forum
    return changes


def programme_as_of(forum, changes=None):
    """When the public programme of ``forum`` last changed (None when it was never published)."""
    changes = forum_changes(forum) if changes is None else changes
    return max((change.at for change in changes), default=None)


def changes_by_day(changes, zone):
    """[(date, [changes])] in ``zone``, latest day first (``changes`` latest first)."""
    days = []
    for change in changes:
        day = forum_date(change.at, zone)
        if not days or days[-1][0] != day:
            days.append((day, []))
        days[-1][1].append(change)
    return days
