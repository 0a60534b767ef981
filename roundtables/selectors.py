"""Reads of forums and roundtables, and who edits which roundtable (sessions' reads: ``sessions.selectors``)."""

from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404

from core.permissions import edits_whole_programme

from .models import Forum, Roundtable


def forum_for_page(*, slug, user=None):
    return get_object_or_404(Forum.objects.visible_to(user), slug=slug)


def forum_current(user=None):
    """The forum ``/`` leads to: the latest published edition with a roundtable programme, or else
    the latest published one (staff: drafts count too)."""
    has_programme = Exists(Roundtable.objects.filter(forum=OuterRef("pk")))
    return (
        Forum.objects.visible_to(user)
        .annotate(has_programme=has_programme)
        .order_by("-has_programme", "-starts_on")
        .first()
    )


def roundtable_ids_editable_by(user):
    """None when ``user`` edits the whole programme; otherwise the ids of the roundtables they coordinate."""
    if edits_whole_programme(user):
        return None
    if not (user and user.is_authenticated and user.is_active):
        return frozenset()
    return frozenset(Roundtable.objects.filter(coordinators=user).values_list("pk", flat=True))
