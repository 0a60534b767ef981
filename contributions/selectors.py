"""Reads for the public pages: approved contributions with what each page shows already fetched."""

from django.db.models import Exists, OuterRef, Prefetch, Q, Value
from django.db.models.functions import Lower, Trim
from django.http import Http404
from django.shortcuts import get_object_or_404

from core.permissions import can_preview
from roundtables.models import Forum, Roundtable, Theme
from sessions.models import Organisation, Participation, Person, Session
from sessions.selectors import visible_roles

from .models import Contribution, GoodPractice

SEARCH_MAX_TERMS = 8


def contributions_for_cards():
    """Published contributions with what a card shows: the forum (and where in it), nothing per row."""
    return Contribution.objects.published().select_related("forum").order_by("-submitted_at", "-id")


def contributions_for_forum(*, forum):
    return list(contributions_for_cards().filter(forum=forum))


def contributions_for_roundtable(*, roundtable):
    """Contributions to the roundtable itself or to one of its sessions."""
    return list(contributions_for_cards().filter(Q(roundtable=roundtable) | Q(session__roundtable=roundtable)))


def contributions_for_session(*, session):
    return list(contributions_for_cards().filter(session=session))


def contributions_for_theme(*, theme):
    return list(contributions_for_cards().filter(themes=theme))


def contributions_for_search():
    """What the site search looks through: published contributions, with their forum for the result line."""
    return Contribution.objects.published().select_related("forum")


def contributions_for_library(*, query="", country="", theme="", kind=""):
    """The good-practices library: published contributions matching every given filter.

    ``query`` matches each of its words anywhere in the texts; ``country`` the organisation's
    country or a practice's; ``theme`` a theme slug; ``kind`` an organisation kind.
    """
    contributions = Contribution.objects.published()
    for term in query.split()[:SEARCH_MAX_TERMS]:
        in_practices = GoodPractice.objects.filter(contribution=OuterRef("pk")).filter(
            Q(country__icontains=term)
            | Q(actors__icontains=term)
            | Q(description__icontains=term)
            | Q(lesson__icontains=term)
        )
        contributions = contributions.filter(
            Q(title__icontains=term)
            | Q(organisation_name__icontains=term)
            | Q(country__icontains=term)
            | Q(summary__icontains=term)
            | Q(recommendations__icontains=term)
            | Q(Exists(in_practices))
        )
    if country:
        practices_there = GoodPractice.objects.filter(contribution=OuterRef("pk"), country__iexact=country)
        contributions = contributions.filter(Q(country__iexact=country) | Q(Exists(practices_there)))
    if theme:
        contributions = contributions.filter(themes__slug=theme)
    if kind:
        contributions = contributions.filter(organisation_kind=kind)
    return (
        contributions.select_related("forum", "roundtable", "session__roundtable")
        .prefetch_related(
            Prefetch("practices", queryset=GoodPractice.objects.only("id", "contribution_id", "country", "position")),
            Prefetch("themes", queryset=Theme.objects.order_by("name")),
        )
        .order_by("-submitted_at", "-id")
    )


def library_filter_choices():
    """The countries and themes the library can be filtered by: those of published contributions."""
    published = Contribution.objects.published()
    countries = set(published.exclude(country="").values_list("country", flat=True))
    countries |= set(
        GoodPractice.objects.filter(contribution__in=published.values("pk")).values_list("country", flat=True)
    )
    themes = list(
        Theme.objects.filter(Exists(published.filter(themes=OuterRef("pk"))))
        .order_by("name")
        .values_list("slug", "name")
    )
    return {"countries": sorted(countries, key=str.casefold), "themes": themes}


def contribution_for_page(*, slug, user=None):
    """A published contribution with its practices and themes; staff also see pending and rejected ones."""
    contributions = Contribution.objects.visible_to(user)
    contributions = contributions.select_related("forum", "roundtable__forum", "session__roundtable__forum")
    contributions = contributions.prefetch_related(
        Prefetch("practices", queryset=GoodPractice.objects.order_by("position", "id")),
        Prefetch("themes", queryset=Theme.objects.order_by("name")),
    )
    return get_object_or_404(contributions, slug=slug)


def contribution_for_download(*, slug, user=None):
    contributions = Contribution.objects.visible_to(user)
    return get_object_or_404(contributions.exclude(document=""), slug=slug)


def forums_for_contribution_form():
    """Published forums, each with ``open_roundtables`` and their ``open_sessions``: what a contribution can go to."""
    sessions = Session.objects.published().order_by("number")
    roundtables = Roundtable.objects.order_by("number").prefetch_related(
        Prefetch("sessions", queryset=sessions, to_attr="open_sessions")
    )
    return list(
        Forum.objects.published()
        .order_by("-starts_on")
        .prefetch_related(Prefetch("roundtables", queryset=roundtables, to_attr="open_roundtables"))
    )


# Organisation pages: the people of an organisation (sessions) and the contributions sent under its name.


def _published_contributions_under(name):
    """Published contributions whose organisation is ``name`` (an expression), compared by the database
    without case or outer spaces. Contributions name their organisation in a text of their own, so they
    are matched on the organisation's name, which is unique."""
    return (
        Contribution.objects.published()
        .alias(organisation_key=Lower(Trim("organisation_name")))
        .filter(organisation_key=Lower(Trim(name)))
    )


def _contributions_of(organisation):
    return (
        _published_contributions_under(Value(organisation.name))
        .select_related("forum")
        .order_by("-forum__starts_on", "-submitted_at", "-pk")
    )


def organisation_for_page(*, slug, user=None):
    """An organisation with ``public_people`` (its people with a role the visitor may see, each with
    ``public_participations``) and ``public_contributions`` (published contributions sent under its
    name); 404 when it has neither. Four queries.
    """
    roles = visible_roles(user)
    people = (
        Person.objects.filter(Exists(roles.filter(person=OuterRef("pk"))))
        .order_by("name", "pk")
        .prefetch_related(Prefetch("participations", queryset=roles, to_attr="public_participations"))
    )
    organisation = get_object_or_404(Organisation.objects.all(), slug=slug)
    organisation.public_people = list(people.filter(organisation=organisation))
    organisation.public_contributions = list(_contributions_of(organisation))
    if not organisation.public_people and not organisation.public_contributions and not can_preview(user):
        raise Http404("No public person or contribution.")
    return organisation


def organisations_for_public_pages():
    """Organisations with a person in a published session or a published contribution: those with a page."""
    in_sessions = Participation.objects.filter(
        person__organisation=OuterRef("pk"), session__in=Session.objects.visible_to(None).values("pk")
    )
    contributions = _published_contributions_under(OuterRef("name"))
    return Organisation.objects.filter(Exists(in_sessions) | Exists(contributions))


def organisation_for_contribution(contribution):
    """The organisation a contribution names, when it has a page (one query), else None."""
    key = Lower(Trim(Value(contribution.organisation_name)))
    return organisations_for_public_pages().alias(key=Lower(Trim("name"))).filter(key=key).first()
