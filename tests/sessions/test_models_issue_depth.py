"""Sub-points nest one level deep, under a top-level issue of the same session: in the database too.

``Issue.clean`` refuses a point of a point, but ``update()``, ``bulk_create()``, imports and scripts
skip it, and the check constraint ``issue_points_have_a_parent`` only looks at the row itself. Writes
that go around the model must meet a database guard (a trigger: a check constraint cannot read the
parent row: migration ``programme_sessions.0007_issue_depth_guard``).
"""

import pytest
from django.db import IntegrityError, transaction

from sessions.models import Issue
from tests.factories import make_issue, make_session


@pytest.fixture
def issue(db):
    """A main issue with one sub-point, and a second main issue in the same session."""
    main = make_issue(text="Fair recruitment")
    make_issue(parent=main, text="Zero fees")
    make_issue(session=main.session, text="Decent work")
    return main


def test_a_point_of_a_point_cannot_be_inserted(issue):
    point = issue.points.get()

    with pytest.raises(IntegrityError), transaction.atomic():
        Issue.objects.create(session=issue.session, parent=point, kind=Issue.Kind.POINT, text="Too deep")

    assert list(Issue.objects.filter(parent=point)) == []


def test_a_point_of_a_point_cannot_be_bulk_created(issue):
    point = issue.points.get()

    with pytest.raises(IntegrityError), transaction.atomic():
        Issue.objects.bulk_create(
            [Issue(session=issue.session, parent=point, kind=Issue.Kind.POINT, text="Too deep", position=1)]
        )

    assert list(Issue.objects.filter(parent=point)) == []


def test_a_point_cannot_be_moved_under_another_point(issue):
    point = issue.points.get()
    other = make_issue(parent=Issue.objects.get(text="Decent work"), text="Living wages")

    with pytest.raises(IntegrityError), transaction.atomic():
        Issue.objects.filter(pk=other.pk).update(parent=point)

    assert Issue.objects.get(pk=other.pk).parent.text == "Decent work"


def test_an_issue_with_points_cannot_become_a_point(issue):
    other = Issue.objects.get(text="Decent work")

    with pytest.raises(IntegrityError), transaction.atomic():
        Issue.objects.filter(pk=issue.pk).update(parent=other, kind=Issue.Kind.POINT)

    assert Issue.objects.get(pk=issue.pk).parent is None


def test_a_point_cannot_belong_to_an_issue_of_another_session(issue):
    with pytest.raises(IntegrityError), transaction.atomic():
        Issue.objects.create(session=make_session(), parent=issue, kind=Issue.Kind.POINT, text="Elsewhere")

    assert [point.text for point in issue.points.all()] == ["Zero fees"]


def test_a_point_under_a_main_issue_of_its_session_is_stored(issue):
    other = Issue.objects.get(text="Decent work")

    Issue.objects.create(session=issue.session, parent=other, kind=Issue.Kind.POINT, text="Living wages")
    Issue.objects.filter(text="Zero fees").update(parent=other)

    assert sorted(point.text for point in other.points.all()) == ["Living wages", "Zero fees"]
