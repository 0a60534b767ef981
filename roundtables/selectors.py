"""Reads for the public pages: querysets with their relations already fetched, so templates never query."""

import itertools

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.shortcuts import get_object_or_404

from sessions.models import Document, Issue, Participation, Person, Session

from .models import Forum, Roundtable, Status, Theme
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
    """The forum's roundtables with ``session_total`` (the sessions the visitor sees) and ``scheduled_total``
    (those of them with a time), which also tell whether the forum has a programme to download."""
    visible = Q(sessions__status=Status.PUBLISHED) if not can_preview(user) else Q(sessions__isnull=False)
    return forum.roundtables.annotate(
        session_total=Count("sessions", filter=visible),
        scheduled_total=Count("sessions", filter=visible & Q(sessions__starts_at__isnull=False)),
    ).order_by("number")


def forum_has_programme(*, forum, user=None):
    """Whether the visitor sees at least one session of ``forum``: else it offers no programme file."""
    return sessions_for_public_pages(user).filter(roundtable__forum=forum).exists()


def roundtable_for_page(*, forum, slug, user=None):
    roundtable = get_object_or_404(Roundtable.objects.select_related("forum"), forum=forum, slug=slug)
    roundtable.public_sessions = sessions_for_cards(user=user, roundtable=roundtable)
    roundtable.public_documents = list(roundtable.documents.all())
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
        Prefetch("documents", queryset=Document.objects.order_by("position", "title")),
    )
    return get_object_or_404(sessions, roundtable__slug=roundtable_slug, slug=slug)


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


def documents_for_public_pages(user=None):
    """Documents of published forums, leaving out those of draft sessions (staff: all documents)."""
    documents = Document.objects.select_related("forum", "roundtable__forum", "session__roundtable__forum")
    if can_preview(user):
        return documents
    published = Status.PUBLISHED
    return documents.filter(
        Q(forum__status=published)
        | Q(roundtable__forum__status=published)
        | Q(session__status=published, session__roundtable__forum__status=published)
    )


def documents_for_forum_page(*, forum, user=None):
    return (
        documents_for_public_pages(user)
        .filter(Q(forum=forum) | Q(roundtable__forum=forum) | Q(session__roundtable__forum=forum))
        .order_by("kind", "position", "title")
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
