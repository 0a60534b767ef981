"""Filters of the programme page (day, roundtable, theme, room) and its room × time view: links in the address,
exact results, unknown values, the page cache keyed on them, and flat query counts."""

import re
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programme.programme_filters import room_grid, room_keys
from roundtables.models import Status
from sessions.models import Session
from tests.factories import forum_time, make_forum, make_programme, make_room, make_roundtable, make_session, make_theme

PROGRAMME = "/en/forums/athens-2009/programme/"


def _codes(response):
    """The codes of the session cards shown, in page order."""
    return re.findall(r'<article class="session-card"[^>]*>.*?<span class="code">([^<]+)</span>', _html(response))


def _html(response):
    return response.content.decode()


def _links(html, label):
    """The filter links of the group labelled ``label``: (text, href, is current)."""
    group = re.search(rf'<p class="filter-label" id="filter-[a-z]+">{label}</p>\s*<ul[^>]*>(.*?)</ul>', html, re.S)[1]
    return [
        (text, href.replace("&amp;", "&"), bool(current))
        for href, current, text in re.findall(r'<a href="([^"]*)"( aria-current="true")?>([^<]*)</a>', group)
    ]


# Exact results.


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ({}, ["1.1", "2.1", "3.1", "1.2", "2.2", "3.2", "1.3", "3.3"]),
        ({"day": "2009-11-02"}, ["1.1", "2.1", "3.1", "1.2", "2.2", "3.2"]),
        ({"day": "2009-11-03"}, ["1.3", "3.3"]),
        ({"day": "2009-11-02", "room": "room-a"}, ["1.1", "1.2"]),
        ({"roundtable": "2"}, ["2.1", "2.2"]),
        ({"theme": "circular-migration"}, ["2.2"]),
        ({"theme": "gender"}, ["1.1", "2.1", "3.1", "1.3"]),
        ({"room": "room-c", "theme": "policy-coherence"}, ["3.1", "3.2", "3.3"]),
        ({"room": ["room-a", "room-c"], "day": "2009-11-03"}, ["1.3", "3.3"]),
    ],
)
def test_filters_show_exactly_the_matching_sessions(client, athens, query, codes):
    response = client.get(PROGRAMME, query)

    assert response.status_code == 200
    assert _codes(response) == codes
    assert response.context["shown_count"] == len(codes)


def test_filter_links_keep_the_other_filters_and_mark_the_current_choice(client, athens):
    html = _html(client.get(PROGRAMME, {"day": "2009-11-02", "room": "room-a"}))

    assert _links(html, "Day") == [
        ("All days", f"{PROGRAMME}?room=room-a", False),
        ("Monday 2 November", f"{PROGRAMME}?day=2009-11-02&room=room-a", True),
        ("Tuesday 3 November", f"{PROGRAMME}?day=2009-11-03&room=room-a", False),
    ]
    assert _links(html, "Room") == [
        ("All rooms", f"{PROGRAMME}?day=2009-11-02", False),
        ("Room A", f"{PROGRAMME}?day=2009-11-02&room=room-a", True),
        ("Room B", f"{PROGRAMME}?day=2009-11-02&room=room-b", False),
        ("Room C", f"{PROGRAMME}?day=2009-11-02&room=room-c", False),
    ]
    assert _links(html, "Roundtable") == [
        ("All roundtables", f"{PROGRAMME}?day=2009-11-02&room=room-a", True),
        ("Roundtable 1", f"{PROGRAMME}?day=2009-11-02&roundtable=1&room=room-a", False),
        ("Roundtable 2", f"{PROGRAMME}?day=2009-11-02&roundtable=2&room=room-a", False),
        ("Roundtable 3", f"{PROGRAMME}?day=2009-11-02&roundtable=3&room=room-a", False),
    ]
    assert [text for text, _href, _current in _links(html, "Theme")] == [
        "All themes",
        "Circular migration",
        "Civil society engagement",
        "Data and research",
        "Diaspora",
        "Economic crisis",
        "Gender",
        "Integration",
        "Labour and skills",
        "Migrants’ rights",
        "Policy coherence",
        "Remittances",
        "Return and reintegration",
    ]
    assert _links(html, "View") == [
        ("List", f"{PROGRAMME}?day=2009-11-02&room=room-a", True),
        ("Rooms and times", f"{PROGRAMME}?day=2009-11-02&room=room-a&view=rooms", False),
    ]


def test_the_filters_in_use_are_shown_each_with_a_way_to_remove_it(client, athens):
    html = _html(client.get(PROGRAMME, {"day": "2009-11-02", "room": "room-a"}))

    assert '<p class="meta">2 of 8 sessions shown</p>' in html
    in_use = re.search(r'<ul class="active-filters" aria-label="Filters in use">(.*?)</ul>', html, re.S)[1]
    assert re.sub(r">\s+<", "><", in_use.strip()) == (
        f'<li><a href="{PROGRAMME}?room=room-a">Day: Monday 2 November <span aria-hidden="true">×</span>'
        '<span class="visually-hidden"> (remove this filter)</span></a></li>'
        f'<li><a href="{PROGRAMME}?day=2009-11-02">Room: Room A <span aria-hidden="true">×</span>'
        '<span class="visually-hidden"> (remove this filter)</span></a></li>'
        f'<li><a class="clear-filters" href="{PROGRAMME}">Clear all filters</a></li>'
    )
    assert '<meta name="robots" content="noindex">' in html


def test_the_whole_programme_shows_no_filter_in_use_and_stays_indexable(client, athens):
    html = _html(client.get(PROGRAMME))

    assert "active-filters" not in html
    assert "noindex" not in html
    assert _links(html, "Day")[0] == ("All days", PROGRAMME, True)


def test_a_known_combination_without_sessions_says_so(client, athens):
    response = client.get(PROGRAMME, {"day": "2009-11-03", "roundtable": "2"})

    html = _html(response)
    assert response.status_code == 200
    assert _codes(response) == []
    assert '<p class="lead">No session matches these filters.</p>' in html
    assert f'<a class="clear-filters" href="{PROGRAMME}">Clear all filters</a>' in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"day": "2031-01-01"}, "Day “2031-01-01” is not in this programme."),
        ({"day": "yesterday"}, "Day “yesterday” is not in this programme."),
        ({"roundtable": "9"}, "Roundtable “9” is not in this programme."),
        ({"roundtable": "-1"}, "Roundtable “-1” is not in this programme."),
        ({"theme": "no-such-theme"}, "Theme “no-such-theme” is not in this programme."),
        ({"room": "room-z", "day": "2009-11-02"}, "Room “room-z” is not in this programme."),
        ({"view": "calendar"}, "View “calendar” is not in this programme."),
        ({"room": '<b>"x"</b>'}, "Room “&lt;b&gt;&quot;x&quot;&lt;/b&gt;” is not in this programme."),
    ],
)
def test_an_unknown_filter_value_answers_404_with_a_clear_message(client, athens, query, message):
    response = client.get(PROGRAMME, query)

    html = _html(response)
    assert response.status_code == 404
    assert f"<p>{message}</p>" in html
    assert _codes(response) == []
    assert f'<a href="{PROGRAMME}">See the whole programme</a>' in html or "See the whole programme</a>" in html


def test_links_from_a_page_with_an_unknown_value_leave_it_out(client, athens):
    html = _html(client.get(PROGRAMME, {"day": "2009-11-02", "room": "room-z"}))

    assert '<p><a href="/en/forums/athens-2009/programme/?day=2009-11-02">See the whole programme</a></p>' not in html
    assert _links(html, "Room")[1] == ("Room A", f"{PROGRAMME}?day=2009-11-02&room=room-a", False)


def test_a_theme_used_only_by_a_draft_session_is_offered_to_staff_only(client, organiser_client, db):
    forum = make_forum(slug="lisbon-2099")
    roundtable = make_roundtable(forum=forum)
    make_session(
        roundtable=roundtable, themes=[make_theme(name="Youth", slug="youth"), make_theme(name="Age", slug="age")]
    )
    hidden = make_theme(name="Secret", slug="secret")
    draft = make_session(roundtable=roundtable, status=Status.DRAFT, themes=[hidden])
    url = reverse("roundtables:programme", args=[forum.slug])

    staff = organiser_client.get(url, {"theme": "secret"})
    organiser_client.logout()
    public = client.get(url, {"theme": "secret"})

    assert (staff.status_code, [s.pk for s in staff.context["filters"].sessions]) == (200, [draft.pk])
    assert public.status_code == 404
    assert [text for text, _href, _current in _links(_html(client.get(url)), "Theme")] == ["All themes", "Age", "Youth"]


def test_a_filter_with_a_single_choice_is_not_offered(client, db):
    forum = make_forum(slug="lisbon-2099")
    room = make_room(forum=forum, name="Hall")
    make_session(roundtable=make_roundtable(forum=forum), room=room)

    html = _html(client.get(reverse("roundtables:programme", args=[forum.slug])))

    assert 'id="filter-room"' not in html
    assert 'id="filter-day"' not in html


def test_a_forums_own_word_for_roundtables_names_the_filter(client, db):
    forum = make_forum(
        slug="dhaka-2016",
        **{
            f"{kind}_{code}": word
            for kind, words in {
                "group_name": ("Working group", "Groupe de travail", "Grupo de trabajo"),
                "group_name_plural": ("Working groups", "Groupes de travail", "Grupos de trabajo"),
                "session_name": ("Meeting", "Réunion", "Reunión"),
                "session_name_plural": ("Meetings", "Réunions", "Reuniones"),
            }.items()
            for code, word in zip(("en", "fr", "es"), words, strict=True)
        },
    )
    for number in (1, 2):
        make_session(roundtable=make_roundtable(forum=forum, number=number))

    html = _html(client.get(reverse("roundtables:programme", args=[forum.slug])))

    assert [text for text, _href, _current in _links(html, "Working group")] == [
        "All: Working groups",
        "Working group 1",
        "Working group 2",
    ]


# Rooms.


def test_room_keys_are_slugs_unique_in_the_forum():
    rooms = [
        SimpleNamespace(pk=1, name="Room A"),
        SimpleNamespace(pk=2, name="Room-A"),
        SimpleNamespace(pk=3, name="Αίθουσα Β"),
        SimpleNamespace(pk=4, name="★"),
    ]

    assert room_keys(rooms) == {1: "room-a", 2: "room-a-2", 3: "αίθουσα-β", 4: "room-4"}


def test_a_room_with_a_non_latin_name_is_filtered_by_its_slug(client, db):
    forum = make_forum(slug="athens-2099")
    room = make_room(forum=forum, name="Αίθουσα Β")
    inside = make_session(roundtable=make_roundtable(forum=forum), room=room)
    make_session(roundtable=inside.roundtable, room=make_room(forum=forum, name="Hall"))

    response = client.get(reverse("roundtables:programme", args=[forum.slug]), {"room": "αίθουσα-β"})

    assert [s.pk for s in response.context["filters"].sessions] == [inside.pk]


# The room × time view.


def _grid(response):
    return [
        (
            day.date.isoformat(),
            day.columns,
            [
                (
                    row.starts_at.isoformat(),
                    [None if cell is None else ([s.code for s in cell.sessions], cell.rowspan) for cell in row.cells],
                )
                for row in day.rows
            ],
        )
        for day in response.context["room_grid"]
    ]


def test_the_rooms_view_lays_each_day_out_as_rooms_by_start_times(client, athens):
    response = client.get(PROGRAMME, {"view": "rooms"})

    assert _grid(response) == [
        (
            "2009-11-02",
            ["Room A", "Room B", "Room C"],
            [
                ("2009-11-02T07:30:00+00:00", [(["1.1"], 1), (["2.1"], 1), (["3.1"], 1)]),
                ("2009-11-02T12:00:00+00:00", [(["1.2"], 1), (["2.2"], 1), (["3.2"], 1)]),
            ],
        ),
        ("2009-11-03", ["Room A", "Room C"], [("2009-11-03T07:30:00+00:00", [(["1.3"], 1), (["3.3"], 1)])]),
    ]
    html = _html(response)
    assert (
        '<thead><tr><th scope="col">Time</th><th scope="col">Room A</th><th scope="col">Room B</th>'
        '<th scope="col">Room C</th></tr></thead>'
    ) in html
    assert '<tr><th scope="row"><time datetime="2009-11-02T09:30:00+02:00">09:30</time></th><td>' in html


def test_the_rooms_view_takes_the_filters_too(client, athens):
    response = client.get(PROGRAMME, {"view": "rooms", "theme": "diaspora"})

    assert _grid(response) == [
        (
            "2009-11-02",
            ["Room A", "Room C"],
            [
                ("2009-11-02T07:30:00+00:00", [([], 1), (["3.1"], 1)]),
                ("2009-11-02T12:00:00+00:00", [(["1.2"], 1), (["3.2"], 1)]),
            ],
        )
    ]
    assert '<td class="empty"></td>' in _html(response)


def test_room_grid_spans_long_sessions_and_keeps_sessions_without_a_room_last(db):
    forum = make_forum()
    hall, side = make_room(forum=forum, name="Hall", position=1), make_room(forum=forum, name="Side", position=2)
    roundtable = make_roundtable(forum=forum)

    def session(number, room, start, end):
        return make_session(
            roundtable=roundtable,
            number=number,
            room=room,
            starts_at=forum_time(forum, 0, *start),
            ends_at=forum_time(forum, 0, *end),
        )

    sessions = [
        session(1, hall, (9, 0), (12, 0)),
        session(2, side, (9, 0), (10, 30)),
        session(3, side, (10, 30), (12, 0)),
        session(4, None, (12, 0), (13, 0)),
        session(5, hall, (11, 0), (11, 45)),  # starts in the hall while session 1 is still on: joins its cell
    ]

    days = room_grid(sessions=sessions, rooms=[hall, side], zone=forum.zone)

    assert [
        (
            day.columns,
            [[cell and ([s.number for s in cell.sessions], cell.rowspan) for cell in row.cells] for row in day.rows],
        )
        for day in days
    ] == [
        (
            ["Hall", "Side", ""],
            [
                [([1, 5], 3), ([2], 1), ([], 1)],
                [None, ([3], 2), ([], 1)],
                [None, None, ([], 1)],
                [([], 1), ([], 1), ([4], 1)],
            ],
        )
    ]
    assert [row.starts_at for row in days[0].rows] == [
        forum_time(forum, 0, 9),
        forum_time(forum, 0, 10, 30),
        forum_time(forum, 0, 11),
        forum_time(forum, 0, 12),
    ]


# The page cache.


def _queries(client, url):
    """The response to ``url`` and the number of queries it cost: 1 (the version check) when served from the cache."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, len(queries)


def test_the_page_cache_keeps_one_entry_per_filter_and_ignores_other_parameters(client, athens):
    whole, made = _queries(client, PROGRAMME)
    first, first_cost = _queries(client, f"{PROGRAMME}?day=2009-11-02")
    second, second_cost = _queries(client, f"{PROGRAMME}?room=room-a")  # another filter: another entry
    again, again_cost = _queries(client, f"{PROGRAMME}?utm_source=newsletter&day=2009-11-02&page=3")
    room_again, room_again_cost = _queries(client, f"{PROGRAMME}?x=1&room=room-a")

    # Made anew (more than the version check) for each filter, then served from its entry.
    assert (made > 1, first_cost > 1, second_cost > 1, again_cost, room_again_cost) == (True, True, True, 1, 1)
    assert (_codes(whole), _codes(first), _codes(second)) == (
        ["1.1", "2.1", "3.1", "1.2", "2.2", "3.2", "1.3", "3.3"],
        ["1.1", "2.1", "3.1", "1.2", "2.2", "3.2"],
        ["1.1", "1.2", "1.3"],
    )
    assert (again.content, again["ETag"]) == (first.content, first["ETag"])
    assert room_again.content == second.content


def test_the_page_cache_keys_on_the_parameters_in_any_order(client, athens, django_assert_num_queries):
    client.get(f"{PROGRAMME}?day=2009-11-02&room=room-a")

    with django_assert_num_queries(1):
        response = client.get(f"{PROGRAMME}?room=room-a&day=2009-11-02")

    assert _codes(response) == ["1.1", "1.2"]


def test_pages_for_unknown_values_are_never_stored(client, athens):
    _first, made = _queries(client, f"{PROGRAMME}?room=room-z")

    response, cost = _queries(client, f"{PROGRAMME}?room=room-z")

    assert (response.status_code, made > 1, cost) == (404, True, made)


# Queries.


@pytest.mark.parametrize("size", [4, 150])
@pytest.mark.parametrize("query", [{}, {"day": "2009-11-02", "theme": "theme-x"}, {"view": "rooms"}])
def test_programme_queries_stay_flat(client, db, django_assert_num_queries, size, query):
    forum = make_programme(roundtables=size)
    if "theme" in query:
        query = {**query, "theme": forum.roundtables.first().sessions.first().themes.order_by("pk").first().slug}
    url = reverse("roundtables:programme", args=[forum.slug])

    # version check, forum, sessions, their people, their themes, rooms
    with django_assert_num_queries(6):
        response = client.get(url, query)

    assert response.status_code == 200
    assert response.context["session_count"] == 2 * size


def test_room_grid_gives_a_break_without_a_room_a_row_across_every_room(db):
    forum = make_forum()
    hall, side = make_room(forum=forum, name="Hall", position=1), make_room(forum=forum, name="Side", position=2)
    roundtable = make_roundtable(forum=forum)

    def item(number, room, start, end, kind=Session.Kind.SESSION):
        return make_session(
            roundtable=roundtable,
            number=number,
            room=room,
            kind=kind,
            starts_at=forum_time(forum, 0, *start),
            ends_at=forum_time(forum, 0, *end),
        )

    sessions = [
        item(1, hall, (9, 0), (11, 0)),
        item(2, side, (9, 0), (11, 0)),
        item(3, None, (11, 0), (11, 30), Session.Kind.BREAK),
        item(4, hall, (11, 30), (13, 0)),
        item(5, side, (11, 30), (14, 0)),
        item(6, None, (13, 0), (14, 0), Session.Kind.PLENARY),  # the side room is still busy: a column of its own
    ]

    days = room_grid(sessions=sessions, rooms=[hall, side], zone=forum.zone)

    assert [
        [
            (
                [s.number for s in row.wide],
                [cell and ([s.number for s in cell.sessions], cell.rowspan) for cell in row.cells],
            )
            for row in day.rows
        ]
        for day in days
    ] == [
        [
            ([], [([1], 1), ([2], 1), ([], 1)]),
            ([3], [None, None, None]),
            ([], [([4], 1), ([5], 2), ([], 1)]),
            ([], [([], 1), None, ([6], 1)]),
        ]
    ]
    assert days[0].columns == ["Hall", "Side", ""]
