"""The admin keeps the timetable consistent: no room booked twice, nobody in two sessions at once."""

import pytest
from django.urls import reverse

from sessions.models import Participation, Session
from tests.admin_forms import admin_change_data
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
    return make_forum(time_zone="Europe/Athens")


@pytest.fixture
def booked(forum):
    """Session 1.1 in Room A, 09:30–11:00 on the first day, chaired by Ana."""
    room = make_room(forum=forum, name="Room A")
    session = make_session(
        roundtable=make_roundtable(forum=forum, number=1),
        number=1,
        title="Booked",
        room=room,
        starts_at=forum_time(forum, 0, 9, 30),
        ends_at=forum_time(forum, 0, 11),
    )
    make_participation(session=session, person=make_person(name="Ana Lopez"), role="chair")
    return session


@pytest.fixture
def other(forum, booked):
    """Session 2.1, in no room yet, 14:00–15:30."""
    return make_session(
        roundtable=make_roundtable(forum=forum, number=2),
        number=1,
        title="Other",
        starts_at=forum_time(forum, 0, 14),
        ends_at=forum_time(forum, 0, 15, 30),
    )


def _form(client, session, start, end, **fields):
    """The session's admin form as ``client`` sees it, moved to ``start``–``end`` on 2 November 2009."""
    return admin_change_data(
        client, session, starts_at_0="2009-11-02", starts_at_1=start, ends_at_0="2009-11-02", ends_at_1=end, **fields
    )


def _post(client, session, data):
    return client.post(reverse("admin:programme_sessions_session_change", args=[session.pk]), data)


def test_a_room_booked_twice_at_the_same_time_is_refused(organiser_client, booked, other):
    response = _post(organiser_client, other, _form(organiser_client, other, "10:30", "12:00", room=booked.room_id))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["room"] == [
        "Room A is already booked at this time for session 1.1 “Booked” (Mon 2 Nov, 09:30–11:00)."
    ]
    other.refresh_from_db()
    assert other.room is None


def test_a_room_used_right_after_another_session_is_fine(organiser_client, booked, other):
    response = _post(organiser_client, other, _form(organiser_client, other, "11:00", "12:30", room=booked.room_id))

    assert response.status_code == 302
    other.refresh_from_db()
    assert (other.room, other.starts_at) == (booked.room, forum_time(other.roundtable.forum, 0, 11))


def test_a_person_in_two_sessions_at_once_is_refused(organiser_client, booked, other):
    ana = booked.participations.get().person
    data = _form(
        organiser_client,
        other,
        "10:00",
        "11:30",
        **{
            "participations-TOTAL_FORMS": "1",
            "participations-0-person": ana.pk,
            "participations-0-role": "speaker",
            "participations-0-position": "1",
        },
    )

    response = _post(organiser_client, other, data)

    assert response.status_code == 200
    [formset] = [
        item.formset for item in response.context["inline_admin_formsets"] if item.formset.prefix == "participations"
    ]
    assert formset.forms[0].errors["person"] == [
        "Ana Lopez is already in session 1.1 “Booked” at this time (Mon 2 Nov, 09:30–11:00), as Chair."
    ]
    assert list(other.participations.all()) == []


def test_moving_a_session_onto_the_time_of_another_of_its_people_is_refused(organiser_client, booked, other):
    ana = booked.participations.get().person
    participation = make_participation(session=other, person=ana, role="rapporteur")
    data = _form(
        organiser_client,
        other,
        "09:00",
        "10:00",
        **{
            "participations-TOTAL_FORMS": "1",
            "participations-INITIAL_FORMS": "1",
            "participations-0-id": participation.pk,
            "participations-0-session": other.pk,
            "participations-0-person": ana.pk,
            "participations-0-role": "rapporteur",
            "participations-0-position": participation.position,
        },
    )

    response = _post(organiser_client, other, data)

    assert response.status_code == 200
    other.refresh_from_db()
    assert other.starts_at == forum_time(other.roundtable.forum, 0, 14)


def test_an_existing_clash_does_not_block_an_unrelated_edit(organiser_client, booked, other):
    Session.objects.filter(pk=other.pk).update(room=booked.room, starts_at=booked.starts_at, ends_at=booked.ends_at)
    other.refresh_from_db()

    response = _post(organiser_client, other, _form(organiser_client, other, "09:30", "11:00", title="Retitled"))

    assert response.status_code == 302
    other.refresh_from_db()
    assert other.title == "Retitled"


def test_the_roundtable_page_refuses_two_of_its_sessions_in_one_room_at_once(organiser_client, forum, booked):
    roundtable = booked.roundtable
    data = admin_change_data(
        organiser_client,
        roundtable,
        **{
            "sessions-TOTAL_FORMS": "2",
            "sessions-1-roundtable": str(roundtable.pk),
            "sessions-1-number": "2",
            "sessions-1-title": "New in the same room",
            "sessions-1-slug": "new-in-the-same-room",
            "sessions-1-starts_at_0": "2009-11-02",
            "sessions-1-starts_at_1": "10:00",
            "sessions-1-ends_at_0": "2009-11-02",
            "sessions-1-ends_at_1": "10:30",
            "sessions-1-room": str(booked.room_id),
            "sessions-1-status": "draft",
        },
    )

    response = organiser_client.post(reverse("admin:roundtables_roundtable_change", args=[roundtable.pk]), data)

    assert response.status_code == 200
    [formset] = [
        item.formset for item in response.context["inline_admin_formsets"] if item.formset.prefix == "sessions"
    ]
    assert [form.errors.get("room") for form in formset.forms] == [
        None,
        ["Room A is already booked at this time for session 1.1 “Booked” (Mon 2 Nov, 09:30–11:00)."],
    ]
    assert roundtable.sessions.count() == 1


def test_the_participation_page_refuses_a_person_in_two_sessions_at_once(organiser_client, booked, other):
    ana = booked.participations.get().person
    Session.objects.filter(pk=other.pk).update(starts_at=booked.starts_at, ends_at=booked.ends_at)
    data = {"session": other.pk, "person": ana.pk, "role": "speaker", "position": 1}

    response = organiser_client.post(reverse("admin:programme_sessions_participation_add"), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["person"] == [
        "Ana Lopez is already in session 1.1 “Booked” at this time (Mon 2 Nov, 09:30–11:00), as Chair."
    ]
    assert Participation.objects.filter(session=other).count() == 0


def test_the_person_page_refuses_two_overlapping_roles(organiser_client, booked, other):
    ana = booked.participations.get()
    Session.objects.filter(pk=other.pk).update(starts_at=booked.starts_at, ends_at=booked.ends_at)
    person = ana.person
    data = admin_change_data(
        organiser_client,
        person,
        **{
            "participations-TOTAL_FORMS": "2",
            "participations-1-person": str(person.pk),
            "participations-1-session": str(other.pk),
            "participations-1-role": "speaker",
            "participations-1-position": "2",
        },
    )

    response = organiser_client.post(reverse("admin:programme_sessions_person_change", args=[person.pk]), data)

    assert response.status_code == 200
    [formset] = [item.formset for item in response.context["inline_admin_formsets"]]
    assert formset.forms[1].errors["session"] == [
        "Ana Lopez is also in session 1.1 “Booked”, at an overlapping time (Mon 2 Nov, 09:30–11:00)."
    ]
    assert person.participations.count() == 1


def test_the_session_list_shows_times_in_each_forums_time_zone(organiser_client, booked):
    make_session(
        roundtable=make_roundtable(forum=make_forum(time_zone="America/Mexico_City"), number=1),
        title="In Mexico",
        starts_at=forum_time(make_forum(time_zone="America/Mexico_City"), 0, 9),
        ends_at=forum_time(make_forum(time_zone="America/Mexico_City"), 0, 10),
    )

    response = organiser_client.get(reverse("admin:programme_sessions_session_changelist"))

    shown = {
        session.title: response.context["cl"].model_admin.local_start(session)
        for session in response.context["cl"].result_list
    }
    assert shown == {"Booked": "Mon 2 Nov 2009, 09:30–11:00", "In Mexico": "Mon 2 Nov 2009, 09:00–10:00"}
    assert "Mon 2 Nov 2009, 09:30–11:00" in response.content.decode()
