"""Who edits what: the committee everything, a coordinator their roundtables."""

from core.permissions import edits_whole_programme as user_edits_whole_programme
from roundtables.selectors import roundtable_ids_editable_by
from sessions.listings import forum_session_counts
from tests.factories import make_forum, make_roundtable, make_session, make_user


def test_the_committee_and_superusers_edit_the_whole_programme(organiser, coordinator):
    superuser = make_user(is_superuser=True, is_staff=True)

    results = [user_edits_whole_programme(user) for user in (organiser, superuser, coordinator)]

    assert results == [True, True, False]
    assert roundtable_ids_editable_by(organiser) is None


def test_a_coordinator_edits_the_roundtables_assigned_to_them(coordinator):
    mine, theirs = make_roundtable(), make_roundtable()
    mine.coordinators.add(coordinator)

    assert roundtable_ids_editable_by(coordinator) == frozenset({mine.pk})
    assert theirs.pk not in roundtable_ids_editable_by(coordinator)


def test_an_inactive_user_edits_nothing(organiser):
    organiser.is_active = False

    assert (user_edits_whole_programme(organiser), roundtable_ids_editable_by(organiser)) == (False, frozenset())


def test_forum_session_counts(db):
    forum = make_forum()
    roundtable = make_roundtable(forum=forum)
    make_session(roundtable=roundtable, status="published")
    make_session(roundtable=roundtable, status="draft")
    make_session(roundtable=roundtable, status="draft")

    assert forum_session_counts(forum=forum) == {"published": 1, "draft": 2}
