"""Reads of sessions for the public pages, PDFs and calendars: querysets and lists with their
relations already fetched, so templates never query. What the visitor may see is decided by the
querysets' ``visible_to(user)`` alone (``core.permissions``)."""

import itertools
from operator import attrgetter

from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from core.forum_time import forum_date, forum_zone
from roundtables.models import NAMING_FIELDS, Roundtable, Status, Theme

from . import compiled_reads
from .documents import documents_for_roundtable, prefetched, session_documents_for_page
from .models import Issue, Participation, Session


def sessions_for_listing(*, forum=None, user=None, with_organisations=False):
    """Sessions with what a programme listing shows: roundtable, room, people, themes."""
    sessions = Session.objects.visible_to(user).select_related("roundtable__forum", "room")
    if forum is not None:
        sessions = sessions.in_forum(forum)
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
    sessions = Session.objects.visible_to(user).select_related("roundtable__forum", "room")
    if forum is not None:
        sessions = sessions.in_forum(forum)
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
    visible = Q(sessions__in=Session.objects.visible_to(user).values("pk"))
    return forum.roundtables.annotate(
        session_total=Count("sessions", filter=visible & Q(sessions__kind="session")),
        scheduled_total=Count("sessions", filter=visible & Q(sessions__starts_at__isnull=False)),
    ).order_by("number")


def forum_has_programme(*, forum, user=None):
    """Whether the visitor sees at least one session of ``forum``: else it offers no programme file."""
    return Session.objects.visible_to(user).in_forum(forum).exists()


def roundtable_for_page(*, forum, slug, user=None):
    roundtable = get_object_or_404(Roundtable.objects.select_related("forum"), forum=forum, slug=slug)
    roundtable.public_sessions = sessions_for_cards(user=user, roundtable=roundtable)
    roundtable.public_documents = list(documents_for_roundtable(roundtable=roundtable, user=user))
    return roundtable


def session_for_page(*, forum_slug, roundtable_slug, slug, user=None):
    """The session of a session page, with its roundtable, forum (the page's: no query of its own), room,
    people by position, themes, ``top_issues`` (each with its points) and documents
    (``session_documents_for_page``); 404 when the visitor may not see it (``Session.visible_to`` holds
    its forum's visibility too). Six queries, their SQL compiled once per process (``compiled_reads``).
    """

    def session_query(forum_slug, roundtable_slug, slug):
        return Session.objects.visible_to(user).filter(
            roundtable__forum__slug=forum_slug, roundtable__slug=roundtable_slug, slug=slug
        )

    found = compiled_reads.read(
        "session",
        lambda **slugs: session_query(**slugs).select_related("roundtable__forum", "room")[:2],
        user=user,
        forum_slug=forum_slug,
        roundtable_slug=roundtable_slug,
        slug=slug,
    )
    if len(found) != 1:
        if found:
            raise Session.MultipleObjectsReturned
        raise Http404("No session matches the given query.")
    session = found[0]
    # Sorted here: an ORDER BY costs more to build than sorting a session's few rows.
    participations = compiled_reads.read(
        "session participations",
        lambda session: Participation.objects.filter(session=session).select_related("person__organisation").order_by(),
        user=user,
        session=session.pk,
    )
    prefetched(session, "participations", sorted(participations, key=attrgetter("position", "pk")))
    themes = compiled_reads.read(
        "session themes", lambda session: Theme.objects.filter(sessions=session), user=user, session=session.pk
    )
    prefetched(session, "themes", themes)
    session.top_issues = issues_with_points(session, user=user)
    session_documents_for_page(session=session, user=user)
    return session


def issues_with_points(session, *, user=None):
    """The session's top-level issues in order, each with its points in order (``issue.points.all()``
    answers from memory): one query for both levels."""
    issues = compiled_reads.read(
        "session issues",
        lambda session: Issue.objects.filter(session=session).order_by(),
        user=user,
        session=session.pk,
    )
    issues.sort(key=attrgetter("position", "pk"))
    points = {}
    for issue in issues:
        if issue.parent_id is not None:
            points.setdefault(issue.parent_id, []).append(issue)
    top = [issue for issue in issues if issue.parent_id is None]
    for issue in top:
        prefetched(issue, "points", points.get(issue.pk, []))
    return top


def session_neighbours(*, session, user=None):
    """The sessions just before and after ``session`` in its forum's programme order (roundtable
    number, then session number): two one-row queries, whatever the size of the programme, their SQL
    compiled once per process (``compiled_reads``)."""

    def candidates(forum, roundtable_number, number, *, after):
        if after:
            place = Q(roundtable__number__gt=roundtable_number) | Q(
                roundtable__number=roundtable_number, number__gt=number
            )
            order = ("roundtable__number", "number")
        else:
            place = Q(roundtable__number__lt=roundtable_number) | Q(
                roundtable__number=roundtable_number, number__lt=number
            )
            order = ("-roundtable__number", "-number")
        return (
            Session.objects.visible_to(user)
            .filter(place, roundtable__forum_id=forum)
            .select_related("roundtable__forum")
            .only("id", "number", "title", "slug", "roundtable__number", "roundtable__slug", "roundtable__forum__slug")
            .order_by(*order)[:1]
        )

    place = {
        "forum": session.roundtable.forum_id,
        "roundtable_number": session.roundtable.number,
        "number": session.number,
    }
    previous = compiled_reads.read("previous session", lambda **at: candidates(**at, after=False), user=user, **place)
    following = compiled_reads.read("next session", lambda **at: candidates(**at, after=True), user=user, **place)
    return next(iter(previous), None), next(iter(following), None)


def programme_days(*, sessions, forum):
    """Group sessions into days, and each day into time slots, in the forum's time zone.

    Returns [{"date", "slots": [{"starts_at", "ends_at", "sessions"}]}], plus a last day with
    date None holding sessions not yet scheduled.
    """
    zone = forum_zone(forum)
    scheduled = sorted(
        (s for s in sessions if s.starts_at),
        key=lambda s: (s.starts_at, s.ends_at, s.room.position if s.room else 9999, s.roundtable.number, s.number),
    )
    days = []
    for date, day_sessions in itertools.groupby(scheduled, key=lambda s: forum_date(s.starts_at, zone)):
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
    sessions = Session.objects.visible_to(user).in_forum(forum)
    return list(
        Session.themes.through.objects.filter(session__in=sessions.values("pk")).values_list(
            "session_id", "theme__slug", "theme__name"
        )
    )


def themes_for_listing(user=None):
    sessions = Session.objects.visible_to(user)
    return Theme.objects.annotate(
        session_total=Count("sessions", filter=Q(sessions__in=sessions.values("pk")))
    ).order_by("name")


def forum_session_counts(*, forum):
    """{"published": n, "draft": n}: how many of the forum's sessions delegates will see."""
    counts = dict(Session.objects.in_forum(forum).values_list("status").annotate(total=Count("pk")).order_by())
    return {"published": counts.get(Status.PUBLISHED, 0), "draft": counts.get(Status.DRAFT, 0)}
