import datetime
import json
import re

import pytest
from django.test import Client

from roundtables.models import Status
from sessions.agenda import (
    AGENDA_MAX_SESSIONS,
    AgendaFull,
    agenda_change,
    agenda_clashes,
    agenda_days,
    agenda_ids_parse,
)
from tests.factories import forum_time, make_forum, make_room, make_roundtable, make_session

TOGGLE_URL = "/en/agenda/toggle/"
AGENDA_URL = "/en/agenda/"


@pytest.mark.parametrize(
    ("value", "ids"),
    [
        ("12-15-40", [12, 15, 40]),
        ("12,15,40", [12, 15, 40]),
        ("3-1-3", [3, 1]),
        ('"4-5"', []),
        ("0-007-8-x-1.5- 9-", [8]),
        ("", []),
        (None, []),
        ("1" * 19, []),
        ("-".join(str(n) for n in range(1, 151)), list(range(1, AGENDA_MAX_SESSIONS + 1))),
        ("1-" * 5000, []),
    ],
)
def test_agenda_ids_parse_keeps_only_positive_integers_without_repeats(value, ids):
    assert agenda_ids_parse(value) == ids


@pytest.mark.parametrize(
    ("ids", "action", "result"),
    [
        ([1, 2], "toggle", ([1, 2, 3], True)),
        ([1, 3, 2], "toggle", ([1, 2], False)),
        ([1, 2], "add", ([1, 2, 3], True)),
        ([3], "add", ([3], True)),
        ([1, 3], "remove", ([1], False)),
        ([1], "remove", ([1], False)),
    ],
)
def test_agenda_change_adds_removes_and_toggles(ids, action, result):
    assert agenda_change(ids=ids, session_id=3, action=action) == result


def test_agenda_change_refuses_to_add_to_a_full_agenda():
    full = list(range(1, AGENDA_MAX_SESSIONS + 1))

    with pytest.raises(AgendaFull):
        agenda_change(ids=full, session_id=1000, action="add")

    assert agenda_change(ids=full, session_id=1, action="toggle") == (full[1:], False)


@pytest.mark.django_db
def test_agenda_clashes_are_overlaps_not_sessions_that_touch():
    forum = make_forum()
    roundtable = make_roundtable(forum=forum)
    nine = make_session(roundtable=roundtable, starts_at=forum_time(forum, 0, 9), ends_at=forum_time(forum, 0, 11))
    ten = make_session(roundtable=roundtable, starts_at=forum_time(forum, 0, 10), ends_at=forum_time(forum, 0, 12))
    eleven = make_session(roundtable=roundtable, starts_at=forum_time(forum, 0, 11), ends_at=forum_time(forum, 0, 12))
    later = make_session(roundtable=roundtable, starts_at=forum_time(forum, 0, 14), ends_at=forum_time(forum, 0, 15))
    unscheduled = make_session(roundtable=roundtable, starts_at=None, ends_at=None)

    clashes = agenda_clashes([nine, ten, eleven, later, unscheduled])

    assert clashes == {nine.pk: [ten], ten.pk: [nine, eleven], eleven.pk: [ten], later.pk: [], unscheduled.pk: []}


@pytest.mark.django_db
def test_agenda_days_group_by_local_day_in_time_order_with_unscheduled_last():
    forum = make_forum(time_zone="Asia/Manila")
    roundtable = make_roundtable(forum=forum)
    # 00:30 in Manila on the second day is still the first day in UTC.
    early = make_session(roundtable=roundtable, starts_at=forum_time(forum, 1, 0, 30), ends_at=forum_time(forum, 1, 1))
    first = make_session(roundtable=roundtable, starts_at=forum_time(forum, 0, 9), ends_at=forum_time(forum, 0, 10))
    unscheduled = make_session(roundtable=roundtable, starts_at=None, ends_at=None)

    days = agenda_days([unscheduled, early, first])

    assert [(day["date"], [item["session"] for item in day["items"]]) for day in days] == [
        (forum.starts_on, [first]),
        (forum.starts_on + datetime.timedelta(days=1), [early]),
        (None, [unscheduled]),
    ]


@pytest.fixture
def programme(db):
    """A forum with two overlapping sessions on the first day, one on the second, and a draft."""
    forum = make_forum(slug="athens-2009", time_zone="Europe/Athens")
    roundtable = make_roundtable(forum=forum, number=1)
    room = make_room(forum=forum, name="Room A")
    return {
        "forum": forum,
        "morning": make_session(
            roundtable=roundtable,
            number=1,
            title="Morning",
            room=room,
            starts_at=forum_time(forum, 0, 9, 30),
            ends_at=forum_time(forum, 0, 11),
        ),
        "overlap": make_session(
            roundtable=roundtable,
            number=2,
            title="Overlap",
            starts_at=forum_time(forum, 0, 10),
            ends_at=forum_time(forum, 0, 11, 30),
        ),
        "next_day": make_session(
            roundtable=roundtable,
            number=3,
            title="Next day",
            starts_at=forum_time(forum, 1, 9, 30),
            ends_at=forum_time(forum, 1, 11),
        ),
        "draft": make_session(roundtable=roundtable, number=4, title="Draft", status=Status.DRAFT),
    }


def cookie_ids(response):
    return response.cookies["agenda"].value


def test_toggle_without_javascript_stars_and_goes_back_to_the_card(client, programme):
    session = programme["morning"]
    back = f"/en/forums/athens-2009/programme/#session-{session.pk}"

    response = client.post(TOGGLE_URL, {"session": str(session.pk), "next": back})

    assert response.status_code == 303
    assert response["Location"] == back
    assert response["Cache-Control"] == "private, no-store"
    cookie = response.cookies["agenda"]
    assert cookie.value == str(session.pk)
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 400 * 24 * 60 * 60
    assert cookie["path"] == "/"
    assert cookie["httponly"] == ""


def test_toggle_twice_removes_the_session_and_then_the_cookie(client, programme):
    morning, overlap = programme["morning"], programme["overlap"]

    client.post(TOGGLE_URL, {"session": str(morning.pk)})
    second = client.post(TOGGLE_URL, {"session": str(overlap.pk)})
    third = client.post(TOGGLE_URL, {"session": str(morning.pk)})
    last = client.post(TOGGLE_URL, {"session": str(overlap.pk)})

    assert cookie_ids(second) == f"{morning.pk}-{overlap.pk}"
    assert cookie_ids(third) == str(overlap.pk)
    assert cookie_ids(last) == ""
    assert last.cookies["agenda"]["max-age"] == 0


def test_toggle_answers_scripts_with_json(client, programme):
    morning, overlap = programme["morning"], programme["overlap"]
    client.cookies["agenda"] = str(morning.pk)

    added = client.post(
        TOGGLE_URL, {"session": str(overlap.pk), "action": "add"}, headers={"accept": "application/json"}
    )
    again = client.post(
        TOGGLE_URL, {"session": str(overlap.pk), "action": "add"}, headers={"accept": "application/json"}
    )
    removed = client.post(
        TOGGLE_URL, {"session": str(morning.pk), "action": "remove"}, headers={"accept": "application/json"}
    )

    notice = (
        f'<p class="agenda-clash" id="agenda-clash-{overlap.pk}" role="status"><strong>Clash:</strong> overlaps with '
        f'<a href="{morning.get_absolute_url()}"><span class="code">1.1</span> Morning</a> · '
        '<a href="/en/agenda/">My agenda</a></p>'
    )
    starred = {"session": overlap.pk, "starred": True, "sessions": [morning.pk, overlap.pk], "clashes": [morning.pk]}
    assert json.loads(added.content) == {**starred, "notice": notice}
    assert json.loads(again.content) == {**starred, "notice": notice}
    assert json.loads(removed.content) == {
        "session": morning.pk,
        "starred": False,
        "sessions": [overlap.pk],
        "clashes": [],
        "notice": "",
    }
    assert cookie_ids(removed) == str(overlap.pk)


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/path", "javascript:alert(1)", "", "http://testserver@evil.example/"],
)
def test_toggle_never_redirects_off_site(client, programme, target):
    response = client.post(TOGGLE_URL, {"session": str(programme["morning"].pk), "next": target})

    assert response.status_code == 303
    assert response["Location"] == AGENDA_URL


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"session": ""},
        {"session": "abc"},
        {"session": "-1"},
        {"session": "0"},
        {"session": "1.5"},
        {"session": "01"},
    ],
)
def test_toggle_rejects_malformed_session_ids(client, programme, data):
    client.cookies["agenda"] = str(programme["morning"].pk)

    response = client.post(TOGGLE_URL, data)

    assert response.status_code == 400
    assert "agenda" not in response.cookies


def test_toggle_rejects_unknown_actions(client, programme):
    response = client.post(TOGGLE_URL, {"session": str(programme["morning"].pk), "action": "drop"})

    assert response.status_code == 400


def test_toggle_cannot_star_drafts_or_missing_sessions(client, programme):
    draft = client.post(TOGGLE_URL, {"session": str(programme["draft"].pk)})
    missing = client.post(TOGGLE_URL, {"session": "999999"})

    assert (draft.status_code, missing.status_code) == (404, 404)
    assert "agenda" not in draft.cookies


def test_toggle_removes_sessions_that_are_no_longer_visible(client, programme):
    client.cookies["agenda"] = f"{programme['draft'].pk}-{programme['morning'].pk}"

    response = client.post(TOGGLE_URL, {"session": str(programme["draft"].pk)})

    assert cookie_ids(response) == str(programme["morning"].pk)


def test_toggle_refuses_to_overfill_the_agenda(client, programme):
    full = list(range(100000, 100000 + AGENDA_MAX_SESSIONS))
    client.cookies["agenda"] = "-".join(str(pk) for pk in full)

    response = client.post(
        TOGGLE_URL, {"session": str(programme["morning"].pk)}, headers={"accept": "application/json"}
    )

    assert response.status_code == 409
    assert json.loads(response.content) == {"error": "Your agenda is full: remove a session before adding another."}
    assert "agenda" not in response.cookies


def test_toggle_needs_no_csrf_token_but_refuses_cross_site_requests(programme):
    client = Client(enforce_csrf_checks=True)
    data = {"session": str(programme["morning"].pk)}

    same_site = client.post(TOGGLE_URL, data, headers={"sec-fetch-site": "same-origin"})
    cross_site = client.post(TOGGLE_URL, data, headers={"sec-fetch-site": "cross-site"})

    assert same_site.status_code == 303
    assert cross_site.status_code == 403
    assert "agenda" not in cross_site.cookies


def test_toggle_only_accepts_post(client, programme):
    response = client.get(TOGGLE_URL, {"session": str(programme["morning"].pk)})

    assert response.status_code == 405


def test_agenda_page_lists_starred_sessions_by_day_with_clashes(client, programme):
    morning, overlap, next_day, draft = (programme[key] for key in ("morning", "overlap", "next_day", "draft"))
    client.cookies["agenda"] = f"{next_day.pk}-{draft.pk}-{overlap.pk}-999999-{morning.pk}"

    response = client.get(AGENDA_URL)

    assert response["Cache-Control"] == "private, no-store"
    assert response["Vary"] == "Cookie"
    days = response.context["days"]
    assert [(day["date"], [item["session"] for item in day["items"]]) for day in days] == [
        (datetime.date(2009, 11, 2), [morning, overlap]),
        (datetime.date(2009, 11, 3), [next_day]),
    ]
    assert [[item["clashes"] for item in day["items"]] for day in days] == [[[overlap], [morning]], [[]]]
    assert response.context["clash_count"] == 2
    calendar_url = f"/en/agenda/calendar.ics?sessions={morning.pk},{overlap.pk},{next_day.pk}"
    assert response.context["calendar_url"] == calendar_url
    html = response.content.decode()
    assert f'<a class="button" href="{calendar_url}" type="text/calendar">Download my agenda (.ics)</a>' in html
    assert re.findall(r'<li class="agenda-item( has-clash)?" id="agenda-session-(\d+)">', html) == [
        (" has-clash", str(morning.pk)),
        (" has-clash", str(overlap.pk)),
        ("", str(next_day.pk)),
    ]
    assert html.count('class="star-button" id="star-') == html.count('name="action" value="remove"') == 3


def test_agenda_page_without_stars_explains_how_to_star(client, programme):
    client.cookies["agenda"] = "not-ids"

    response = client.get(AGENDA_URL)

    assert response.context["days"] == []
    assert response.context["calendar_url"] == ""
    assert "You have not starred any session yet." in response.content.decode()
    assert 'href="/en/forums/athens-2009/programme/"' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_agenda_page_queries_stay_flat(client, django_assert_num_queries, count):
    roundtable = make_roundtable(sessions=count)
    client.cookies["agenda"] = "-".join(str(pk) for pk in roundtable.sessions.values_list("pk", flat=True))

    # sessions, participations, themes; and the menu's forum (then cached until the programme changes)
    with django_assert_num_queries(4):
        response = client.get(AGENDA_URL)

    assert response.context["session_count"] == count


def test_star_buttons_on_shared_pages_show_the_cookie(client, programme):
    morning = programme["morning"]
    programme_url = "/en/forums/athens-2009/programme/"

    anonymous = client.get(programme_url).content.decode()
    client.cookies["agenda"] = str(morning.pk)
    starred = client.get(programme_url).content.decode()

    form = (
        f'<form class="agenda-star" method="post" action="/en/agenda/toggle/" data-agenda-session="{morning.pk}">'
        f'<input type="hidden" name="session" value="{morning.pk}">'
        f'<input type="hidden" name="next" value="{programme_url}#star-{morning.pk}">'
        f'<button type="submit" class="star-button" id="star-{morning.pk}" name="action" value="%s">'
        '<span class="star-icon" aria-hidden="true"></span><span class="star-label" data-other="%s">%s</span>'
        '<span class="visually-hidden"> session 1.1</span></button></form>'
    )
    assert form % ("add", "Remove from my agenda", "Star") in anonymous
    assert form % ("remove", "Star", "Remove from my agenda") in starred
    assert anonymous.replace(form % ("add", "Remove from my agenda", "Star"), "") == starred.replace(
        form % ("remove", "Star", "Remove from my agenda"), ""
    )


def test_session_page_has_a_star_button_that_comes_back_to_it(client, programme):
    morning = programme["morning"]
    url = morning.get_absolute_url()

    html = client.get(url).content.decode()

    assert f'data-agenda-session="{morning.pk}"' in html
    assert f'<input type="hidden" name="next" value="{url}#star-{morning.pk}">' in html


def test_header_links_to_my_agenda(client, programme):
    html = client.get("/en/forums/athens-2009/").content.decode()

    assert '<li><a href="/en/agenda/">My agenda</a></li>' in html
    assert '<script src="/static/js/agenda.js" defer></script>' in html
