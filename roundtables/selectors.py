"""Reads for the public pages: querysets with their relations already fetched, so templates never query."""

import itertools

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    prefetch_related_objects,
)
from django.shortcuts import get_object_or_404

from sessions.models import Document, Issue, Participation, Person, Session

from .models import NAMING_FIELDS, Forum, Roundtable, Status, Theme
from .services import ORGANISING_COMMITTEE


def can_preview(user):
    """Staff see drafts exactly as delegates will once they are published."""
    return bool(user and user.is_authenticated and user.is_staff)


def forums_for_public_pages(user=None):
    forums = Forum.objects.all()
    return forums if can_preview(user) else forums.published()


def forum_for_page(*, slug, user=None):
    return get_object_or_404(forums_for_public_pages(user), slug=slug)


def forum_current(user=None):
    """The forum ``/`` leads to: the latest published edition with a roundtable programme, or else
    the latest published one (staff: drafts count too)."""
    has_programme = Exists(Roundtable.objects.filter(forum=OuterRef("pk")))
    return (
        forums_for_public_pages(user)
        .annotate(has_programme=has_programme)
        .order_by("-has_programme", "-starts_on")
        .first()
    )


def sessions_for_public_pages(user=None):
    sessions = Session.objects.all()
    if not can_preview(user):
        sessions = sessions.published()
    return sessions


def people_for_public_pages(user=None):
    """People with a role in a session the visitor may see (staff: everyone)."""
    people = Person.objects.all()
    if can_preview(user):
        return people
    roles = Participation.objects.filter(person=OuterRef("pk"), session__in=sessions_for_public_pages().values("pk"))
    return people.filter(Exists(roles))


def sessions_for_listing(*, forum=None, user=None, with_organisations=False):
    """Sessions with what a programme listing shows: roundtable, room, people, themes."""
    sessions = sessions_for_public_pages(user).select_related("roundtable__forum", "room")
    if forum is not None:
        sessions = sessions.filter(roundtable__forum=forum)
    people = "person__organisation" if with_organisations else "person"
    return sessions.prefetch_related(
        Prefetch(
            "participations",
            queryset=Participation.objects.select_related(people).order_by("position", "id"),
        ),
        "themes",
    )


def sessions_for_cards(*, user=None, forum=None, roundtable=None, theme=None, ordering=None):
    """The sessions to show as cards (``{% session_card %}``), as a list, each with ``people``:
    its (name, role) pairs in order.

    Only what a card shows is fetched: long texts stay in the database and people come as plain
    values, so a 300-session programme costs two queries and few objects.
    """
    sessions = sessions_for_public_pages(user).select_related("roundtable__forum", "room")
    if forum is not None:
        sessions = sessions.filter(roundtable__forum=forum)
    if roundtable is not None:
        sessions = sessions.filter(roundtable=roundtable)
    if theme is not None:
        sessions = sessions.filter(themes=theme)
    if ordering:
        sessions = sessions.order_by(*ordering)
    sessions = sessions.only(
        "id",
        "number",
        "title",
        "slug",
        "kind",
        "starts_at",
        "ends_at",
        "status",
        "room__name",
        "room__position",
        "roundtable__number",
        "roundtable__slug",
        "roundtable__forum__slug",
        "roundtable__forum__name",
        "roundtable__forum__time_zone",
        "roundtable__forum__starts_on",
        *(f"roundtable__forum__{name}" for name in NAMING_FIELDS),  # the forum's own words for its roundtables
    )
    people = {}
    rows = (
        Participation.objects.filter(session__in=sessions.values("pk"))
        .order_by("session_id", "position", "id")
        .values_list("session_id", "person__name", "role")
    )
    for session_id, name, role in rows:
        people.setdefault(session_id, []).append((name, role))
    sessions = list(sessions)
    for session in sessions:
        session.people = people.get(session.pk, [])
    return sessions


def roundtables_for_forum_page(*, forum, user=None):
    """The forum's roundtables with ``session_total`` (the sessions the visitor sees, not counting plenaries,
    breaks and receptions) and ``scheduled_total`` (every item of theirs with a time), which also tell
    whether the forum has a programme to download."""
    visible = Q(sessions__status=Status.PUBLISHED) if not can_preview(user) else Q(sessions__isnull=False)
    return forum.roundtables.annotate(
        session_total=Count("sessions", filter=visible & Q(sessions__kind="session")),
        scheduled_total=Count("sessions", filter=visible & Q(sessions__starts_at__isnull=False)),
    ).order_by("number")


def forum_has_programme(*, forum, user=None):
    """Whether the visitor sees at least one session of ``forum``: else it offers no programme file."""
    return sessions_for_public_pages(user).filter(roundtable__forum=forum).exists()


def roundtable_for_page(*, forum, slug, user=None):
    roundtable = get_object_or_404(Roundtable.objects.select_related("forum"), forum=forum, slug=slug)
    roundtable.public_sessions = sessions_for_cards(user=user, roundtable=roundtable)
    roundtable.public_documents = list(documents_for_roundtable(roundtable=roundtable, user=user))
    return roundtable


def session_for_page(*, forum, roundtable_slug, slug, user=None):
    sessions = sessions_for_listing(forum=forum, user=user, with_organisations=True).prefetch_related(
        Prefetch(
            "issues",
            queryset=Issue.objects.filter(parent__isnull=True).prefetch_related(
                Prefetch("points", queryset=Issue.objects.order_by("position", "id"))
            ),
            to_attr="top_issues",
        ),
    )
    session = get_object_or_404(sessions, roundtable__slug=roundtable_slug, slug=slug)
    session_documents(sessions=[session], user=user)
    return session


def session_neighbours(*, session, user=None):
    """The sessions just before and after ``session`` in its forum's programme order (roundtable
    number, then session number): two one-row queries, whatever the size of the programme."""
    number, roundtable_number = session.number, session.roundtable.number
    before = Q(roundtable__number__lt=roundtable_number) | Q(roundtable__number=roundtable_number, number__lt=number)
    after = Q(roundtable__number__gt=roundtable_number) | Q(roundtable__number=roundtable_number, number__gt=number)
    candidates = (
        sessions_for_public_pages(user)
        .filter(roundtable__forum_id=session.roundtable.forum_id)
        .select_related("roundtable__forum")
        .only("id", "number", "title", "slug", "roundtable__number", "roundtable__slug", "roundtable__forum__slug")
    )
    previous = candidates.filter(before).order_by("-roundtable__number", "-number").first()
    following = candidates.filter(after).order_by("roundtable__number", "number").first()
    return previous, following


def _document_is_public():
    """The one rule of what documents the public sees: those of published forums, except a document
    attached only to sessions that are all drafts (attached to a roundtable, or to nothing but its
    forum, it is public with its forum)."""
    published = Status.PUBLISHED
    session_links = Document.sessions.through.objects.filter(document=OuterRef("pk"))
    return Q(forum__status=published) & (
        Exists(Document.roundtables.through.objects.filter(document=OuterRef("pk")))
        | Exists(session_links.filter(session__status=published, session__roundtable__forum__status=published))
        | ~Exists(session_links)
    )


def documents_for_public_pages(user=None):
    """The documents the visitor may see, each with ``is_public`` (staff see all documents, drafts' too).

    Every page, list, search, export and download of documents reads them through this function."""
    documents = Document.objects.select_related("forum").annotate(
        is_public=ExpressionWrapper(_document_is_public(), output_field=BooleanField())
    )
    return documents if can_preview(user) else documents.filter(is_public=True)


def _document_places(user):
    """Prefetches of a document's sessions (those the visitor may see) and roundtables, for links to them."""
    return (
        Prefetch(
            "sessions",
            queryset=sessions_for_public_pages(user)
            .select_related("roundtable__forum")
            .order_by("roundtable__number", "number"),
        ),
        Prefetch("roundtables", queryset=Roundtable.objects.select_related("forum").order_by("number")),
    )


def documents_for_forum_page(*, forum, user=None):
    """All the forum's documents the visitor may see, by kind, with their files and places (four queries)."""
    return (
        documents_for_public_pages(user)
        .filter(forum=forum)
        .prefetch_related("files", *_document_places(user))
        .by_kind()
    )


def documents_for_forum_home(*, forum, user=None):
    """The documents of the whole forum (attached to no session or roundtable), with their files."""
    return (
        documents_for_public_pages(user)
        .filter(forum=forum, sessions=None, roundtables=None)
        .prefetch_related("files")
        .by_kind()
    )


def documents_for_roundtable(*, roundtable, user=None):
    return documents_for_public_pages(user).filter(roundtables=roundtable).prefetch_related("files").by_kind()


def session_documents(*, sessions, user=None):
    """Give each of ``sessions`` the documents the visitor may see: ``own_documents`` (attached to it),
    ``roundtable_documents`` (attached to its roundtable, leaving out those already among its own), and
    ``documents_shown``, both together as (document, for_roundtable) pairs. Each document has its files.

    Three queries whatever the number of sessions: the links to the sessions, the links to their
    roundtables (each with its document), and the documents' files.
    """
    sessions = list(sessions)
    visible = documents_for_public_pages(user).values("pk")
    own_links = (
        Document.sessions.through.objects.filter(session__in=[s.pk for s in sessions], document__in=visible)
        .select_related("document")
        .order_by("pk")
    )
    shared_links = (
        Document.roundtables.through.objects.filter(
            roundtable__in={s.roundtable_id for s in sessions}, document__in=visible
        )
        .select_related("document")
        .order_by("pk")
    )
    own, shared, documents = {}, {}, {}
    for link in own_links:
        document = documents.setdefault(link.document_id, link.document)
        own.setdefault(link.session_id, []).append(document)
    for link in shared_links:
        document = documents.setdefault(link.document_id, link.document)
        shared.setdefault(link.roundtable_id, []).append(document)
    prefetch_related_objects(list(documents.values()), "files")
    for session in sessions:
        mine = own.get(session.pk, [])
        seen = {document.pk for document in mine}
        session.own_documents = _by_kind(mine)
        session.roundtable_documents = [
            document for document in _by_kind(shared.get(session.roundtable_id, [])) if document.pk not in seen
        ]
        session.documents_shown = [(document, False) for document in session.own_documents] + [
            (document, True) for document in session.roundtable_documents
        ]
    return sessions


def _by_kind(documents):
    kinds = Document.Kind.values
    return sorted(
        documents,
        key=lambda d: (kinds.index(d.kind) if d.kind in kinds else len(kinds), d.position, d.title, d.pk),
    )


def programme_days(*, sessions, forum):
    """Group sessions into days, and each day into time slots, in the forum's time zone.

    Returns [{"date", "slots": [{"starts_at", "ends_at", "sessions"}]}], plus a last day with
    date None holding sessions not yet scheduled.
    """
    zone = forum.zone
    scheduled = sorted(
        (s for s in sessions if s.starts_at),
        key=lambda s: (s.starts_at, s.ends_at, s.room.position if s.room else 9999, s.roundtable.number, s.number),
    )
    days = []
    for date, day_sessions in itertools.groupby(scheduled, key=lambda s: s.starts_at.astimezone(zone).date()):
        slots = []
        for (starts_at, ends_at), slot_sessions in itertools.groupby(
            day_sessions, key=lambda s: (s.starts_at, s.ends_at)
        ):
            slots.append({"starts_at": starts_at, "ends_at": ends_at, "sessions": list(slot_sessions)})
        days.append({"date": date, "slots": slots})
    unscheduled = [s for s in sessions if not s.starts_at]
    if unscheduled:
        days.append({"date": None, "slots": [{"starts_at": None, "ends_at": None, "sessions": unscheduled}]})
    return days


def session_themes_for_programme(*, forum, user=None):
    """(session id, theme slug, theme name) for each theme of the forum's sessions the visitor sees, for the
    programme's theme filter (one query)."""
    sessions = sessions_for_public_pages(user).filter(roundtable__forum=forum)
    return list(
        Session.themes.through.objects.filter(session__in=sessions.values("pk")).values_list(
            "session_id", "theme__slug", "theme__name"
        )
    )


def themes_for_listing(user=None):
    sessions = sessions_for_public_pages(user)
    return Theme.objects.annotate(
        session_total=Count("sessions", filter=Q(sessions__in=sessions.values("pk")))
    ).order_by("name")


def user_edits_whole_programme(user):
    """Superusers and the organising committee edit every forum, roundtable and session."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or user.groups.filter(name=ORGANISING_COMMITTEE).exists()


def roundtable_ids_editable_by(user):
    """None when ``user`` edits the whole programme; otherwise the ids of the roundtables they coordinate."""
    if user_edits_whole_programme(user):
        return None
    if not (user and user.is_authenticated and user.is_active):
        return frozenset()
    return frozenset(Roundtable.objects.filter(coordinators=user).values_list("pk", flat=True))


def forum_session_counts(*, forum):
    """{"published": n, "draft": n}: how many of the forum's sessions delegates will see."""
    counts = dict(
        Session.objects.filter(roundtable__forum=forum).values_list("status").annotate(total=Count("pk")).order_by()
    )
    return {"published": counts.get(Status.PUBLISHED, 0), "draft": counts.get(Status.DRAFT, 0)}
