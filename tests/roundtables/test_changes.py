"""What changed: the public changelog of a forum's programme, its Atom feed, and the booklet's version date."""

import contextlib
import datetime
import re

import feedparser
import pytest
import reversion
from django.urls import reverse
from reversion.models import Revision

from core.versions import revision
from programme.management.commands.make_synthetic_forum import synthetic_forum_build
from roundtables.models import Status
from roundtables.services import forum_publish, forum_unpublish
from sessions.changes import forum_changes, programme_as_of
from sessions.models import Participation, Session
from sessions.pdf import content, document
from tests.admin_forms import admin_change_data
from tests.factories import (
    forum_time,
    make_document,
    make_forum,
    make_participation,
    make_person,
    make_room,
    make_roundtable,
    make_session,
)

FIRST_PUBLISHED = datetime.datetime(2020, 5, 1, 8, 0, tzinfo=datetime.UTC)


def _at(day, hour, minute=0):
    """A moment in May 2020 (UTC), given to a revision so that the changelog's dates are known."""
    return datetime.datetime(2020, 5, day, hour, minute, tzinfo=datetime.UTC)


@contextlib.contextmanager
def _edit(at, **kwargs):
    """A revision dated ``at``, as an edit in the admin makes one."""
    with revision(**kwargs):
        reversion.set_date_created(at)
        yield


@pytest.fixture
def lisbon(db):
    """A forum published with its programme in one revision: two public sessions and a draft."""
    with _edit(FIRST_PUBLISHED):
        forum = make_forum(
            name="Lisbon 2099",
            slug="lisbon-2099",
            time_zone="Europe/Lisbon",
            starts_on=datetime.date(2099, 6, 1),
            ends_on=datetime.date(2099, 6, 2),
        )
        plenary = make_room(forum=forum, name="Plenary", position=1)
        make_room(forum=forum, name="Room B", position=2)
        roundtable = make_roundtable(forum=forum, number=1, title="Labour mobility", slug="labour")
        work = make_session(
            roundtable=roundtable,
            number=1,
            title="Decent work",
            slug="decent-work",
            starts_at=forum_time(forum, 0, 9),
            ends_at=forum_time(forum, 0, 10, 30),
            room=plenary,
        )
        make_participation(session=work, person=make_person(name="Ana Lima"), role=Participation.Role.CHAIR)
        make_session(roundtable=roundtable, number=2, title="Skills", slug="skills")
        make_session(roundtable=roundtable, number=3, title="Secret plans", slug="secret", status=Status.DRAFT)
    return forum


def _page(client, forum, language="en"):
    return client.get(f"/{language}/forums/{forum.slug}/changes/")


def _feed(client, forum, language="en"):
    response = client.get(f"/{language}/forums/{forum.slug}/changes.atom")
    assert response.status_code == 200
    return response, feedparser.parse(response.content)


def _entries(changes):
    return [
        (change.kind, change.code, change.title, [(d.label, d.old, d.new) for d in change.details])
        for change in changes
    ]


# The page and the feed ---------------------------------------------------------------------------


def test_an_admin_rename_and_move_appear_on_the_page_and_in_the_feed(organiser_client, client, lisbon):
    session = Session.objects.get(title="Decent work")
    room_b = lisbon.rooms.get(name="Room B")
    data = admin_change_data(
        organiser_client,
        session,
        title="Decent work for all",
        starts_at_0="2099-06-02",
        starts_at_1="11:00",
        ends_at_0="2099-06-02",
        ends_at_1="12:30",
        room=room_b.pk,
    )

    saved = organiser_client.post(reverse("admin:programme_sessions_session_change", args=[session.pk]), data)
    page = _page(client, lisbon)
    response, feed = _feed(client, lisbon)

    assert saved.status_code == 302
    edited_at = Revision.objects.latest("date_created").date_created
    (day, changes), first_day = page.context["days"]
    assert day == edited_at.astimezone(lisbon.zone).date()
    assert _entries(changes) == [
        (
            "changed",
            "1.1",
            "Decent work for all",
            [
                ("Title", "Decent work", "Decent work for all"),
                ("Time", "Mon 1 Jun 2099, 09:00–10:30", "Tue 2 Jun 2099, 11:00–12:30"),
                ("Room", "Plenary", "Room B"),
            ],
        )
    ]
    assert _entries(first_day[1]) == [("published", "", "", [])]
    html = page.content.decode()
    assert '<a href="/en/forums/lisbon-2099/roundtables/labour/decent-work/">1.1 Decent work for all</a>' in html
    assert "<li>Time: Mon 1 Jun 2099, 09:00–10:30 → Tue 2 Jun 2099, 11:00–12:30</li>" in html
    assert not feed.bozo
    assert feed.version == "atom10"
    assert [entry.title for entry in feed.entries] == [
        "1.1 Decent work for all: Title, Time, Room",
        "The programme was published.",
    ]
    first = feed.entries[0]
    assert (
        first.link
        == f"http://testserver/en/forums/lisbon-2099/changes/#changed-{Revision.objects.latest('pk').pk}-{session.pk}"
    )
    assert first.id == first.link
    assert "Room: Plenary → Room B" in first.summary
    assert 'href="http://testserver/en/forums/lisbon-2099/roundtables/labour/decent-work/"' in first.summary
    assert datetime.datetime(*first.updated_parsed[:6], tzinfo=datetime.UTC) == edited_at.replace(microsecond=0)
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"


def test_the_feed_is_atom_in_the_language_of_its_address(client, lisbon):
    _response, english = _feed(client, lisbon)
    _response, french = _feed(client, lisbon, language="fr")

    assert not english.bozo
    assert not french.bozo
    assert (english.feed.language, french.feed.language) == ("en", "fr")
    assert english.feed.title == "What changed: Lisbon 2099"
    assert english.feed.link == "http://testserver/en/forums/lisbon-2099/changes/"
    assert french.feed.link == "http://testserver/fr/forums/lisbon-2099/changes/"
    assert [entry.title for entry in french.entries] == ["Le programme a été publié."]


def test_times_of_the_changes_are_in_the_forum_time_zone(client, lisbon):
    session = Session.objects.get(title="Skills")
    with _edit(_at(3, 23, 30)):  # 00:30 on 4 May in Lisbon (summer time)
        session.title = "Skills for all"
        session.save()

    html = _page(client, lisbon).content.decode()

    assert "Monday 4 May 2020</h2>" in html
    assert '<time datetime="2020-05-04T00:30:00+0100">00:30</time>' in html


def test_change_times_are_valid_html_datetimes_without_microseconds(client, lisbon):
    session = Session.objects.get(title="Skills")
    session.title = "Skills for all"
    session.save()  # now, with microseconds

    html = _page(client, lisbon).content.decode()

    stamps = re.findall(r'<time datetime="([^"]+)"', html)
    assert stamps
    assert [s for s in stamps if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", s)] == []


def test_the_forum_and_programme_pages_advertise_and_link_the_changes(client, lisbon):
    head_link = (
        '<link rel="alternate" type="application/atom+xml" title="Lisbon 2099: what changed" '
        'href="/en/forums/lisbon-2099/changes.atom">'
    )

    forum_page = client.get(lisbon.get_absolute_url()).content.decode()
    programme_page = client.get(reverse("roundtables:programme", kwargs={"forum": lisbon.slug})).content.decode()
    changes_page = _page(client, lisbon).content.decode()

    assert head_link in forum_page
    assert head_link in programme_page
    assert head_link in changes_page
    assert '<a class="button secondary" href="/en/forums/lisbon-2099/changes/">What changed</a>' in forum_page


# What the public sees, and only that ---------------------------------------------------------------


def test_drafts_never_appear_until_published_then_the_session_is_added(client, lisbon):
    draft = Session.objects.get(title="Secret plans")
    with _edit(_at(2, 9)):
        draft.title = "Still secret"
        draft.save()
    before = forum_changes(lisbon)
    with _edit(_at(3, 9)):
        draft.title = "Open plans"
        draft.status = Status.PUBLISHED
        draft.save()

    after = forum_changes(lisbon)
    page = _page(client, lisbon).content.decode()
    _response, feed = _feed(client, lisbon)

    assert _entries(before) == [("published", "", "", [])]
    assert _entries(after) == [("added", "1.3", "Open plans", []), ("published", "", "", [])]
    for text in (page, repr(feed.entries)):
        assert "Secret plans" not in text
        assert "Still secret" not in text


def test_a_session_taken_back_to_draft_is_withdrawn_with_its_public_title(client, lisbon):
    session = Session.objects.get(title="Skills")
    with _edit(_at(2, 9)):
        session.status = Status.DRAFT
        session.title = "Renamed in draft"
        session.save()

    changes = forum_changes(lisbon)
    html = _page(client, lisbon).content.decode()

    assert _entries(changes) == [("withdrawn", "1.2", "Skills", []), ("published", "", "", [])]
    assert changes[0].url == ""
    assert "Renamed in draft" not in html
    assert '<strong class="change-heading">Session withdrawn</strong> 1.2 Skills' in html


def test_a_withdrawn_session_published_again_says_what_changed_meanwhile(lisbon):
    session = Session.objects.get(title="Skills")
    with _edit(_at(2, 9)):
        session.status = Status.DRAFT
        session.save()
    with _edit(_at(2, 10)):
        session.title = "Skills, again"
        session.status = Status.PUBLISHED
        session.save()

    assert _entries(forum_changes(lisbon))[:2] == [
        ("reinstated", "1.2", "Skills, again", [("Title", "Skills", "Skills, again")]),
        ("withdrawn", "1.2", "Skills", []),
    ]


def test_nothing_before_the_first_publication_is_listed(db):
    with _edit(_at(1, 9)):
        forum = make_forum(slug="draft-forum", status=Status.DRAFT)
        session = make_session(roundtable=make_roundtable(forum=forum), title="First title")
    with _edit(_at(1, 10)):
        session.title = "Second title"
        session.save()
    with reversion.create_revision():
        reversion.set_date_created(_at(2, 9))
        forum_publish(forum=forum)

    assert [(change.kind, change.at) for change in forum_changes(forum)] == [("published", _at(2, 9))]


def test_changes_made_while_the_forum_was_a_draft_again_show_when_it_is_published_again(lisbon):
    session = Session.objects.get(title="Skills")
    with reversion.create_revision():
        reversion.set_date_created(_at(2, 9))
        forum_unpublish(forum=lisbon)
    with _edit(_at(2, 10)):
        session.title = "Skills (moved)"
        session.save()
    with reversion.create_revision():
        reversion.set_date_created(_at(2, 11))
        forum_publish(forum=lisbon)

    assert [(change.kind, change.at, change.title) for change in forum_changes(lisbon)] == [
        ("changed", _at(2, 11), "Skills (moved)"),
        ("published", FIRST_PUBLISHED, ""),
    ]


def test_people_added_and_removed_are_listed_by_role(lisbon):
    session = Session.objects.get(title="Decent work")
    with _edit(_at(2, 9)):
        session.participations.all().delete()
        make_participation(session=session, person=make_person(name="Bo Chen"), role=Participation.Role.RAPPORTEUR)
        session.save()

    change = forum_changes(lisbon)[0]
    assert [(d.label, d.old, d.new, d.kind) for d in change.details] == [
        ("Chair", "Ana Lima", "", "removed"),
        ("Rapporteur", "", "Bo Chen", "added"),
    ]
    assert change.summary == "1.1 Decent work: Chair, Rapporteur"


def test_the_page_words_people_added_and_removed(client, lisbon):
    session = Session.objects.get(title="Decent work")
    with _edit(_at(2, 9)):
        session.participations.all().delete()
        session.save()

    html = _page(client, lisbon).content.decode()

    assert "<li>Chair removed: Ana Lima</li>" in html


def test_documents_added_to_public_places_are_listed_not_those_of_drafts(lisbon):
    public = Session.objects.get(title="Skills")
    draft = Session.objects.get(title="Secret plans")
    with _edit(_at(2, 9)):
        document = make_document(session=public, title="Skills paper")
        make_document(session=draft, title="Draft paper")
    with _edit(_at(2, 10)):
        forum_paper = make_document(forum=lisbon, title="Forum paper")

    changes = forum_changes(lisbon)

    assert [(c.kind, c.code, c.title, c.url) for c in changes] == [
        ("document", "", "Forum paper", forum_paper.get_absolute_url()),
        ("document", "1.2", "Skills paper", document.get_absolute_url()),
        ("published", "", "", ""),
    ]


def test_a_draft_forum_has_no_public_changelog(client, organiser):
    forum = make_forum(status=Status.DRAFT)

    assert _page(client, forum).status_code == 404
    assert client.get(f"/en/forums/{forum.slug}/changes.atom").status_code == 404
    client.force_login(organiser)
    assert _page(client, forum).status_code == 200  # staff preview: nothing published, nothing listed
    assert client.get(f"/en/forums/{forum.slug}/changes.atom").status_code == 404


def test_changelog_is_cached_like_a_page(client, lisbon, django_assert_num_queries):
    first = _page(client, lisbon)

    first_feed = client.get(f"/en/forums/{lisbon.slug}/changes.atom")

    with django_assert_num_queries(1):  # the programme version only
        second = _page(client, lisbon)
    with django_assert_num_queries(1):
        second_feed = client.get(f"/en/forums/{lisbon.slug}/changes.atom")

    assert second.content == first.content
    assert second_feed.content == first_feed.content


# The booklet ----------------------------------------------------------------------------------------


def test_the_booklet_cover_gives_the_date_of_the_last_public_change(lisbon):
    session = Session.objects.get(title="Skills")
    with _edit(_at(2, 13, 5)):  # 14:05 in Lisbon
        session.title = "Skills for all"
        session.save()
    with _edit(_at(3, 9)):  # a draft changes later: not a public change
        draft = Session.objects.get(title="Secret plans")
        draft.title = "Secret plans, revised"
        draft.save()

    export = content.export_for(content.BOOKLET, lisbon, language="en")
    context = content.template_context(export)
    data = document.document_data(export, context)

    assert programme_as_of(lisbon) == _at(2, 13, 5)
    assert context["programme_as_of"] == _at(2, 13, 5)
    assert data["cover"]["as_of"] == "Programme as of 2 May 2020, 14:05."


# Queries ---------------------------------------------------------------------------------------------


def _synthetic_with_history(size):
    forum = synthetic_forum_build(
        slug="synthetic",
        roundtables=4,
        sessions=size,
        people=20,
        rooms=4,
        themes=2,
        issues=0,
        points=0,
        seed=1,
        starts_on=datetime.date(2099, 1, 5),
        time_zone="Asia/Manila",
    )
    forum.documents.all().delete()  # this history starts without the build's papers: one is added below
    sessions = list(Session.objects.filter(roundtable__forum=forum).order_by("pk"))
    with _edit(_at(1, 9)):  # what `manage.py createinitialrevisions` would record
        reversion.add_to_revision(forum)
        for session in sessions:
            reversion.add_to_revision(session)
    with _edit(_at(2, 9)):
        sessions[0].title = "Renamed"
        sessions[0].save()
        sessions[1].participations.first().delete()
        sessions[1].save()
    with _edit(_at(2, 10)):
        make_document(session=sessions[2], title="A paper")
    return forum


@pytest.mark.parametrize("size", [8, 300])
@pytest.mark.parametrize("url", ["changes/", "changes.atom"])
def test_changelog_queries_stay_flat(client, db, django_assert_num_queries, size, url):
    forum = _synthetic_with_history(size)

    # version check, forum, sessions, roundtables, rooms, session versions, role versions, people,
    # forum versions, documents, document versions, the documents' sessions, the documents' roundtables
    with django_assert_num_queries(13):
        response = client.get(f"/en/forums/{forum.slug}/{url}")

    assert response.status_code == 200
    assert [change.kind for change in forum_changes(forum)] == ["document", "changed", "changed", "published"]
