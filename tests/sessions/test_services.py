import pytest

from roundtables.models import Status
from sessions.models import Session
from sessions.services import session_move, session_publish, session_unpublish
from tests.factories import make_roundtable, make_session


@pytest.fixture
def three(db):
    roundtable = make_roundtable(number=2)
    return [make_session(roundtable=roundtable, number=number, title=f"S{number}") for number in (1, 2, 3)]


def _order(roundtable):
    return list(roundtable.sessions.order_by("number").values_list("title", flat=True))


def test_moving_a_session_down_swaps_it_with_the_next(three):
    other = session_move(session=three[0], direction="down")

    assert other == three[1]
    assert _order(three[0].roundtable) == ["S2", "S1", "S3"]
    assert dict(Session.objects.values_list("title", "number")) == {"S1": 2, "S2": 1, "S3": 3}


def test_moving_a_session_up_swaps_it_with_the_previous(three):
    session_move(session=three[2], direction="up")

    assert _order(three[0].roundtable) == ["S1", "S3", "S2"]


def test_moving_past_either_end_changes_nothing(three):
    results = [session_move(session=three[0], direction="up"), session_move(session=three[2], direction="down")]

    assert results == [None, None]
    assert _order(three[0].roundtable) == ["S1", "S2", "S3"]


def test_moving_skips_gaps_in_the_numbers(db):
    roundtable = make_roundtable()
    first = make_session(roundtable=roundtable, number=1, title="S1")
    make_session(roundtable=roundtable, number=5, title="S5")

    session_move(session=first, direction="down")

    assert dict(Session.objects.values_list("title", "number")) == {"S1": 5, "S5": 1}


def test_moving_in_an_unknown_direction_is_an_error(three):
    with pytest.raises(ValueError, match="sideways"):
        session_move(session=three[0], direction="sideways")


def test_publishing_sessions_reports_the_changed_and_the_unchanged(three):
    Session.objects.filter(pk=three[0].pk).update(status=Status.DRAFT)
    Session.objects.filter(pk=three[1].pk).update(status=Status.DRAFT)

    changed, unchanged = session_publish(sessions=three)

    assert ([s.code for s in changed], [s.code for s in unchanged]) == (["2.1", "2.2"], ["2.3"])
    assert set(Session.objects.values_list("status", flat=True)) == {Status.PUBLISHED}


def test_unpublishing_sessions_takes_them_back_to_draft_with_a_revision(three):
    from reversion.models import Version

    changed, unchanged = session_unpublish(sessions=three[:2])

    assert ([s.code for s in changed], unchanged) == (["2.1", "2.2"], [])
    assert list(Session.objects.order_by("number").values_list("status", flat=True)) == ["draft", "draft", "published"]
    [version] = Version.objects.get_for_object(three[0])
    assert version.revision.get_comment() == "Took sessions 2.1, 2.2 back to draft."
