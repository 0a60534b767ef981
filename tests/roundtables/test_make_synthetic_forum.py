import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from core.programme_version import programme_version
from roundtables.models import Forum, Roundtable, Status, Theme
from sessions.models import Issue, Organisation, Participation, Person, Room, Session
from tests.factories import make_forum

pytestmark = pytest.mark.django_db

SMALL = {
    "roundtables": 3,
    "sessions": 10,
    "people": 12,
    "rooms": 2,
    "themes": 4,
    "issues": 2,
    "points": 3,
    "stdout": io.StringIO(),
}


def counts():
    return {
        "forums": Forum.objects.count(),
        "roundtables": Roundtable.objects.count(),
        "sessions": Session.objects.count(),
        "published_sessions": Session.objects.published().count(),
        "people": Person.objects.count(),
        "organisations": Organisation.objects.count(),
        "rooms": Room.objects.count(),
        "themes": Theme.objects.count(),
        "session_themes": Session.themes.through.objects.count(),
        "issues": Issue.objects.filter(parent__isnull=True).count(),
        "points": Issue.objects.filter(parent__isnull=False).count(),
        "participations": Participation.objects.count(),
        "chairs": Participation.objects.filter(role=Participation.Role.CHAIR).count(),
        "speakers": Participation.objects.filter(role=Participation.Role.SPEAKER).count(),
    }


def programme_snapshot():
    return list(
        Session.objects.order_by("roundtable__number", "number").values_list(
            "roundtable__number", "number", "title", "starts_at", "room__name", "participations__person__name"
        )
    )


def test_make_synthetic_forum_builds_exactly_the_sizes_asked_for():
    call_command("make_synthetic_forum", **SMALL)

    assert counts() == {
        "forums": 1,
        "roundtables": 3,
        "sessions": 10,
        "published_sessions": 10,
        "people": 12,
        "organisations": 2,
        "rooms": 2,
        "themes": 4,
        "session_themes": 20,
        "issues": 20,
        "points": 60,
        "participations": 70,
        "chairs": 10,
        "speakers": 30,
    }
    forum = Forum.objects.get()
    assert (forum.slug, forum.status, forum.time_zone) == ("synthetic-forum", Status.PUBLISHED, "Asia/Manila")
    # 10 sessions in 2 rooms fill 5 slots of 4 a day: two days.
    assert (forum.starts_on, forum.ends_on) == (datetime.date(2008, 10, 27), datetime.date(2008, 10, 28))
    assert [roundtable.sessions.count() for roundtable in forum.roundtables.order_by("number")] == [4, 3, 3]


def test_make_synthetic_forum_sessions_are_valid_and_never_share_a_room_at_once():
    call_command("make_synthetic_forum", **SMALL)

    sessions = list(Session.objects.select_related("roundtable__forum", "room"))
    for session in sessions:
        session.full_clean()
    slots = [(session.starts_at, session.room_id) for session in sessions]
    assert len(set(slots)) == len(slots) == 10
    assert {session.starts_at.astimezone(session.roundtable.forum.zone).time() for session in sessions} == {
        datetime.time(9),
        datetime.time(11),
        datetime.time(14),
        datetime.time(16),
    }


def test_make_synthetic_forum_is_deterministic_and_replaces_only_with_replace():
    call_command("make_synthetic_forum", **SMALL)
    first = programme_snapshot()
    version = programme_version()

    with pytest.raises(CommandError, match="exists already"):
        call_command("make_synthetic_forum", **SMALL)
    call_command("make_synthetic_forum", replace=True, **SMALL)

    assert programme_snapshot() == first
    assert counts()["sessions"] == 10
    assert counts()["people"] == 12
    assert programme_version() > version


def test_make_synthetic_forum_seed_changes_the_programme():
    call_command("make_synthetic_forum", **SMALL)
    first = programme_snapshot()

    call_command("make_synthetic_forum", replace=True, seed=7, **SMALL)

    assert programme_snapshot() != first


def test_make_synthetic_forum_never_replaces_a_real_forum(athens):
    with pytest.raises(CommandError, match="not made by this command"):
        call_command("make_synthetic_forum", slug="athens-2009", replace=True, **SMALL)

    assert Session.objects.filter(roundtable__forum=athens).count() == 8


def test_make_synthetic_forum_leaves_other_forums_alone():
    other = make_forum(slug="other")

    call_command("make_synthetic_forum", **SMALL)
    call_command("make_synthetic_forum", replace=True, **SMALL)

    assert set(Forum.objects.values_list("slug", flat=True)) == {"other", "synthetic-forum"}
    assert Forum.objects.get(slug="other") == other


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"people": 6}, "--people must be at least 7"),
        ({"slug": "not a slug"}, "--slug"),
        ({"time_zone": "Mars/Olympus"}, "Unknown time zone"),
    ],
)
def test_make_synthetic_forum_refuses_bad_options(options, message):
    with pytest.raises(CommandError, match=message):
        call_command("make_synthetic_forum", **{**SMALL, **options})

    assert Forum.objects.count() == 0


def test_make_synthetic_forum_gives_each_roundtable_a_three_language_action_paper_and_shares_background_papers():
    from sessions.models import Document, DocumentFile

    call_command("make_synthetic_forum", **SMALL)

    forum = Forum.objects.get()
    papers = {
        document.title: (
            document.kind,
            sorted(file.language for file in document.files.all()),
            [session.code for session in document.sessions.order_by("roundtable__number", "number")],
            [roundtable.number for roundtable in document.roundtables.all()],
        )
        for document in Document.objects.filter(forum=forum)
    }
    action_papers = {title: value for title, value in papers.items() if value[0] == Document.Kind.ACTION_PAPER}
    background = {title: value for title, value in papers.items() if value[0] == Document.Kind.BACKGROUND_PAPER}
    assert sorted(value[3] for value in action_papers.values()) == [[1], [2], [3]]
    assert {tuple(value[1]) for value in action_papers.values()} == {("en", "es", "fr")}
    assert [value[1:3] for value in background.values()] == [(["en"], ["1.1", "2.1"])]
    assert all(file.file.read().startswith(file.document.title.encode()) for file in DocumentFile.objects.all())
