"""Reads for the public session, person and document pages."""

from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from roundtables.models import Status
from roundtables.selectors import can_preview, sessions_for_public_pages

from .models import Document, Participation, Person


def person_for_page(*, slug, user=None):
    """A person with their roles in sessions the visitor may see; 404 when they have none."""
    visible_sessions = sessions_for_public_pages(user)
    participations = (
        Participation.objects.filter(session__in=visible_sessions.values("pk"))
        .select_related("session__roundtable__forum", "session__room")
        .order_by("-session__roundtable__forum__starts_on", "session__starts_at", "session__roundtable__number")
    )
    people = Person.objects.select_related("organisation").prefetch_related(
        Prefetch("participations", queryset=participations, to_attr="public_participations")
    )
    person = get_object_or_404(people, slug=slug)
    if not person.public_participations and not can_preview(user):
        raise Http404("No public role.")
    return person


def document_for_download(*, pk, user=None):
    documents = Document.objects.select_related("forum", "roundtable__forum", "session__roundtable__forum")
    if not can_preview(user):
        published = Status.PUBLISHED
        documents = documents.filter(
            Q(forum__status=published)
            | Q(roundtable__forum__status=published)
            | Q(session__status=published, session__roundtable__forum__status=published)
        )
    return get_object_or_404(documents, pk=pk)
