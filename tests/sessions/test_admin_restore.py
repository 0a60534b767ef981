"""Restoring an earlier version in the admin writes that record and the rows edited with it, nothing else,
only what the editor may change, and never over a change someone else saved since the version was opened."""

from html.parser import HTMLParser

import pytest
import reversion
from django.contrib.messages import get_messages
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone
from reversion.models import Version

from core.versions import revision
from roundtables.models import Forum, Roundtable
from sessions.models import Issue, Participation, Session
from tests.factories import (
    make_forum,
    make_issue,
    make_participation,
    make_person,
    make_roundtable,
    make_session,
    make_user,
)


class _FormValues(HTMLParser):
    """The values a browser submits for one form of a page: its fields as rendered, textareas with CRLF."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.values = {}
        self.textarea = None
        self.select = None

    def _add(self, name, value):
        self.values.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
            return
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self._add(name, attrs.get("value", "on"))
                return
            self._add(name, attrs.get("value") or "")
        elif tag == "textarea" and name:
            self.textarea = [name, ""]
        elif tag == "select" and name:
            self.select = {"name": name, "multiple": "multiple" in attrs, "chosen": [], "first": None}
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            if self.select["first"] is None:
                self.select["first"] = value
            if "selected" in attrs:
                self.select["chosen"].append(value)

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            text = text.removeprefix("\n")  # the newline after <textarea> is not part of the value
            self._add(name, text.replace("\r\n", "\n").replace("\n", "\r\n"))
            self.textarea = None
        elif tag == "select" and self.select is not None:
            chosen = self.select["chosen"]
            if not chosen and not self.select["multiple"] and self.select["first"] is not None:
                chosen = [self.select["first"]]
            for value in chosen:
                self._add(self.select["name"], value)
            self.select = None


def submitted(response, model, **overrides):
    """What the browser posts when the editor presses Save on the admin page ``response`` of a ``model``."""
    parser = _FormValues(f"{model._meta.model_name}_form")
    parser.feed(response.content.decode())
    values = parser.values
    assert values, "the page has no form to submit"
    for name, value in overrides.items():
        values[name] = [value]
    return values


def _url(model, page, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def _first_version(obj):
    return Version.objects.get_for_object(obj).order_by("pk").first()


@pytest.fixture
def loaded(athens, organiser, coordinator):
    """Athens 2009 as loaded (one revision for every record), then edited by the committee: the forum and
    roundtable 2 renamed, an issue added to session 2.1, the coordinator assigned to roundtable 1, and
    session 1.1 retitled."""
    first, second, *_others = athens.roundtables.order_by("number")
    mine = first.sessions.get(number=1)
    theirs = second.sessions.get(number=1)
    loaded_title = mine.title
    with revision(user=organiser, comment="Committee edits"):
        Forum.objects.filter(pk=athens.pk).update(name="Athens 2009, renamed")
        Roundtable.objects.filter(pk=second.pk).update(title="Roundtable two, retitled")
        added = make_issue(session=theirs, text="An issue the committee added", position=99)
        first.coordinators.add(coordinator)
        mine.title = "Retitled since the load"
        mine.save()
    return {
        "forum": athens,
        "first": first,
        "second": second,
        "mine": mine,
        "theirs": theirs,
        "loaded_title": loaded_title,
        "added": added,
    }


@pytest.fixture
def coordinator_client(coordinator):
    client = Client()
    client.force_login(coordinator)
    return client


def _restore(client, obj, version, **overrides):
    """Open the version's restore page as the editor and press Save."""
    url = _url(type(obj), "revision", obj.pk, version.pk)
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, submitted(page, type(obj), **overrides))


def test_a_coordinator_restoring_the_programme_load_writes_only_their_session(coordinator_client, coordinator, loaded):
    mine = loaded["mine"]
    history = coordinator_client.get(_url(Session, "history", mine.pk))
    load = history.context["history_entries"][-1].version

    response = _restore(coordinator_client, mine, load)

    assert response.status_code == 302
    mine.refresh_from_db()
    loaded["second"].refresh_from_db()
    assert (mine.title, Forum.objects.get(pk=loaded["forum"].pk).name, loaded["second"].title) == (
        loaded["loaded_title"],
        "Athens 2009, renamed",
        "Roundtable two, retitled",
    )
    assert Issue.objects.filter(pk=loaded["added"].pk).exists()
    assert list(loaded["first"].coordinators.all()) == [coordinator]


def test_a_version_of_another_record_type_under_a_session_address_is_not_restored(coordinator_client, coordinator, db):
    with reversion.create_revision():
        forum = make_forum(pk=4242, name="Forum as first saved")
    forum_version = Version.objects.get_for_object(forum).get()
    Forum.objects.filter(pk=forum.pk).update(name="Forum as it is now")
    mine = make_roundtable(forum=make_forum())
    mine.coordinators.add(coordinator)
    session = make_session(pk=4242, roundtable=mine, title="Mine")
    change_page = coordinator_client.get(_url(Session, "change", session.pk))
    url = _url(Session, "revision", session.pk, forum_version.pk)

    page = coordinator_client.get(url)
    response = coordinator_client.post(url, submitted(change_page, Session))

    assert (page.status_code, response.status_code) == (404, 404)
    assert Forum.objects.get(pk=forum.pk).name == "Forum as it is now"


def test_a_version_of_another_record_type_cannot_be_recovered_as_a_session(coordinator_client, coordinator, db):
    with reversion.create_revision():
        forum = make_forum(pk=4243, name="Forum as first saved")
    forum_version = Version.objects.get_for_object(forum).get()
    Forum.objects.filter(pk=forum.pk).update(name="Forum as it is now")
    mine = make_roundtable(forum=make_forum())
    mine.coordinators.add(coordinator)
    session = make_session(pk=4243, roundtable=mine, title="Mine")
    change_page = coordinator_client.get(_url(Session, "change", session.pk))
    url = reverse("admin:programme_sessions_session_recover", args=[forum_version.pk])

    page = coordinator_client.get(url)
    response = coordinator_client.post(url, submitted(change_page, Session))

    assert (page.status_code, response.status_code) == (404, 404)
    assert Forum.objects.get(pk=forum.pk).name == "Forum as it is now"


def test_an_organiser_restoring_a_session_leaves_other_roundtables_untouched(organiser_client, loaded):
    mine = loaded["mine"]
    load = _first_version(mine)
    theirs_before = list(Issue.objects.filter(session=loaded["theirs"]).order_by("pk").values_list("pk", "text"))

    response = _restore(organiser_client, mine, load)

    assert response.status_code == 302
    mine.refresh_from_db()
    loaded["second"].refresh_from_db()
    assert (mine.title, Forum.objects.get(pk=loaded["forum"].pk).name, loaded["second"].title) == (
        loaded["loaded_title"],
        "Athens 2009, renamed",
        "Roundtable two, retitled",
    )
    assert list(Issue.objects.filter(session=loaded["theirs"]).order_by("pk").values_list("pk", "text")) == (
        theirs_before
    )
    assert list(loaded["first"].coordinators.values_list("username", flat=True)) == ["coordinator"]


def test_a_restore_is_refused_when_someone_saved_the_session_since_it_was_opened(coordinator_client, organiser, loaded):
    mine = loaded["mine"]
    url = _url(Session, "revision", mine.pk, _first_version(mine).pk)
    page = coordinator_client.get(url)
    with revision(user=organiser):
        mine.title = "Saved by the committee meanwhile"
        mine.save()
    saved_at = Version.objects.get_for_object(mine).order_by("-pk").first().revision.date_created

    response = coordinator_client.post(url, submitted(page, Session))

    assert response.status_code == 302
    assert Session.objects.get(pk=mine.pk).title == "Saved by the committee meanwhile"
    when = formats.date_format(timezone.localtime(saved_at, loaded["forum"].zone), "DATETIME_FORMAT")
    assert _messages(response) == [
        f"Nothing was restored: committee saved this session at {when} since you opened this version, and "
        "changed: Title. Open the version again to restore it over their changes."
    ]


@pytest.fixture
def my_session(coordinator):
    """A session of the coordinator's roundtable, saved once with two issues (one with sub-points) and a
    speaker, then changed: retitled, a sub-point reworded, an issue added, the speaker removed."""
    roundtable = make_roundtable(forum=make_forum())
    roundtable.coordinators.add(coordinator)
    speaker = make_person(name="Ana Speaker")
    with revision(comment="First version"):
        session = make_session(roundtable=roundtable, title="As first saved")
        first = make_issue(session=session, text="First issue", position=1)
        make_issue(session=session, parent=first, text="Point A", position=1)
        make_issue(session=session, parent=first, text="Point B", position=2)
        make_issue(session=session, text="Second issue", position=2)
        make_participation(session=session, person=speaker, role="speaker", position=1)
    with revision(comment="Later edits"):
        session.title = "Changed later"
        session.save()
        point = Issue.objects.get(session=session, text="Point B")
        point.text = "Point B, reworded"
        point.save()
        make_issue(session=session, text="Issue added later", position=3)
        Participation.objects.filter(session=session).delete()
    return session


def _contents(session):
    issues = Issue.objects.filter(session=session).order_by(F("parent_id").asc(nulls_first=True), "position")
    return {
        "title": Session.objects.get(pk=session.pk).title,
        "issues": [(issue.parent.text if issue.parent else None, issue.text) for issue in issues],
        "participants": list(
            Participation.objects.filter(session=session).values_list("person__name", "role", "position")
        ),
    }


def test_a_coordinator_restores_their_session_with_its_issues_and_participants(coordinator_client, my_session):
    version = _first_version(my_session)

    response = _restore(coordinator_client, my_session, version)

    assert response.status_code == 302
    assert _contents(my_session) == {
        "title": "As first saved",
        "issues": [
            (None, "First issue"),
            (None, "Second issue"),
            ("First issue", "Point A"),
            ("First issue", "Point B"),
        ],
        "participants": [("Ana Speaker", "speaker", 1)],
    }
    latest = Version.objects.get_for_object(my_session).order_by("-pk").first()
    assert latest.revision.get_comment().startswith("Restored the version saved on ")


def test_a_coordinator_cannot_restore_a_version_that_would_take_an_issue_from_another_roundtable(
    coordinator_client, my_session
):
    version = _first_version(my_session)
    elsewhere = make_session(roundtable=make_roundtable(forum=my_session.roundtable.forum), title="Not mine")
    moved = Issue.objects.get(session=my_session, text="Second issue")
    Issue.objects.filter(pk=moved.pk).update(session=elsewhere)
    before = _contents(my_session)

    page = coordinator_client.get(_url(Session, "revision", my_session.pk, version.pk))
    response = coordinator_client.post(
        _url(Session, "revision", my_session.pk, version.pk),
        submitted(coordinator_client.get(_url(Session, "change", my_session.pk)), Session),
    )

    assert (page.status_code, response.status_code) == (302, 302)
    assert _contents(my_session) == before
    assert Issue.objects.get(pk=moved.pk).session_id == elsewhere.pk
    assert _messages(response) == [
        "Nothing was restored: this version would change records you may not change: "
        f"Issue “Second issue” (now in session “{elsewhere}”)."
    ]


def test_a_coordinator_cannot_recover_a_deleted_session_of_another_roundtable(coordinator_client, coordinator, db):
    forum = make_forum()
    mine = make_roundtable(forum=forum)
    mine.coordinators.add(coordinator)
    with revision():
        theirs = make_session(roundtable=make_roundtable(forum=forum), title="Theirs, deleted")
    version = _first_version(theirs)
    Session.objects.filter(pk=theirs.pk).delete()
    url = reverse("admin:programme_sessions_session_recover", args=[version.pk])

    page = coordinator_client.get(url, follow=True)  # shows the refusal on the list of deleted sessions
    response = coordinator_client.post(url, {"title": "Theirs, deleted", "roundtable": mine.pk})

    assert page.redirect_chain == [(reverse("admin:programme_sessions_session_recoverlist"), 302)]
    assert response.status_code == 302
    assert not Session.objects.filter(pk=theirs.pk).exists()
    assert _messages(response) == [
        f"Nothing was restored: this version would change records you may not change: Session “{theirs}”."
    ]


def test_an_organiser_restoring_the_forum_leaves_sessions_and_coordinators_alone(organiser_client, loaded):
    forum = loaded["forum"]
    load = _first_version(forum)

    response = _restore(organiser_client, forum, load)

    assert response.status_code == 302
    loaded["second"].refresh_from_db()
    assert (Forum.objects.get(pk=forum.pk).name, Session.objects.get(pk=loaded["mine"].pk).title) == (
        "Civil Society Days, Athens 2009",
        "Retitled since the load",
    )
    assert list(loaded["first"].coordinators.values_list("username", flat=True)) == ["coordinator"]
    assert Issue.objects.filter(pk=loaded["added"].pk).exists()


def test_a_user_who_may_only_view_sees_the_version_read_only(client, loaded):
    viewer = make_user(is_staff=True)
    from roundtables.services import coordinator_group_ensure

    viewer.groups.add(coordinator_group_ensure())
    client.force_login(viewer)
    mine = loaded["mine"]

    page = client.get(_url(Session, "revision", mine.pk, _first_version(mine).pk))

    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    html = page.content.decode()
    assert ("You may view this version but not restore it." in html, "Restore this version" in html) == (True, False)
    assert Session.objects.get(pk=mine.pk).title == "Retitled since the load"


def test_the_restore_page_lists_what_saving_writes(coordinator_client, my_session):
    page = coordinator_client.get(_url(Session, "revision", my_session.pk, _first_version(my_session).pk))

    assert page.context["restore_summary"] == [
        "Session “1.1 Changed later”: Title as in this version.",
        "Issue “Point B, reworded”: Text as in this version.",
        "Participant “Ana Speaker (Speaker)” comes back.",
        "Issue “Issue added later”, added since, is deleted.",
    ]
    assert 'value="Restore this version"' in page.content.decode()
    assert Session.objects.get(pk=my_session.pk).title == "Changed later"
    assert Participation.objects.filter(session=my_session).count() == 0


def test_restoring_an_issue_leaves_its_session_as_it_is(coordinator_client, my_session):
    issue = Issue.objects.get(session=my_session, text="Second issue")
    with revision(comment="Issue and session changed"):
        Issue.objects.filter(pk=issue.pk).update(text="Second issue, reworded")
        Session.objects.filter(pk=my_session.pk).update(background="A background written since")
        Issue.objects.get(pk=issue.pk).save()
        Session.objects.get(pk=my_session.pk).save()

    response = _restore(coordinator_client, issue, _first_version(issue))

    assert response.status_code == 302
    my_session.refresh_from_db()
    assert (Issue.objects.get(pk=issue.pk).text, my_session.title, my_session.background) == (
        "Second issue",
        "Changed later",
        "A background written since",
    )


def test_a_coordinator_recovers_a_deleted_session_of_their_roundtable_with_its_issues(coordinator_client, my_session):
    version = Version.objects.get_for_object(my_session).order_by("-pk").first()
    Session.objects.filter(pk=my_session.pk).delete()
    url = reverse("admin:programme_sessions_session_recover", args=[version.pk])

    page = coordinator_client.get(url)
    response = coordinator_client.post(url, submitted(page, Session))

    assert response.status_code == 302
    assert _contents(my_session) == {
        "title": "Changed later",
        "issues": [
            (None, "First issue"),
            (None, "Second issue"),
            (None, "Issue added later"),
            ("First issue", "Point A"),
            ("First issue", "Point B, reworded"),
        ],
        "participants": [],
    }


def test_a_forum_restore_that_would_delete_a_room_in_use_is_refused(organiser_client, db):
    from sessions.models import Room
    from tests.factories import make_room

    with revision():
        forum = make_forum(name="As first saved")
    version = _first_version(forum)
    with revision():
        Forum.objects.filter(pk=forum.pk).update(name="Renamed")
        room = make_room(forum=forum, name="Room added since")
        make_session(roundtable=make_roundtable(forum=forum), room=room, title="In the new room")

    page = organiser_client.get(_url(Forum, "revision", forum.pk, version.pk))

    assert page.status_code == 302
    assert _messages(page) == [
        "This version cannot be restored: it would delete rows added since that other records use "
        "(Session “1.1 In the new room”)."
    ]
    assert (Forum.objects.get(pk=forum.pk).name, Room.objects.filter(pk=room.pk).exists()) == ("Renamed", True)
