"""The forum's venue: on its page with a map link, and in every calendar event's LOCATION with the room."""

import pytest
from icalendar import Calendar

from tests.factories import forum_time, make_forum, make_room, make_roundtable, make_session


@pytest.fixture
def athens(db):
    forum = make_forum(
        slug="athens-2099",
        city="Athens",
        country="Greece",
        venue="Megaron Athens International Conference Centre",
        venue_address="Vasilissis Sofias & Kokkali 1",
    )
    roundtable = make_roundtable(forum=forum, number=1, slug="labour")
    room = make_room(forum=forum, name="Trianti Hall")
    make_session(roundtable=roundtable, number=1, slug="in-a-room", title="In a room", room=room)
    make_session(
        roundtable=roundtable,
        number=2,
        slug="room-to-come",
        title="Room to come",
        starts_at=forum_time(forum, 1, 9),
        ends_at=forum_time(forum, 1, 10),
    )
    return forum


OSM_SEARCH = "https://www.openstreetmap.org/search?query=Vasilissis+Sofias+%26+Kokkali+1%2C+Athens%2C+Greece"


def events(response):
    calendar = Calendar.from_ical(response.content)
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


def test_calendar_events_give_the_room_and_the_venue_with_a_map_link(client, athens):
    found = events(client.get("/en/forums/athens-2099/calendar.ics"))

    in_room, to_come = found["1.1 In a room"], found["1.2 Room to come"]
    assert str(in_room["LOCATION"]) == (
        "Trianti Hall, Megaron Athens International Conference Centre, Vasilissis Sofias & Kokkali 1, Athens, Greece"
    )
    assert in_room["LOCATION"].params["ALTREP"] == OSM_SEARCH
    assert str(to_come["LOCATION"]) == (
        "Megaron Athens International Conference Centre, Vasilissis Sofias & Kokkali 1, Athens, Greece"
    )


def test_a_stored_map_link_is_used_instead_of_the_search(client, athens):
    athens.venue_map_url = "https://maps.example.org/megaron?z=17&a=1"
    athens.save()

    found = events(client.get("/en/forums/athens-2099/roundtables/labour/in-a-room/calendar.ics"))

    assert found["1.1 In a room"]["LOCATION"].params["ALTREP"] == "https://maps.example.org/megaron?z=17&a=1"


def test_a_forum_without_a_venue_gives_the_room_and_the_city(client, db):
    forum = make_forum(slug="quito-2099", city="Quito", country="Ecuador", time_zone="America/Guayaquil")
    roundtable = make_roundtable(forum=forum, number=1)
    make_session(roundtable=roundtable, number=1, title="Only", room=make_room(forum=forum, name="Room A"))

    event = events(client.get("/en/forums/quito-2099/calendar.ics"))["1.1 Only"]

    assert str(event["LOCATION"]) == "Room A, Quito, Ecuador"
    assert "ALTREP" not in event["LOCATION"].params
    assert forum.venue_map_link == ""


def test_the_forum_page_shows_the_venue_and_its_map(client, athens):
    html = client.get("/en/forums/athens-2099/").content.decode()

    assert (
        '<p class="venue"><strong>Venue:</strong> Megaron Athens International Conference Centre, '
        "Vasilissis Sofias &amp; Kokkali 1, Athens, Greece · "
        f'<a href="{OSM_SEARCH}" rel="external">Map of the venue</a></p>'
    ) in html


def test_a_venue_named_without_an_address_is_searched_by_its_name(db):
    forum = make_forum(city="Dhaka", country="Bangladesh", venue="Bangabandhu International Conference Center")

    assert forum.venue_map_link == (
        "https://www.openstreetmap.org/search?query=Bangabandhu+International+Conference+Center%2C+Dhaka%2C+Bangladesh"
    )


def test_a_forum_page_without_a_venue_shows_no_venue_line(client, db):
    make_forum(slug="lima-2099", city="Lima", country="Peru")

    html = client.get("/en/forums/lima-2099/").content.decode()

    assert 'class="venue"' not in html
    assert "Map of the venue" not in html


def test_the_admin_edits_the_venue(organiser_client, athens):
    html = organiser_client.get(f"/admin/roundtables/forum/{athens.pk}/change/").content.decode()

    assert 'name="venue_address"' in html
    assert 'name="venue_map_url"' in html
