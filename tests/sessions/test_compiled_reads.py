import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import F
from django.utils import translation

from roundtables.models import Status, Theme
from sessions import compiled_reads
from sessions.models import Session
from tests.factories import make_roundtable, make_session, make_theme, make_user


def _sessions(roundtable, after):
    return (
        Session.objects.visible_to(None)
        .filter(roundtable=roundtable, number__gt=after)
        .select_related("roundtable__forum", "room")
        .annotate(double=F("number") * 2)
        .order_by("number")
    )


def test_read_gives_the_records_of_its_queryset_with_related_records_and_annotations(db):
    roundtable = make_roundtable()
    for _ in range(3):
        make_session(roundtable=roundtable)

    read = compiled_reads.read("test sessions", _sessions, user=None, roundtable=roundtable.pk, after=1)

    expected = list(_sessions(roundtable.pk, 1))
    assert [(s.pk, s.title, s.starts_at, s.double) for s in read] == [
        (s.pk, s.title, s.starts_at, s.double) for s in expected
    ]
    assert [(s.roundtable.forum.slug, s.room) for s in read] == [(s.roundtable.forum.slug, s.room) for s in expected]
    assert len(read) == 2


def test_read_runs_its_compiled_sql_with_each_requests_arguments(db, django_assert_num_queries):
    first, second = make_roundtable(), make_roundtable()
    make_session(roundtable=first, title="First's")
    make_session(roundtable=second, title="Second's")
    compiled_reads.read("test sessions", _sessions, user=None, roundtable=first.pk, after=0)

    with django_assert_num_queries(1):
        read = compiled_reads.read("test sessions", _sessions, user=None, roundtable=second.pk, after=0)

    assert [s.title for s in read] == ["Second's"]


def test_read_is_compiled_apart_for_staff_and_the_public(db):
    roundtable = make_roundtable()
    make_session(roundtable=roundtable, title="Published")
    make_session(roundtable=roundtable, title="Draft", status=Status.DRAFT)
    staff = make_user(username="staff", is_staff=True)

    def visible(user):
        return compiled_reads.read(
            "test visible",
            lambda roundtable: Session.objects.visible_to(user).filter(roundtable=roundtable).order_by("number"),
            user=user,
            roundtable=roundtable.pk,
        )

    assert [s.title for s in visible(staff)] == ["Published", "Draft"]
    assert [s.title for s in visible(AnonymousUser())] == ["Published"]


def test_read_is_compiled_apart_for_each_language(db):
    make_theme(name_en="Apple", name_fr="Zèbre", slug="a")
    make_theme(name_en="Zebra", name_fr="Abricot", slug="z")

    def themes(language):
        with translation.override(language):
            return compiled_reads.read(
                "test themes", lambda above: Theme.objects.filter(pk__gt=above).order_by("name"), user=None, above=0
            )

    assert [t.slug for t in themes("en")] == ["a", "z"]
    assert [t.slug for t in themes("fr")] == ["z", "a"]


def test_read_refuses_a_queryset_that_leaves_an_argument_out(db):
    with pytest.raises(ValueError, match="after"):
        compiled_reads.read(
            "test unused argument",
            lambda roundtable, after: Session.objects.filter(roundtable=roundtable),
            user=None,
            roundtable=1,
            after=2,
        )


def test_read_refuses_a_queryset_whose_constant_could_be_taken_for_an_argument(db):
    with pytest.raises(ValueError, match="depend on their values"):
        compiled_reads.read(
            "test constant",
            lambda roundtable: Session.objects.filter(roundtable=roundtable, number__lt=32_700),
            user=None,
            roundtable=1,
        )
