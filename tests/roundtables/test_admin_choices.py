"""Several editions in the admin: every choice, filter and list names the forum, and the session list filters
by forum first (remembered), then by that forum's roundtables and rooms."""

import datetime

import pytest
from django.urls import reverse

from sessions.models import Issue, Participation, Session
from tests.factories import (
    make_forum,
    make_issue,
    make_participation,
    make_room,
    make_roundtable,
    make_session,
)

pytestmark = pytest.mark.django_db

TITLE = "Doing protection of migrant workers"
SESSIONS = reverse("admin:programme_sessions_session_changelist")
FORUM = "forum"


@pytest.fixture
def editions():
    """Dhaka 2016 and its copy Berlin 2017: the same roundtable titles, room names and session codes."""
    forums = {}
    for name, year in [("Dhaka 2016", 2016), ("Berlin 2017", 2017)]:
        forum = make_forum(
            name=name,
            slug=name.lower().replace(" ", "-"),
            starts_on=datetime.date(year, 12, 8),
            ends_on=datetime.date(year, 12, 9),
            time_zone="Asia/Dhaka",
        )
        room = make_room(forum=forum, name="Hall A", position=1)
        for number in [1, 3]:
            roundtable = make_roundtable(forum=forum, number=number, title=TITLE if number == 1 else "Development")
            make_session(roundtable=roundtable, number=1, title=f"Session {number}.1 of {name}", room=room)
        forums[name] = forum
    return forums


def _choices(field):
    return [label for value, label in field.widget.choices if value != ""]


def _filter(response, title):
    spec = next(spec for spec in response.context["cl"].filter_specs if str(spec.title) == title)
    return [str(choice["display"]) for choice in spec.choices(response.context["cl"])]


def test_the_session_form_names_each_roundtable_with_its_forum(organiser_client, editions):
    response = organiser_client.get(reverse("admin:programme_sessions_session_add"))

    form = response.context["adminform"].form
    assert _choices(form.fields["roundtable"]) == [
        f"Berlin 2017 · Roundtable 1: {TITLE}",
        "Berlin 2017 · Roundtable 3: Development",
        f"Dhaka 2016 · Roundtable 1: {TITLE}",
        "Dhaka 2016 · Roundtable 3: Development",
    ]
    assert _choices(form.fields["room"]) == ["Berlin 2017 · Hall A", "Dhaka 2016 · Hall A"]


def test_a_sessions_room_choices_are_its_forums(organiser_client, editions):
    session = Session.objects.get(roundtable__forum=editions["Dhaka 2016"], roundtable__number=1)

    response = organiser_client.get(reverse("admin:programme_sessions_session_change", args=[session.pk]))

    assert _choices(response.context["adminform"].form.fields["room"]) == ["Dhaka 2016 · Hall A"]


@pytest.mark.parametrize("roundtables", [1, 4])
def test_forum_names_in_choices_cost_no_query_per_roundtable(
    organiser_client, django_assert_num_queries, editions, roundtables
):
    forum = make_forum(name="Extra")
    for number in range(1, roundtables + 1):
        make_roundtable(forum=forum, number=number)
        make_room(forum=forum)

    # session, user, 2 × permissions, committee check, the roundtables and the rooms with their forums,
    # 2 × savepoint (revision)
    with django_assert_num_queries(9):
        organiser_client.get(reverse("admin:programme_sessions_session_add"))


def test_the_session_list_filters_by_forum_first_and_then_offers_only_its_roundtables_and_rooms(
    organiser_client, editions
):
    dhaka = editions["Dhaka 2016"]

    everything = organiser_client.get(SESSIONS)
    narrowed = organiser_client.get(SESSIONS, {FORUM: dhaka.pk})

    filters = [str(spec.title) for spec in everything.context["cl"].filter_specs]
    assert filters[0] == "forum"
    assert _filter(everything, "forum") == ["All forums", "Berlin 2017", "Dhaka 2016"]
    assert _filter(everything, "roundtable") == [
        "All",
        f"Berlin 2017 · Roundtable 1: {TITLE}",
        "Berlin 2017 · Roundtable 3: Development",
        f"Dhaka 2016 · Roundtable 1: {TITLE}",
        "Dhaka 2016 · Roundtable 3: Development",
    ]
    assert _filter(everything, "room") == ["All", "Berlin 2017 · Hall A", "Dhaka 2016 · Hall A"]
    assert _filter(narrowed, "roundtable") == ["All", f"Roundtable 1: {TITLE}", "Roundtable 3: Development"]
    assert _filter(narrowed, "room") == ["All", "Hall A"]
    assert [session.title for session in narrowed.context["cl"].result_list] == [
        "Session 1.1 of Dhaka 2016",
        "Session 3.1 of Dhaka 2016",
    ]


def test_choosing_another_forum_clears_the_roundtable_chosen_in_the_first(organiser_client, editions):
    dhaka, berlin = editions["Dhaka 2016"], editions["Berlin 2017"]
    roundtable = dhaka.roundtables.get(number=1)

    response = organiser_client.get(SESSIONS, {FORUM: dhaka.pk, "roundtable": roundtable.pk})

    spec = response.context["cl"].filter_specs[0]
    berlin_choice = next(c for c in spec.choices(response.context["cl"]) if c["display"] == "Berlin 2017")
    assert berlin_choice["query_string"] == f"?{FORUM}={berlin.pk}"


def test_searching_a_code_within_a_forum_finds_that_forums_session_and_the_list_names_the_forum(
    organiser_client, editions
):
    everywhere = organiser_client.get(SESSIONS, {"q": "3.1", FORUM: "all"})
    in_dhaka = organiser_client.get(SESSIONS, {"q": "3.1", FORUM: editions["Dhaka 2016"].pk})

    assert sorted(session.title for session in everywhere.context["cl"].result_list) == [
        "Session 3.1 of Berlin 2017",
        "Session 3.1 of Dhaka 2016",
    ]
    assert [session.title for session in in_dhaka.context["cl"].result_list] == ["Session 3.1 of Dhaka 2016"]
    assert '<td class="field-forum">Dhaka 2016</td>' in everywhere.content.decode()
    # One forum: the filter and the time zone sentence name it, and the column is left out for room.
    assert "field-forum" not in in_dhaka.content.decode()


def test_the_session_list_remembers_the_forum_last_chosen(organiser_client, client, editions, coordinator):
    dhaka = editions["Dhaka 2016"]

    organiser_client.get(SESSIONS, {FORUM: dhaka.pk})
    back = organiser_client.get(SESSIONS)
    client.force_login(coordinator)
    someone_else = client.get(SESSIONS)
    organiser_client.get(SESSIONS, {FORUM: "all"})
    all_again = organiser_client.get(SESSIONS, {"o": "2"})

    assert (back.status_code, back["Location"]) == (302, f"{SESSIONS}?{FORUM}={dhaka.pk}")
    assert someone_else.status_code == 200
    assert (all_again.status_code, all_again["Location"]) == (302, f"{SESSIONS}?o=2&{FORUM}=all")


def test_links_made_with_the_old_filter_parameters_lead_to_the_same_list(organiser_client, editions):
    roundtable = editions["Dhaka 2016"].roundtables.get(number=1)

    response = organiser_client.get(
        SESSIONS, {"roundtable__forum__id__exact": roundtable.forum_id, "roundtable__id__exact": roundtable.pk}
    )

    assert response["Location"] == f"{SESSIONS}?forum={roundtable.forum_id}&roundtable={roundtable.pk}"
    assert [s.title for s in organiser_client.get(response["Location"]).context["cl"].result_list] == [
        "Session 1.1 of Dhaka 2016"
    ]


def test_a_remembered_forum_that_was_deleted_is_forgotten(organiser_client, editions):
    extra = make_forum(name="Deleted")
    organiser_client.get(SESSIONS, {FORUM: extra.pk})
    extra.delete()

    response = organiser_client.get(SESSIONS)

    assert response.status_code == 200
    assert response.context["cl"].result_count == 4


@pytest.mark.parametrize("count", [1, 3])
def test_the_session_list_of_a_forum_queries_stay_flat(organiser_client, django_assert_num_queries, count):
    forum = make_forum(name="Dhaka 2016")
    roundtable = make_roundtable(forum=forum, number=1)
    for number in range(1, count + 1):
        make_session(roundtable=roundtable, number=number, room=make_room(forum=forum))
    organiser_client.get(SESSIONS, {FORUM: forum.pk})  # remembered in the user's session

    # session, user, 2 × permissions, committee check, the forum (its time zone), the forum, roundtable, theme
    # and room filters' choices, 2 counts, the page, 2 × savepoint (revision)
    with django_assert_num_queries(15):
        response = organiser_client.get(SESSIONS, {FORUM: forum.pk})

    assert response.context["cl"].result_count == count


def test_issue_and_role_lists_name_the_forum_and_filter_by_it(organiser_client, editions):
    dhaka = editions["Dhaka 2016"]
    for forum in editions.values():
        session = Session.objects.get(roundtable__forum=forum, roundtable__number=1)
        make_issue(session=session, text=f"Issue in {forum.name}")
        make_participation(session=session)

    issues = organiser_client.get(reverse("admin:programme_sessions_issue_changelist"), {"forum": dhaka.pk})
    roles = organiser_client.get(reverse("admin:programme_sessions_participation_changelist"))

    assert [issue.text for issue in issues.context["cl"].result_list] == ["Issue in Dhaka 2016"]
    assert _filter(issues, "roundtable") == ["All", f"Roundtable 1: {TITLE}", "Roundtable 3: Development"]
    assert sorted(roles.context["cl"].model_admin.forum(role) for role in roles.context["cl"].result_list) == [
        "Berlin 2017",
        "Dhaka 2016",
    ]
    assert Issue.objects.count() == 2
    assert Participation.objects.count() == 2
