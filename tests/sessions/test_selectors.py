"""The committee's timetable checks and to-do list."""

import pytest

from sessions.selectors import clashes_among, forums_for_dashboard, person_clashes, room_clashes
from tests.factories import (
    forum_time,
    make_forum,
    make_participation,
    make_person,
    make_room,
    make_roundtable,
    make_session,
)


@pytest.fixture
def forum(db):
    return make_forum()


def _session(forum, number, start, end, room=None):
    roundtable = forum.roundtables.first() or make_roundtable(forum=forum)
    return make_session(
        roundtable=roundtable,
        number=number,
        title=f"S{number}",
        starts_at=forum_time(forum, 0, *start),
        ends_at=forum_time(forum, 0, *end),
        room=room,
    )


def test_a_room_clashes_with_overlapping_sessions_only(forum):
    room = make_room(forum=forum)
    morning = _session(forum, 1, (9, 0), (10, 30), room)
    _session(forum, 2, (10, 30), (12, 0), room)  # starts as the morning session ends: fine
    _session(forum, 3, (9, 0), (10, 0), make_room(forum=forum))  # another room

    clashes = room_clashes(room=room, starts_at=forum_time(forum, 0, 10), ends_at=forum_time(forum, 0, 10, 30))

    assert clashes == [morning]


def test_a_session_does_not_clash_with_itself(forum):
    room = make_room(forum=forum)
    session = _session(forum, 1, (9, 0), (10, 0), room)

    assert room_clashes(room=room, starts_at=session.starts_at, ends_at=session.ends_at, exclude=[session.pk]) == []


def test_unscheduled_or_roomless_sessions_never_clash(forum):
    room = make_room(forum=forum)

    results = [
        room_clashes(room=None, starts_at=forum_time(forum, 0, 9), ends_at=forum_time(forum, 0, 10)),
        room_clashes(room=room, starts_at=None, ends_at=None),
        person_clashes(people=[], starts_at=forum_time(forum, 0, 9), ends_at=forum_time(forum, 0, 10)),
    ]

    assert results == [[], [], []]


def test_a_person_clashes_when_their_sessions_overlap(forum):
    ana, ben = make_person(name="Ana"), make_person(name="Ben")
    first = _session(forum, 1, (9, 0), (11, 0))
    chair = make_participation(session=first, person=ana, role="chair")
    make_participation(session=_session(forum, 2, (11, 0), (12, 0)), person=ana, role="speaker")
    make_participation(session=_session(forum, 3, (10, 0), (11, 0)), person=ben, role="speaker")

    clashes = person_clashes(
        people=[ana.pk, ben.pk], starts_at=forum_time(forum, 0, 10, 30), ends_at=forum_time(forum, 0, 11, 30)
    )

    assert [(p.person.name, p.session.title, p.role) for p in clashes] == [
        ("Ana", "S1", "chair"),
        ("Ben", "S3", "speaker"),
        ("Ana", "S2", "speaker"),
    ]
    assert chair in clashes


def test_clashes_among_sessions_in_memory(forum):
    room = make_room(forum=forum, name="Room A")
    ana = make_person(name="Ana")
    first = _session(forum, 1, (9, 0), (11, 0), room)
    second = _session(forum, 2, (10, 0), (12, 0), room)
    third = _session(forum, 3, (10, 30), (11, 30))
    _session(forum, 4, (12, 0), (13, 0), room)
    make_participation(session=first, person=ana)
    make_participation(session=third, person=ana)

    clashes = clashes_among(list(forum.roundtables.get().sessions.all()))

    assert [(c.kind, c.first.title, c.second.title, str(c.subject)) for c in clashes] == [
        ("room", "S1", "S2", "Room A"),
        ("person", "S1", "S3", "Ana"),
    ]
    assert second in {clash.second for clash in clashes}


def test_the_dashboard_selector_lists_each_forum_latest_first(db):
    import datetime

    old = make_forum(name="Old", starts_on=datetime.date(2009, 11, 2), ends_on=datetime.date(2009, 11, 3))
    new = make_forum(name="New", starts_on=datetime.date(2010, 11, 8), ends_on=datetime.date(2010, 11, 9))
    make_session(roundtable=make_roundtable(forum=new), starts_at=None, ends_at=None)

    todo = forums_for_dashboard()

    assert [(item.forum, len(item.without_time), len(item.without_room), item.count) for item in todo] == [
        (new, 1, 1, 6),  # no time, no room, no chair, no rapporteur, no document, a roundtable without background
        (old, 0, 0, 1),  # published without a session
    ]
