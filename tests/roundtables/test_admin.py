"""The committee's forum and roundtable pages: publishing, the next edition, the dashboard, no lost updates."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from core.versions import edit_token
from roundtables.models import Forum, Roundtable, Status
from sessions.models import Issue, Session
from tests.admin_forms import admin_change_data, english, retyped
from tests.factories import (
    make_forum,
    make_issue,
    make_participation,
    make_person,
    make_room,
    make_roundtable,
    make_session,
    make_user,
)


def _messages(response):
    return [str(message) for message in response.context["messages"]]


# Draft and publish ------------------------------------------------------------------------------


def test_publishing_a_forum_says_what_delegates_now_see(organiser_client):
    forum = make_forum(name="Athens 2009", status=Status.DRAFT)
    roundtable = make_roundtable(forum=forum)
    make_session(roundtable=roundtable, status=Status.PUBLISHED)
    make_session(roundtable=roundtable, status=Status.PUBLISHED)
    make_session(roundtable=roundtable, status=Status.DRAFT)

    response = organiser_client.post(
        reverse("admin:roundtables_forum_changelist"),
        {"action": "publish", "_selected_action": [forum.pk]},
        follow=True,
    )

    forum.refresh_from_db()
    assert forum.status == Status.PUBLISHED
    assert _messages(response) == [
        "Published “Athens 2009”: delegates now see it with its 2 published sessions. "
        "1 session is still a draft and stays hidden."
    ]


def test_taking_a_forum_back_to_draft_hides_it_from_the_public(organiser_client, client):
    forum = make_forum(name="Athens 2009", status=Status.PUBLISHED)

    response = organiser_client.post(
        reverse("admin:roundtables_forum_changelist"),
        {"action": "unpublish", "_selected_action": [forum.pk]},
        follow=True,
    )

    assert _messages(response) == [
        "“Athens 2009” is a draft again: hidden from the public; staff can still preview it."
    ]
    assert Client().get(forum.get_absolute_url()).status_code == 404
    assert organiser_client.get(forum.get_absolute_url()).status_code == 200


def test_publishing_sessions_of_a_draft_forum_warns_that_the_forum_is_still_a_draft(organiser_client):
    forum = make_forum(name="Next edition", status=Status.DRAFT)
    session = make_session(roundtable=make_roundtable(forum=forum), status=Status.DRAFT)
    published = make_session(roundtable=session.roundtable, status=Status.PUBLISHED)

    response = organiser_client.post(
        reverse("admin:programme_sessions_session_changelist"),
        {"action": "publish", "_selected_action": [session.pk, published.pk]},
        follow=True,
    )

    assert _messages(response) == [
        "Published 1 session: 1.1.",
        "1 session was published already: 1.2.",
        "The forum “Next edition” is still a draft: delegates will see these sessions once it is published.",
    ]
    assert set(Session.objects.values_list("status", flat=True)) == {Status.PUBLISHED}


def test_staff_view_a_draft_session_on_site_exactly_as_delegates_will(organiser_client):
    session = make_session(status=Status.DRAFT, title="A draft session")
    view_on_site = reverse("admin:view_on_site", args=[_content_type_id(Session), session.pk])

    response = organiser_client.get(view_on_site, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0].endswith(session.get_absolute_url())
    assert response.context["session"] == session
    assert Client().get(session.get_absolute_url()).status_code == 404


def _content_type_id(model):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(model).pk


# The next edition -------------------------------------------------------------------------------


def test_the_duplicate_action_leads_to_the_small_form(organiser_client):
    forum = make_forum()

    response = organiser_client.post(
        reverse("admin:roundtables_forum_changelist"), {"action": "duplicate", "_selected_action": [forum.pk]}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:roundtables_forum_duplicate", args=[forum.pk])


def test_the_duplicate_action_wants_exactly_one_forum(organiser_client):
    forums = [make_forum(), make_forum()]

    response = organiser_client.post(
        reverse("admin:roundtables_forum_changelist"),
        {"action": "duplicate", "_selected_action": [forum.pk for forum in forums]},
        follow=True,
    )

    assert _messages(response) == ["Choose exactly one forum to duplicate."]
    assert Forum.objects.count() == 2


def test_the_forum_page_links_to_the_duplicate_form(organiser_client):
    forum = make_forum()

    response = organiser_client.get(reverse("admin:roundtables_forum_change", args=[forum.pk]))

    assert reverse("admin:roundtables_forum_duplicate", args=[forum.pk]) in response.content.decode()


def test_the_duplicate_form_suggests_next_years_edition(organiser_client):
    forum = make_forum(name="Athens 2009", slug="athens-2009", starts_on=datetime.date(2009, 11, 2))

    response = organiser_client.get(reverse("admin:roundtables_forum_duplicate", args=[forum.pk]))

    form = response.context["form"]
    assert (form["name"].value(), form["slug"].value(), form["starts_on"].value()) == (
        "Athens 2009 (next edition)",
        "athens-2009-next",
        datetime.date(2010, 11, 1),
    )


def test_duplicating_the_athens_forum_copies_the_programme_into_a_draft(organiser_client, athens):
    url = reverse("admin:roundtables_forum_duplicate", args=[athens.pk])
    data = {
        "name": "Civil Society Days, Manila 2010",
        "slug": "manila-2010",
        "city": "Manila",
        "country": "Philippines",
        "time_zone": "Asia/Manila",
        "starts_on": "2010-09-27",
    }

    response = organiser_client.post(url, data, follow=True)

    copy = Forum.objects.get(slug="manila-2010")
    assert response.redirect_chain[-1][0] == reverse("admin:roundtables_forum_change", args=[copy.pk])
    assert _messages(response) == [
        "Created the draft forum “Civil Society Days, Manila 2010” from “Civil Society Days, Athens 2009”: "
        "3 roundtables, 8 sessions (drafts), 76 issues and sub-points, 3 rooms. Check the new dates and times."
    ]
    assert (copy.status, copy.starts_on, copy.ends_on) == (
        Status.DRAFT,
        datetime.date(2010, 9, 27),
        datetime.date(2010, 9, 28),
    )


def test_the_duplicate_form_refuses_a_slug_in_use(organiser_client):
    forum = make_forum(slug="athens-2009")

    response = organiser_client.post(
        reverse("admin:roundtables_forum_duplicate", args=[forum.pk]),
        {"name": "Copy", "slug": "athens-2009", "starts_on": "2010-11-02"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["slug"] == ["A forum with this slug exists already."]
    assert Forum.objects.count() == 1


def test_a_coordinator_cannot_duplicate_a_forum(coordinator, client):
    forum = make_forum()
    client.force_login(coordinator)

    response = client.post(
        reverse("admin:roundtables_forum_duplicate", args=[forum.pk]),
        {"name": "Copy", "slug": "copy", "starts_on": "2010-11-02"},
    )

    assert response.status_code == 403
    assert Forum.objects.count() == 1


# The committee's dashboard ----------------------------------------------------------------------


@pytest.fixture
def gappy_forum(db):
    """A forum whose programme misses a few things, and has a clash."""
    forum = make_forum(name="Gappy forum")
    room = make_room(forum=forum, name="Room A")
    done = make_roundtable(forum=forum, number=1, background="Written.")
    bare = make_roundtable(forum=forum, number=2, title="Bare", background="  ")
    complete = make_session(roundtable=done, number=1, title="Complete", room=room)
    make_participation(session=complete, role="chair")
    make_participation(session=complete, role="rapporteur")
    make_session(roundtable=done, number=2, title="Unscheduled", starts_at=None, ends_at=None, room=room)
    make_session(
        roundtable=bare,
        number=1,
        title="Same room",
        room=room,
        starts_at=complete.starts_at,
        ends_at=complete.ends_at,
    )
    return forum, bare


def test_the_dashboard_lists_what_is_missing_with_links_to_fix_it(organiser_client, gappy_forum):
    _forum, bare = gappy_forum

    response = organiser_client.get(reverse("admin:roundtables_forum_dashboard"))

    [todo] = response.context["todo"]
    assert [s.title for s in todo.without_time] == ["Unscheduled"]
    assert [s.title for s in todo.without_room] == []
    assert [s.title for s in todo.without_chair] == ["Unscheduled", "Same room"]
    assert [s.title for s in todo.without_rapporteur] == ["Unscheduled", "Same room"]
    assert todo.roundtables_without_background == [bare]
    assert [(c.kind, c.first.title, c.second.title, c.subject.name) for c in todo.clashes] == [
        ("room", "Complete", "Same room", "Room A")
    ]
    assert [s.title for s in todo.without_documents] == ["Complete", "Unscheduled", "Same room"]
    assert todo.count == 10
    html = response.content.decode()
    assert reverse("admin:roundtables_roundtable_change", args=[bare.pk]) in html
    unscheduled = Session.objects.get(title="Unscheduled")
    assert reverse("admin:programme_sessions_session_change", args=[unscheduled.pk]) in html
    assert "Room A is booked twice:" in html


def test_the_dashboard_shows_clash_times_in_the_forum_time_zone(organiser_client, gappy_forum):
    response = organiser_client.get(reverse("admin:roundtables_forum_dashboard"))

    assert "(Mon 2 Nov, 10:00–11:00)" in response.content.decode()


def test_the_dashboard_can_show_one_forum(organiser_client, gappy_forum):
    forum, _bare = gappy_forum
    make_forum(name="Other forum")

    response = organiser_client.get(reverse("admin:roundtables_forum_dashboard"), {"forum": forum.pk})

    assert [item.forum for item in response.context["todo"]] == [forum]


@pytest.mark.parametrize("count", [1, 3])
def test_the_dashboard_queries_stay_flat(organiser_client, django_assert_num_queries, count):
    for _ in range(count):
        forum = make_forum()
        session = make_session(roundtable=make_roundtable(forum=forum))
        make_participation(session=session, role="chair")

    # session, user, 2 × permissions, committee check (menu), forums, sessions, roles, roundtables, forum menu;
    # the French and Spanish figures: roundtables, sessions, issues
    with django_assert_num_queries(13):
        response = organiser_client.get(reverse("admin:roundtables_forum_dashboard"))

    assert len(response.context["todo"]) == count


def test_the_admin_index_links_to_the_dashboard(organiser_client):
    response = organiser_client.get(reverse("admin:index"))

    assert reverse("admin:roundtables_forum_dashboard") in response.content.decode()


def test_the_dashboard_needs_view_permissions(db, client):
    client.force_login(make_user(is_staff=True))

    response = client.get(reverse("admin:roundtables_forum_dashboard"))

    assert response.status_code == 403


# No lost updates on forums and roundtables ------------------------------------------------------


def test_a_second_save_of_a_forum_is_refused_with_who_and_what(organiser_client, organiser):
    forum = make_forum(venue="Megaron")
    stale = admin_change_data(organiser_client, forum)
    other = Client()
    other.force_login(make_user(username="maria", is_staff=True, is_superuser=True))
    other.post(
        reverse("admin:roundtables_forum_change", args=[forum.pk]), admin_change_data(other, forum, venue="Divani")
    )

    response = organiser_client.post(
        reverse("admin:roundtables_forum_change", args=[forum.pk]), retyped(stale, venue="Megaron Hall")
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors[english("venue")] == ["Changed meanwhile by maria to: Divani"]
    forum.refresh_from_db()
    assert forum.venue == "Divani"


def test_a_roundtable_changed_meanwhile_by_a_session_edit_is_a_conflict(organiser_client):
    roundtable = make_roundtable()
    session = make_session(roundtable=roundtable, title="Before")
    token = edit_token(roundtable)
    Session.objects.filter(pk=session.pk).update(title="After")
    data = admin_change_data(organiser_client, roundtable, edit_token=token, title="New roundtable title")

    response = organiser_client.post(reverse("admin:roundtables_roundtable_change", args=[roundtable.pk]), data)

    assert response.status_code == 200
    assert list(response.context["adminform"].form.non_field_errors())[1:] == ["Sessions, now: 1.1 After"]
    roundtable.refresh_from_db()
    assert roundtable.title != "New roundtable title"


# Reordering sessions ----------------------------------------------------------------------------


def test_moving_a_session_up_swaps_it_with_the_one_before(organiser_client):
    roundtable = make_roundtable()
    first = make_session(roundtable=roundtable, number=1, title="First")
    second = make_session(roundtable=roundtable, number=2, title="Second")
    changelist = reverse("admin:programme_sessions_session_changelist") + f"?roundtable__id__exact={roundtable.pk}"

    response = organiser_client.post(
        reverse("admin:programme_sessions_session_move", args=[second.pk, "up"]), HTTP_REFERER=changelist
    )

    assert response["Location"] == changelist
    assert list(roundtable.sessions.order_by("number").values_list("title", flat=True)) == ["Second", "First"]
    assert (first.pk, second.pk) == tuple(roundtable.sessions.order_by("-number").values_list("pk", flat=True))


def test_moving_the_first_session_up_changes_nothing_and_says_so(organiser_client):
    session = make_session(number=1, title="First")
    make_session(roundtable=session.roundtable, number=2)

    response = organiser_client.post(
        reverse("admin:programme_sessions_session_move", args=[session.pk, "up"]), follow=True
    )

    assert _messages(response) == ["Session 1.1 is already the first of its roundtable."]
    session.refresh_from_db()
    assert session.number == 1


def test_the_move_view_refuses_get(organiser_client):
    session = make_session()

    response = organiser_client.get(reverse("admin:programme_sessions_session_move", args=[session.pk, "down"]))

    assert response.status_code == 405


def test_issues_saved_in_a_new_order_show_in_that_order_on_the_public_page(organiser_client):
    session = make_session(status=Status.PUBLISHED)
    first = make_issue(session=session, text="First issue", position=1)
    second = make_issue(session=session, text="Second issue", position=2)
    data = admin_change_data(organiser_client, session, **{"issues-0-position": "2", "issues-1-position": "1"})
    assert [
        (data["issues-0-id"], data[english("issues-0-text")]),
        (data["issues-1-id"], data[english("issues-1-text")]),
    ] == [
        (str(first.pk), "First issue"),
        (str(second.pk), "Second issue"),
    ]

    response = organiser_client.post(reverse("admin:programme_sessions_session_change", args=[session.pk]), data)

    assert response.status_code == 302, response.context["errors"] if response.context else response
    page = Client().get(session.get_absolute_url())
    assert [issue.text for issue in page.context["session"].top_issues] == ["Second issue", "First issue"]


def test_issue_rows_carry_the_reorder_buttons_script(organiser_client):
    session = make_session()
    make_issue(session=session)

    response = organiser_client.get(reverse("admin:programme_sessions_session_change", args=[session.pk]))

    html = response.content.decode()
    assert "js/admin_reorder.js" in html
    assert 'data-reorder="position" data-move-up="Move up" data-move-down="Move down"' in html


def test_the_coordinators_are_chosen_among_staff(organiser_client):
    staff = make_user(username="staffer", is_staff=True)
    make_user(username="delegate", is_staff=False)
    roundtable = make_roundtable()

    response = organiser_client.get(reverse("admin:roundtables_roundtable_change", args=[roundtable.pk]))

    coordinators = response.context["adminform"].form.fields["coordinators"].queryset
    assert list(coordinators.filter(username__in=["staffer", "delegate"])) == [staff]
    assert Roundtable.coordinators.field.remote_field.limit_choices_to == {"is_staff": True}


def test_a_person_is_copied_only_when_asked(organiser_client):
    forum = make_forum()
    session = make_session(roundtable=make_roundtable(forum=forum))
    make_participation(session=session, person=make_person(), role="chair")
    place = {"city": "Athens", "country": "Greece", "time_zone": "Europe/Athens"}

    organiser_client.post(
        reverse("admin:roundtables_forum_duplicate", args=[forum.pk]),
        {"name": "With people", "slug": "with-people", "starts_on": "2010-11-02", "with_people": "on", **place},
    )
    organiser_client.post(
        reverse("admin:roundtables_forum_duplicate", args=[forum.pk]),
        {"name": "Without", "slug": "without", "starts_on": "2010-11-02", **place},
    )

    counts = {
        slug: Session.objects.get(roundtable__forum__slug=slug).participations.count()
        for slug in ["with-people", "without"]
    }
    assert counts == {"with-people": 1, "without": 0}
    assert Issue.objects.count() == 0
