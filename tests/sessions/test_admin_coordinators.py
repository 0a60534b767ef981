"""Roundtable coordinators edit their roundtables' sessions, issues and roles, and see the rest read-only."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from core.permissions import ROUNDTABLE_COORDINATORS
from core.versions import edit_token
from roundtables.models import Roundtable, Status
from sessions.models import Issue, Participation, Session
from tests.admin_forms import admin_add_data, admin_change_data
from tests.factories import (
    make_forum,
    make_issue,
    make_participation,
    make_person,
    make_roundtable,
    make_session,
    make_user,
)


def _url(model, page, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


@pytest.fixture
def programme(db):
    """Two roundtables of one forum, one session each; the coordinator is assigned the first."""
    forum = make_forum()
    mine = make_roundtable(forum=forum, number=1)
    theirs = make_roundtable(forum=forum, number=2)
    return {
        "mine": mine,
        "theirs": theirs,
        "my_session": make_session(roundtable=mine, number=1, title="Mine"),
        "their_session": make_session(roundtable=theirs, number=1, title="Theirs"),
    }


@pytest.fixture
def coordinator_client(coordinator, programme):
    programme["mine"].coordinators.add(coordinator)
    client = Client()
    client.force_login(coordinator)
    return client


def test_coordinator_changes_a_session_of_their_roundtable(coordinator_client, programme):
    session = programme["my_session"]

    data = admin_change_data(coordinator_client, session, title="Mine, retitled")

    response = coordinator_client.post(_url(Session, "change", session.pk), data)

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.title == "Mine, retitled"


def test_coordinator_cannot_change_another_roundtables_session_by_post(coordinator_client, programme, organiser_client):
    session = programme["their_session"]
    data = admin_change_data(organiser_client, session, title="Hijacked")  # the form as an editor of it has it

    response = coordinator_client.post(_url(Session, "change", session.pk), data)

    assert response.status_code == 403
    session.refresh_from_db()
    assert session.title == "Theirs"


def test_coordinator_sees_another_roundtables_session_read_only(coordinator_client, programme):
    session = programme["their_session"]
    make_issue(parent=make_issue(session=session, text="Their issue"), text="Their sub-point")

    response = coordinator_client.get(_url(Session, "change", session.pk))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Their sub-point" in html
    assert 'name="issues-0-text"' not in html
    assert response.context["has_change_permission"] is False
    assert response.context["has_delete_permission"] is False
    assert "edit_token" not in response.context["adminform"].form.fields or not any(
        "edit_token" in options["fields"] for _name, options in response.context["adminform"].fieldsets
    )
    assert [(f.has_add_permission, f.has_change_permission) for f in response.context["inline_admin_formsets"]] == [
        (False, False),
        (False, False),
    ]


def test_coordinator_cannot_move_a_session_into_a_roundtable_not_theirs(coordinator_client, programme):
    session = programme["my_session"]
    data = admin_change_data(coordinator_client, session, roundtable=programme["theirs"].pk, number=5)

    response = coordinator_client.post(_url(Session, "change", session.pk), data)

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["roundtable"]
    session.refresh_from_db()
    assert session.roundtable == programme["mine"]


def test_coordinator_add_page_offers_only_their_roundtables(coordinator_client, programme):
    response = coordinator_client.get(_url(Session, "add"))

    assert list(response.context["adminform"].form.fields["roundtable"].queryset) == [programme["mine"]]


def test_coordinator_cannot_add_a_session_to_another_roundtable(coordinator_client, programme):
    data = admin_add_data(
        coordinator_client, Session, roundtable=programme["theirs"].pk, number=2, title="New", slug="new"
    )

    response = coordinator_client.post(_url(Session, "add"), data)

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["roundtable"]
    assert programme["theirs"].sessions.count() == 1


def test_coordinator_adds_a_session_to_their_roundtable(coordinator_client, programme):
    data = admin_add_data(
        coordinator_client, Session, roundtable=programme["mine"].pk, number=2, title="New", slug="new"
    )

    response = coordinator_client.post(_url(Session, "add"), data)

    assert response.status_code == 302
    assert list(programme["mine"].sessions.values_list("title", flat=True)) == ["Mine", "New"]


def test_coordinator_without_a_roundtable_cannot_add_sessions(coordinator, programme, client):
    client.force_login(coordinator)

    response = client.get(_url(Session, "add"))

    assert response.status_code == 403


def test_coordinator_cannot_delete_another_roundtables_session(coordinator_client, programme):
    session = programme["their_session"]

    response = coordinator_client.post(_url(Session, "delete", session.pk), {"post": "yes"})

    assert response.status_code == 403
    assert Session.objects.filter(pk=session.pk).exists()


def test_coordinator_publish_action_changes_only_their_sessions(coordinator_client, programme):
    Session.objects.update(status=Status.DRAFT)
    data = {
        "action": "publish",
        "_selected_action": [programme["my_session"].pk, programme["their_session"].pk],
    }

    response = coordinator_client.post(_url(Session, "changelist"), data, follow=True)

    assert dict(Session.objects.values_list("title", "status")) == {"Mine": "published", "Theirs": "draft"}
    assert [str(message) for message in response.context["messages"]] == [
        "Published 1 session: 1.1.",
        "1 session belongs to a roundtable you do not coordinate: it was left as it was.",
    ]


def test_coordinator_cannot_reorder_another_roundtables_sessions(coordinator_client, programme):
    second = make_session(roundtable=programme["theirs"], number=2)

    response = coordinator_client.post(_url(Session, "move", second.pk, "up"))

    assert response.status_code == 403
    assert list(programme["theirs"].sessions.order_by("number").values_list("pk", flat=True)) == [
        programme["their_session"].pk,
        second.pk,
    ]


def test_coordinator_changelist_offers_reordering_only_on_their_sessions(coordinator_client, programme):
    response = coordinator_client.get(_url(Session, "changelist"))

    rows = {session.title: session.is_editable for session in response.context["cl"].result_list}
    assert rows == {"Mine": True, "Theirs": False}
    assert _url(Session, "move", programme["my_session"].pk, "up") in response.content.decode()
    assert _url(Session, "move", programme["their_session"].pk, "up") not in response.content.decode()


def test_coordinator_cannot_change_an_issue_of_another_roundtable(coordinator_client, programme):
    issue = make_issue(session=programme["their_session"], text="Original")
    data = {
        "edit_token": edit_token(issue),
        "session": issue.session_id,
        "parent": "",
        "kind": "main_issue",
        "text": "Hijacked",
        "position": 1,
        "points-TOTAL_FORMS": "0",
        "points-INITIAL_FORMS": "0",
    }

    response = coordinator_client.post(_url(Issue, "change", issue.pk), data)

    assert response.status_code == 403
    issue.refresh_from_db()
    assert issue.text == "Original"


def test_coordinator_cannot_move_an_issue_into_another_roundtables_session(coordinator_client, programme):
    issue = make_issue(session=programme["my_session"], text="Mine")
    data = admin_change_data(coordinator_client, issue, session=str(programme["their_session"].pk))

    response = coordinator_client.post(_url(Issue, "change", issue.pk), data)

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["session"]
    issue.refresh_from_db()
    assert issue.session == programme["my_session"]


def test_coordinator_edits_issues_and_roles_of_their_session_inline(coordinator_client, programme):
    session = programme["my_session"]
    person = make_person()
    data = admin_change_data(
        coordinator_client,
        session,
        **{
            "issues-TOTAL_FORMS": "1",
            "issues-0-kind": "main_issue",
            "issues-0-text": "An issue",
            "issues-0-position": "1",
            "issues-0-points": "A point",
            "participations-TOTAL_FORMS": "1",
            "participations-0-person": person.pk,
            "participations-0-role": "chair",
            "participations-0-position": "1",
        },
    )

    response = coordinator_client.post(_url(Session, "change", session.pk), data)

    assert response.status_code == 302
    issue = session.issues.get(parent__isnull=True)
    assert (issue.kind, issue.text, list(issue.points.values_list("kind", "text"))) == (
        "main_issue",
        "An issue",
        [("point", "A point")],
    )
    assert list(session.participations.values_list("person", "role")) == [(person.pk, "chair")]


def test_coordinator_cannot_change_a_role_in_another_roundtables_session(coordinator_client, programme):
    participation = make_participation(session=programme["their_session"], role="speaker")
    data = {
        "edit_token": edit_token(participation),
        "session": participation.session_id,
        "person": participation.person_id,
        "role": "chair",
        "position": 1,
    }

    response = coordinator_client.post(_url(Participation, "change", participation.pk), data)

    assert response.status_code == 403
    participation.refresh_from_db()
    assert participation.role == "speaker"


def test_coordinator_cannot_change_roundtables_or_forums(coordinator_client, programme):
    roundtable = programme["mine"]
    data = {"forum": roundtable.forum_id, "number": 1, "title": "Hijacked", "slug": roundtable.slug}

    responses = [
        coordinator_client.post(_url(Roundtable, "change", roundtable.pk), data).status_code,
        coordinator_client.get(_url(Roundtable, "change", roundtable.pk)).context["has_change_permission"],
    ]

    assert responses == [403, False]
    roundtable.refresh_from_db()
    assert roundtable.title != "Hijacked"


def test_coordinator_cannot_restore_a_version_of_another_roundtables_session(coordinator_client, programme, client):
    from reversion.models import Version

    session = programme["their_session"]
    committee = make_user(is_superuser=True, is_staff=True)
    client.force_login(committee)
    client.post(_url(Session, "change", session.pk), admin_change_data(client, session, title="Theirs, v2"))
    first = Version.objects.get_for_object(session).order_by("pk").first()
    data = admin_change_data(client, session, title="Theirs")  # the form as the committee has it

    response = coordinator_client.post(_url(Session, "revision", session.pk, first.pk), data)

    assert response.status_code == 403
    session.refresh_from_db()
    assert session.title == "Theirs, v2"


def test_assigning_a_coordinator_in_the_admin_adds_them_to_the_group(organiser_client, programme):
    user = make_user(username="newcoordinator", is_staff=True)
    roundtable = programme["mine"]
    data = admin_change_data(organiser_client, roundtable, coordinators=[str(user.pk)])

    response = organiser_client.post(_url(Roundtable, "change", roundtable.pk), data)

    assert response.status_code == 302
    assert list(roundtable.coordinators.all()) == [user]
    assert list(user.groups.values_list("name", flat=True)) == [ROUNDTABLE_COORDINATORS]


def test_only_staff_can_be_assigned_as_coordinators(organiser_client, programme):
    outsider = make_user(username="outsider", is_staff=False)

    response = organiser_client.get(_url(Roundtable, "change", programme["mine"].pk))

    choices = response.context["adminform"].form.fields["coordinators"].queryset
    assert outsider not in choices
    assert Group.objects.filter(name=ROUNDTABLE_COORDINATORS).exists()


def test_coordinator_cannot_bulk_delete_another_roundtables_session(coordinator_client, programme):
    data = {"action": "delete_selected", "_selected_action": [programme["their_session"].pk], "post": "yes"}

    response = coordinator_client.post(_url(Session, "changelist"), data)

    assert response.status_code == 403
    assert Session.objects.count() == 2
