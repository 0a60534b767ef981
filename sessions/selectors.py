"""Reads for the public session, person and document pages, and the committee's timetable checks."""

import dataclasses
import datetime

from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, F, OuterRef, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404

from core.forum_time import within_forum_days
from core.permissions import can_preview
from core.translated import CONTENT_LANGUAGES
from roundtables.models import Forum, Roundtable
from roundtables.selectors import roundtable_ids_editable_by

from . import compiled_reads
from .documents import file_choice
from .listings import sessions_for_listing
from .models import Document, DocumentFile, Issue, Participation, Person, Session
from .presenters import ROLE_ORDER


def visible_roles(user):
    """Roles in the sessions the visitor may see, newest forum first, then in programme time order."""
    return (
        Participation.objects.filter(session__in=Session.objects.visible_to(user).values("pk"))
        .select_related("session__roundtable__forum", "session__room")
        .order_by(
            "-session__roundtable__forum__starts_on",
            "session__roundtable__forum__pk",
            F("session__starts_at").asc(nulls_last=True),
            "session__roundtable__number",
            "session__number",
            "pk",
        )
    )


def _programme_order(participation):
    """The order of ``visible_roles``: newest forum first, then in programme time order (unscheduled last)."""
    session = participation.session
    forum = session.roundtable.forum
    return (
        -forum.starts_on.toordinal(),
        forum.pk,
        session.starts_at is None,
        session.starts_at or datetime.datetime.min.replace(tzinfo=datetime.UTC),
        session.roundtable.number,
        session.number,
        participation.pk,
    )


def _with_translations(*paths):
    """Each ``only()`` path of a translated text with its column in every language (``lang_attr`` reads them)."""
    return [column for path in paths for column in (path, *(f"{path}_{code}" for code in CONTENT_LANGUAGES))]


# What the person page shows of each role (the session, its roundtable, forum and room): the rest, the long
# texts in every language above all, stays in the database.
PERSON_PAGE_FIELDS = (
    "role",
    "person_id",
    "session__number",
    "session__slug",
    "session__kind",
    "session__status",
    "session__starts_at",
    "session__ends_at",
    "session__roundtable__number",
    "session__roundtable__slug",
    *(f"session__roundtable__forum__{name}" for name in ("slug", "status", "time_zone", "starts_on", "ends_on")),
    *_with_translations("session__title", "session__room__name", "session__roundtable__forum__name"),
)


def person_for_page(*, slug, user=None):
    """A person with their organisation and their roles in sessions the visitor may see
    (``public_participations``); 404 when they have none. Two queries, their SQL compiled once per process
    (``compiled_reads``)."""
    found = compiled_reads.read(
        "person", lambda slug: Person.objects.select_related("organisation").filter(slug=slug), user=user, slug=slug
    )  # the slug is unique: one row at most
    if not found:
        raise Http404("No person matches the given query.")
    person = found[0]
    # Read directly rather than through prefetch_related, which builds its queryset at a greater cost.
    # In visible_roles' order, sorted here: a person has a few dozen roles at most, and the six-term ORDER BY
    # costs more to build than the sort.
    roles = compiled_reads.read(
        "person roles",
        lambda person: (
            visible_roles(user).filter(person=person).only(*PERSON_PAGE_FIELDS).order_by()
        ),  # not the long texts
        user=user,
        person=person.pk,
    )
    person.public_participations = sorted(roles, key=_programme_order)
    if not person.public_participations and not can_preview(user):
        raise Http404("No public role.")
    return person


@dataclasses.dataclass
class SessionRoles:
    """One session of a person's page with the roles they hold in it, in role order."""

    session: Session
    roles: list  # Participation.Role values, chair first

    @property
    def role_names(self):
        return [Participation.Role(role).label for role in self.roles]


def sessions_by_forum(participations):
    """A person's ``participations`` (ordered as ``person_for_page`` fetches them) as
    [(forum, [SessionRoles])]: forums newest first, a session once with all its roles."""
    forums = {}
    for participation in participations:
        session = participation.session
        sessions = forums.setdefault(session.roundtable.forum_id, (session.roundtable.forum, {}))[1]
        sessions.setdefault(session.pk, SessionRoles(session=session, roles=[])).roles.append(participation.role)
    grouped = []
    for forum, sessions in forums.values():
        for item in sessions.values():
            item.roles.sort(key=ROLE_ORDER.index)  # chair first, as the session page orders them
        grouped.append((forum, list(sessions.values())))
    return grouped


def document_file_for_download(*, pk, language=None, user=None):
    """The file of a document the visitor may see (``documents_for_public_pages``): the one in ``language``
    when it is given (404 when the document has none in it), else the one a reader of the page's language
    gets (see ``sessions.documents.file_choice``). One query."""
    visible = Document.objects.visible_to(user).select_related("forum").filter(pk=pk).values("pk")
    files = list(DocumentFile.objects.filter(document__in=visible))
    if language is None:
        chosen = file_choice(files, None)
    else:
        chosen = next((file for file in files if file.language == language), None)
    if chosen is None:
        raise Http404("No such document, or not in this language.")
    return chosen


def sessions_for_calendar(*, forum=None, user=None):
    """Scheduled sessions with all their iCalendar event shows: room, people by role, themes, issues."""
    return (
        sessions_for_listing(forum=forum, user=user, with_organisations=True)
        .filter(starts_at__isnull=False)
        .prefetch_related(
            Prefetch(
                "issues",
                queryset=Issue.objects.filter(parent__isnull=True).prefetch_related(
                    Prefetch("points", queryset=Issue.objects.order_by("position", "id"))
                ),
                to_attr="top_issues",
            )
        )
        .order_by("starts_at", "roundtable__number", "number")
    )


def sessions_for_calendar_file(*, forum=None, user=None):
    """The scheduled sessions a calendar file lists, in time order: a queryset for a view to filter further.
    Nothing is joined or prefetched: the file reads what its events show as values (``calendar.calendar_events``)."""
    sessions = Session.objects.visible_to(user).filter(starts_at__isnull=False)
    if forum is not None:
        sessions = sessions.in_forum(forum)
    return sessions.order_by("starts_at", "roundtable__number", "number")


def sessions_for_agenda(*, ids, user=None):
    """The sessions of a delegate's agenda that the visitor may see, in time order (unscheduled last)."""
    return (
        sessions_for_listing(user=user)
        .filter(pk__in=ids, kind=Session.Kind.SESSION)
        .order_by(F("starts_at").asc(nulls_last=True), "ends_at", "roundtable__number", "number")
    )


def session_for_agenda(*, pk, user=None):
    """A session the visitor may star (not a plenary, break or reception); 404 when there is none they may see."""
    return get_object_or_404(Session.objects.visible_to(user).filter(kind=Session.Kind.SESSION).only("pk"), pk=pk)


def sessions_for_clash_check(*, ids, user=None):
    """The scheduled sessions among ``ids`` that the visitor may see, with what a clash warning shows
    (code, title, address), as a list: one query."""
    return list(
        Session.objects.visible_to(user)
        .filter(pk__in=ids, starts_at__isnull=False)
        .select_related("roundtable__forum")
        .only(
            "id",
            "number",
            "title",
            "slug",
            "starts_at",
            "ends_at",
            "roundtable__number",
            "roundtable__slug",
            "roundtable__forum__slug",
        )
    )


# The committee's timetable checks and to-do list ----------------------------------------------


@dataclasses.dataclass(frozen=True)
class Clash:
    """Two sessions at overlapping times that share a room or a person."""

    kind: str  # "room" or "person"
    first: Session
    second: Session
    subject: object  # the Room or the Person they share


def _pks(items):
    return [item for item in items if item]


def room_clashes(*, room, starts_at, ends_at, exclude=()):
    """Other sessions booked in ``room`` at a time overlapping [starts_at, ends_at) (touching is fine)."""
    if room is None or starts_at is None or ends_at is None:
        return []
    return list(
        Session.objects.filter(room=room, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .exclude(pk__in=_pks(exclude))
        .select_related("roundtable__forum", "room")
        .order_by("starts_at", "roundtable__number", "number")
    )


def person_clashes(*, people, starts_at, ends_at, exclude=()):
    """Roles of ``people`` in other sessions at a time overlapping [starts_at, ends_at)."""
    people = _pks(people)
    if not people or starts_at is None or ends_at is None:
        return []
    return list(
        Participation.objects.filter(person__in=people, session__starts_at__lt=ends_at, session__ends_at__gt=starts_at)
        .exclude(session__in=_pks(exclude))
        .select_related("person", "session__roundtable__forum")
        .order_by("session__starts_at", "person__name", "pk")
    )


def _people(session):
    if session.pk is None:
        return {}
    return {participation.person_id: participation.person for participation in session.participations.all()}


def clashes_among(sessions):
    """Room and person clashes between any two of ``sessions``.

    Works on sessions in memory (participations prefetched with their people), so that a form can
    check the timetable it is about to save.
    """
    scheduled = sorted((s for s in sessions if s.starts_at and s.ends_at), key=lambda s: (s.starts_at, s.ends_at))
    people = {id(session): _people(session) for session in scheduled}
    clashes = []
    for index, first in enumerate(scheduled):
        for second in scheduled[index + 1 :]:
            if second.starts_at >= first.ends_at:
                break
            if first.room_id and first.room_id == second.room_id:
                clashes.append(Clash("room", first, second, first.room))
            for person_id in sorted(people[id(first)].keys() & people[id(second)].keys()):
                clashes.append(Clash("person", first, second, people[id(first)][person_id]))
    return clashes


@dataclasses.dataclass
class ForumToDo:
    """What a forum's programme still misses, for the committee's dashboard."""

    forum: Forum
    without_time: list
    without_room: list
    without_chair: list
    without_rapporteur: list
    roundtables_without_background: list
    clashes: list
    without_background: list = dataclasses.field(default_factory=list)
    without_documents: list = dataclasses.field(default_factory=list)  # none of their own nor of their roundtable
    outside_forum: list = dataclasses.field(default_factory=list)  # times outside the forum's days (its time zone)
    is_published_without_sessions: bool = False  # an empty programme, calendar and booklet for delegates

    @property
    def count(self):
        return (
            len(self.without_time)
            + len(self.without_room)
            + len(self.without_chair)
            + len(self.without_rapporteur)
            + len(self.roundtables_without_background)
            + len(self.clashes)
            + len(self.without_background)
            + len(self.without_documents)
            + len(self.outside_forum)
            + int(self.is_published_without_sessions)
        )


def session_outside_forum(session, forum):
    """Whether the session's times fall outside the forum's days, in its time zone (as Session.clean checks)."""
    if session.starts_at is None or session.ends_at is None:
        return False
    return not within_forum_days(session.starts_at, session.ends_at, forum)


def forums_for_dashboard(*, forum=None):
    """Every forum (or just ``forum``), latest first, with what its programme still misses. Four queries.

    (French and Spanish texts are not flagged: sessions have no translated texts yet.)"""
    forums = Forum.objects.order_by("-starts_on", "name")
    if forum is not None:
        forums = forums.filter(pk=forum.pk)
    forums = list(forums)
    role = Participation.objects.filter(session=OuterRef("pk"))
    sessions = (
        Session.objects.filter(roundtable__forum__in=forums)
        .select_related("roundtable__forum", "room")
        .annotate(
            has_chair=Exists(role.filter(role=Participation.Role.CHAIR)),
            has_rapporteur=Exists(role.filter(role=Participation.Role.RAPPORTEUR)),
            has_document=Exists(Session.documents.through.objects.filter(session_id=OuterRef("pk")))
            | Exists(Roundtable.documents.through.objects.filter(roundtable_id=OuterRef("roundtable_id"))),
        )
        .prefetch_related(
            Prefetch("participations", queryset=Participation.objects.select_related("person").order_by("pk"))
        )
        .order_by("roundtable__number", "number")
    )
    by_forum = {item.pk: [] for item in forums}
    for session in sessions:
        by_forum[session.roundtable.forum_id].append(session)
    bare = {item.pk: [] for item in forums}
    for roundtable in Roundtable.objects.filter(forum__in=forums).order_by("number"):
        if not roundtable.background.strip():
            bare[roundtable.forum_id].append(roundtable)
    return [
        ForumToDo(
            forum=item,
            without_time=[s for s in by_forum[item.pk] if s.starts_at is None],
            without_room=[s for s in by_forum[item.pk] if s.room_id is None],
            without_chair=[s for s in by_forum[item.pk] if not s.has_chair],
            without_rapporteur=[s for s in by_forum[item.pk] if not s.has_rapporteur],
            roundtables_without_background=bare[item.pk],
            clashes=clashes_among(by_forum[item.pk]),
            without_background=[s for s in by_forum[item.pk] if not s.background.strip()],
            without_documents=[s for s in by_forum[item.pk] if not s.has_document],
            outside_forum=[s for s in by_forum[item.pk] if session_outside_forum(s, item)],
            is_published_without_sessions=item.is_published and not by_forum[item.pk],
        )
        for item in forums
    ]


def person_editable_by(user, person):
    """Whether ``user`` may change ``person``: the committee always; a coordinator when every role of
    the person is in a roundtable they coordinate and the person has a role there or was added by them."""
    scope = roundtable_ids_editable_by(user)
    if scope is None:
        return True
    roundtables = set(Participation.objects.filter(person=person).values_list("session__roundtable_id", flat=True))
    if roundtables:
        return roundtables <= scope
    return LogEntry.objects.filter(
        user_id=user.pk,
        content_type=ContentType.objects.get_for_model(Person),
        object_id=str(person.pk),
        action_flag=ADDITION,
    ).exists()
