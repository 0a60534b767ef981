"""Star buttons show the visitor's agenda on pages cached for everyone, and warn of clashes at once."""

import json
import re

import pytest

from sessions.agenda import CLASH_NOTICE_COOKIE, stars_etag, stars_mark
from tests.factories import forum_time, make_forum, make_roundtable, make_session, make_theme, make_user

TOGGLE_URL = "/en/agenda/toggle/"
PROGRAMME_URL = "/en/forums/lisbon-2099/programme/"


@pytest.fixture
def lisbon(db):
    """Morning 09:30–11:00 overlaps Overlap 10:00–11:30; Afternoon does not overlap either."""
    forum = make_forum(slug="lisbon-2099", time_zone="Europe/Lisbon")
    first = make_roundtable(forum=forum, number=1, slug="labour")
    second = make_roundtable(forum=forum, number=2, slug="diaspora")
    theme = make_theme(name="Gender", slug="gender")
    sessions = {
        "morning": make_session(
            roundtable=first,
            number=1,
            title="Morning",
            starts_at=forum_time(forum, 0, 9, 30),
            ends_at=forum_time(forum, 0, 11),
        ),
        "overlap": make_session(
            roundtable=second,
            number=1,
            title='Overlap "<b>quoted</b>"',
            starts_at=forum_time(forum, 0, 10),
            ends_at=forum_time(forum, 0, 11, 30),
        ),
        "afternoon": make_session(
            roundtable=first,
            number=2,
            title="Afternoon",
            starts_at=forum_time(forum, 0, 14),
            ends_at=forum_time(forum, 0, 15),
        ),
    }
    for session in sessions.values():
        session.themes.add(theme)
    return sessions


def button_states(html):
    """{session id: (action, visible label)} of every star button on the page."""
    pattern = (
        r'id="star-(\d+)" name="action" value="(add|remove)"[^>]*><span class="star-icon" aria-hidden="true">'
        r'</span><span class="star-label" data-other="[^"]*">([^<]*)</span>'
    )
    return {int(pk): (action, label) for pk, action, label in re.findall(pattern, html)}


def test_a_cached_page_shows_each_visitor_their_own_stars(client, lisbon, django_assert_num_queries):
    morning, overlap, afternoon = lisbon["morning"], lisbon["overlap"], lisbon["afternoon"]
    anonymous = client.get(PROGRAMME_URL)  # fills the page cache
    client.cookies["agenda"] = f"{morning.pk}-999999"

    with django_assert_num_queries(1):  # the version check: the page comes from the cache
        starred = client.get(PROGRAMME_URL)

    assert button_states(anonymous.content.decode()) == {
        morning.pk: ("add", "Star"),
        overlap.pk: ("add", "Star"),
        afternoon.pk: ("add", "Star"),
    }
    assert button_states(starred.content.decode()) == {
        morning.pk: ("remove", "Remove from my agenda"),
        overlap.pk: ("add", "Star"),
        afternoon.pk: ("add", "Star"),
    }
    assert anonymous["Cache-Control"] == "public, no-cache"
    assert starred["Cache-Control"] == "private, no-cache"
    assert starred["Vary"] == anonymous["Vary"]
    assert "Cookie" in starred["Vary"]
    assert starred["ETag"] != anonymous["ETag"]
    assert int(starred["Content-Length"]) == len(starred.content)


@pytest.mark.parametrize(
    "url",
    [
        "/en/forums/lisbon-2099/roundtables/labour/",
        "/en/themes/gender/",
        "/en/forums/lisbon-2099/roundtables/labour/session-1/",
    ],
    ids=["roundtable", "theme", "session"],
)
def test_every_page_with_star_buttons_shows_the_stars(client, lisbon, url):
    morning = lisbon["morning"]
    client.cookies["agenda"] = str(morning.pk)

    html = client.get(url).content.decode()

    assert button_states(html)[morning.pk] == ("remove", "Remove from my agenda")


def test_staff_pages_show_their_stars_too(client, lisbon):
    client.force_login(make_user(is_staff=True))
    client.cookies["agenda"] = str(lisbon["afternoon"].pk)

    response = client.get(PROGRAMME_URL)

    assert button_states(response.content.decode())[lisbon["afternoon"].pk] == ("remove", "Remove from my agenda")
    assert "ETag" not in response


def test_a_visitor_revalidates_their_page_and_gets_a_304_until_their_stars_change(client, lisbon):
    morning, afternoon = lisbon["morning"], lisbon["afternoon"]
    client.cookies["agenda"] = str(morning.pk)
    etag = client.get(PROGRAMME_URL)["ETag"]

    unchanged = client.get(PROGRAMME_URL, headers={"if-none-match": etag})
    client.cookies["agenda"] = f"{morning.pk}-{afternoon.pk}"
    changed = client.get(PROGRAMME_URL, headers={"if-none-match": etag})

    assert (unchanged.status_code, unchanged["ETag"]) == (304, etag)
    assert changed.status_code == 200
    assert button_states(changed.content.decode())[afternoon.pk] == ("remove", "Remove from my agenda")


def test_the_page_a_browser_held_before_starring_is_not_reused(client, lisbon):
    """The browser sends the ETag of the page it holds, from before the star: it gets the starred page."""
    before = client.get(PROGRAMME_URL)
    client.cookies["agenda"] = str(lisbon["morning"].pk)

    after = client.get(PROGRAMME_URL, headers={"if-none-match": before["ETag"]})

    assert after.status_code == 200
    assert button_states(after.content.decode())[lisbon["morning"].pk][0] == "remove"


def test_a_visitor_without_stars_still_gets_a_304(client, lisbon, django_assert_num_queries):
    etag = client.get(PROGRAMME_URL)["ETag"]

    with django_assert_num_queries(1):
        response = client.get(PROGRAMME_URL, headers={"if-none-match": etag})

    assert (response.status_code, response.content) == (304, b"")


def test_starring_without_javascript_comes_back_to_the_button(client, lisbon):
    morning = lisbon["morning"]
    back = f"{PROGRAMME_URL}#star-{morning.pk}"

    response = client.post(TOGGLE_URL, {"session": str(morning.pk), "action": "add", "next": back})
    page = client.get(PROGRAMME_URL).content.decode()

    assert (response.status_code, response["Location"]) == (303, back)
    assert CLASH_NOTICE_COOKIE not in response.cookies  # nothing to warn about
    assert button_states(page)[morning.pk] == ("remove", "Remove from my agenda")
    assert f'<input type="hidden" name="next" value="{back}">' in page


def test_the_remove_button_removes_even_when_pressed_twice(client, lisbon):
    """A button says what it does: a page shown again (the back button) never stars what it says it removes."""
    morning = lisbon["morning"]
    client.cookies["agenda"] = str(morning.pk)

    first = client.post(TOGGLE_URL, {"session": str(morning.pk), "action": "remove"})
    second = client.post(TOGGLE_URL, {"session": str(morning.pk), "action": "remove"})

    assert (first.cookies["agenda"].value, second.cookies["agenda"].value) == ("", "")


def test_starring_a_clash_without_javascript_warns_on_the_next_page_once(client, lisbon, django_assert_num_queries):
    morning, overlap = lisbon["morning"], lisbon["overlap"]
    client.get(PROGRAMME_URL)  # cached for everyone
    client.cookies["agenda"] = str(morning.pk)

    posted = client.post(
        TOGGLE_URL, {"session": str(overlap.pk), "action": "add", "next": f"{PROGRAMME_URL}#star-{overlap.pk}"}
    )
    with django_assert_num_queries(2):  # the version check, and the starred sessions' times
        warned = client.get(PROGRAMME_URL)
    later = client.get(PROGRAMME_URL)

    assert posted.cookies[CLASH_NOTICE_COOKIE].value == str(overlap.pk)
    assert posted.cookies[CLASH_NOTICE_COOKIE]["httponly"] is True
    html = warned.content.decode()
    notice = (
        f'<p class="agenda-clash" id="agenda-clash-{overlap.pk}" role="status"><strong>Clash:</strong> overlaps with '
        f'<a href="{morning.get_absolute_url()}"><span class="code">1.1</span> Morning</a> · '
        '<a href="/en/agenda/">My agenda</a></p>'
    )
    button = (
        f'<button type="submit" class="star-button" id="star-{overlap.pk}" name="action" value="remove"'
        f' aria-describedby="agenda-clash-{overlap.pk}">'
    )
    assert html.count('class="agenda-clash"') == 1
    assert re.search(re.escape(button) + r".*?</button>" + re.escape(notice), html)
    assert warned.cookies[CLASH_NOTICE_COOKIE]["max-age"] == 0  # shown once
    assert warned["Cache-Control"] == "private, no-cache"
    assert "agenda-clash" not in later.content.decode()


def test_a_clash_warning_escapes_titles(client, lisbon):
    morning, overlap = lisbon["morning"], lisbon["overlap"]
    client.cookies["agenda"] = str(overlap.pk)

    response = client.post(
        TOGGLE_URL, {"session": str(morning.pk), "action": "add"}, headers={"accept": "application/json"}
    )

    notice = json.loads(response.content)["notice"]
    assert '<span class="code">2.1</span> Overlap &quot;&lt;b&gt;quoted&lt;/b&gt;&quot;</a>' in notice
    assert "<b>" not in notice


def test_starring_with_javascript_gets_the_clash_warning_at_once(client, lisbon):
    morning, overlap, afternoon = lisbon["morning"], lisbon["overlap"], lisbon["afternoon"]
    client.cookies["agenda"] = f"{morning.pk}-{afternoon.pk}"

    clash = client.post(
        TOGGLE_URL, {"session": str(overlap.pk), "action": "add"}, headers={"accept": "application/json"}
    )
    client.cookies["agenda"] = str(morning.pk)
    no_clash = client.post(
        TOGGLE_URL, {"session": str(afternoon.pk), "action": "add"}, headers={"accept": "application/json"}
    )

    assert json.loads(clash.content)["clashes"] == [morning.pk]
    assert 'id="agenda-clash-' in json.loads(clash.content)["notice"]
    assert (json.loads(no_clash.content)["clashes"], json.loads(no_clash.content)["notice"]) == ([], "")
    assert CLASH_NOTICE_COOKIE not in clash.cookies  # scripts show it themselves


@pytest.mark.parametrize(
    "value",
    ["999999", "abc", "", "1-2"],
)
def test_a_clash_cookie_naming_no_starred_session_on_the_page_shows_nothing_and_costs_no_query(
    client, lisbon, django_assert_num_queries, value
):
    client.get(PROGRAMME_URL)
    client.cookies["agenda"] = str(lisbon["morning"].pk)
    client.cookies[CLASH_NOTICE_COOKIE] = value

    with django_assert_num_queries(1):
        response = client.get(PROGRAMME_URL)

    assert "agenda-clash" not in response.content.decode()
    assert response.cookies[CLASH_NOTICE_COOKIE]["max-age"] == 0


def test_a_clash_cookie_for_a_session_not_in_the_agenda_shows_nothing(client, lisbon):
    client.cookies["agenda"] = str(lisbon["morning"].pk)
    client.cookies[CLASH_NOTICE_COOKIE] = str(lisbon["overlap"].pk)

    response = client.get(PROGRAMME_URL)

    assert "agenda-clash" not in response.content.decode()


def test_stars_mark_switches_only_the_starred_buttons_of_the_page():
    page = (
        b'<button type="submit" class="star-button" id="star-7" name="action" value="add">'
        b'<span class="star-icon" aria-hidden="true"></span><span class="star-label" data-other="Remove">Star</span>'
        b'<span class="visually-hidden"> session 1.1</span></button>'
        b'<button type="submit" class="star-button" id="star-8" name="action" value="add">'
        b'<span class="star-icon" aria-hidden="true"></span><span class="star-label" data-other="Remove">Star</span>'
        b'<span class="visually-hidden"> session 1.2</span></button>'
    )

    marked_page, marked = stars_mark(page, starred={8, 9})

    assert marked == [8]
    assert marked_page == page.replace(
        b'id="star-8" name="action" value="add"><span class="star-icon" aria-hidden="true"></span>'
        b'<span class="star-label" data-other="Remove">Star</span>',
        b'id="star-8" name="action" value="remove"><span class="star-icon" aria-hidden="true"></span>'
        b'<span class="star-label" data-other="Star">Remove</span>',
    )
    assert stars_mark(marked_page, starred={8}) == (marked_page, [])  # already marked


def test_stars_etag_never_equals_the_shared_pages():
    assert stars_etag('"abc"', [], "") not in {'"abc"', stars_etag('"abc"', [1], "")}
    assert stars_etag('"abc"', [2, 1], "") == stars_etag('"abc"', [1, 2], "")
    assert stars_etag('W/"abc"', [1], "").startswith('W/"abc-')


@pytest.mark.parametrize(
    ("language", "star", "remove"),
    [("fr", "Marquer", "Retirer de mon agenda"), ("es", "Marcar", "Quitar de mi agenda")],
)
def test_star_buttons_speak_the_pages_language(client, lisbon, language, star, remove):
    morning, overlap = lisbon["morning"], lisbon["overlap"]
    client.cookies["agenda"] = str(morning.pk)

    html = client.get(PROGRAMME_URL.replace("/en/", f"/{language}/")).content.decode()

    assert button_states(html)[morning.pk] == ("remove", remove)
    assert button_states(html)[overlap.pk] == ("add", star)
    assert f'data-other="{star}">{remove}</span>' in html
