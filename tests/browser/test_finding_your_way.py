"""Finding one's way in a browser: programme filters without JavaScript, pages of search results, the room
grid on a wide screen, and the first screen of a 360 px phone (the header, a session's when and where, the
forum's programme link)."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import forum_time, make_forum, make_room, make_roundtable, make_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROGRAMME = "/en/forums/athens-2009/programme/"
# Seven lines on a 360 px phone at the size titles had before (2em), such titles exist in the archive.
LONG_TITLE = (
    "Protecting the rights of migrant workers, their families and the communities they leave behind: "
    "what governments, employers and civil society can do together"
)


@pytest.fixture
def small_phone(browser, live_server):
    """A 360 × 640 phone: the smallest first screen delegates bring."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 360, "height": 640}, device_scale_factor=2, is_mobile=True
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def _card_codes(page):
    return page.locator(".session-card .code").all_inner_texts()


def _first_screen_bottom(page):
    return page.evaluate("window.innerHeight")


# Filters.


def test_filters_work_by_links_without_javascript(page_without_js, live_server, athens):
    page = page_without_js
    page.goto(PROGRAMME)
    filters = page.get_by_role("navigation", name="Filter the programme")

    filters.get_by_role("link", name="Monday 2 November").click()
    expect(page).to_have_url(f"{live_server.url}{PROGRAMME}?day=2009-11-02")
    assert _card_codes(page) == ["1.1", "2.1", "3.1", "1.2", "2.2", "3.2"]

    filters.get_by_role("link", name="Room A", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}{PROGRAMME}?day=2009-11-02&room=room-a")
    assert _card_codes(page) == ["1.1", "1.2"]
    expect(filters.locator('a[aria-current="true"]')).to_have_text(
        ["Monday 2 November", "All roundtables", "All themes", "Room A", "List"]
    )
    expect(page.get_by_text("2 of 8 sessions shown")).to_be_visible()

    page.get_by_role("link", name="Clear all filters").click()
    expect(page).to_have_url(f"{live_server.url}{PROGRAMME}")
    assert len(_card_codes(page)) == 8


def test_a_shared_filter_address_opens_the_same_selection(page_without_js, live_server, athens):
    page_without_js.goto(f"{PROGRAMME}?theme=circular-migration")

    assert _card_codes(page_without_js) == ["2.2"]
    expect(page_without_js.get_by_text("1 of 8 sessions shown")).to_be_visible()


def test_an_unknown_room_says_so(page_without_js, athens):
    response = page_without_js.goto(f"{PROGRAMME}?room=room-z")

    assert response.status == 404
    expect(page_without_js.get_by_text("Room “room-z” is not in this programme.")).to_be_visible()
    page_without_js.get_by_role("link", name="See the whole programme").click()
    assert len(_card_codes(page_without_js)) == 8


def test_the_room_grid_puts_rooms_side_by_side_on_a_wide_screen_and_stacks_them_on_a_phone(page, small_phone, athens):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{PROGRAMME}?view=rooms")
    small_phone.goto(f"{PROGRAMME}?view=rooms")

    wide = [
        page.locator(".room-grid").first.locator("tbody tr").first.locator(".session-card").nth(n) for n in range(3)
    ]
    narrow = [
        small_phone.locator(".room-grid").first.locator("tbody tr").first.locator(".session-card").nth(n)
        for n in range(3)
    ]
    wide_boxes = [card.bounding_box() for card in wide]
    narrow_boxes = [card.bounding_box() for card in narrow]

    expect(page.locator(".room-grid").first.locator("thead th")).to_have_text(["Time", "Room A", "Room B", "Room C"])
    assert {round(box["y"]) for box in wide_boxes} == {round(wide_boxes[0]["y"])}
    assert wide_boxes[0]["x"] < wide_boxes[1]["x"] < wide_boxes[2]["x"]
    assert {round(box["x"]) for box in narrow_boxes} == {round(narrow_boxes[0]["x"])}
    assert narrow_boxes[0]["y"] < narrow_boxes[1]["y"] < narrow_boxes[2]["y"]
    assert small_phone.evaluate("document.scrollingElement.scrollWidth") <= 360


# Search.


def test_search_pages_through_all_results(page, live_server, db):
    forum = make_forum(name="Civil Society Days, Athens 2009")
    roundtable = make_roundtable(forum=forum)
    for n in range(29):
        make_session(roundtable=roundtable, title=f"Remittances and development, part {n + 1}")

    page.goto("/en/search/?q=remittances")
    expect(page.get_by_role("status")).to_contain_text("29 results for “remittances”")
    expect(page.locator(".result")).to_have_count(20)

    page.locator('a[rel="next"]').click()

    expect(page).to_have_url(f"{live_server.url}/en/search/?q=remittances&page=2")
    expect(page.locator(".result")).to_have_count(9)
    expect(page.get_by_role("heading", level=2)).to_have_text(["Sessions (29)"])
    expect(page.locator(".result h3").first).to_contain_text("1.21")
    expect(page.locator('a[rel="next"]')).to_have_count(0)
    page.locator('a[rel="prev"]').click()
    expect(page).to_have_url(f"{live_server.url}/en/search/?q=remittances")


# The first screen of a phone.


@pytest.fixture
def long_session(db):
    forum = make_forum(name="Civil Society Days, Athens 2009", slug="athens-2009")
    session = make_session(
        roundtable=make_roundtable(forum=forum, title="Migrant integration, reintegration and circulation"),
        title=LONG_TITLE,
        room=make_room(forum=forum, name="Room A"),
        starts_at=forum_time(forum, 0, 9, 30),
        ends_at=forum_time(forum, 0, 11),
    )
    return session


def test_a_phone_shows_a_sessions_when_and_where_on_the_first_screen(small_phone, long_session):
    small_phone.goto(long_session.get_absolute_url())

    title = small_phone.locator("h1").bounding_box()
    line = float(small_phone.evaluate("parseFloat(getComputedStyle(document.querySelector('h1')).lineHeight)"))
    facts = small_phone.locator("dl.facts").bounding_box()
    header = small_phone.locator(".site-header").bounding_box()

    assert title["height"] >= 4 * line  # the long title still takes several lines
    assert small_phone.evaluate("window.scrollY") == 0
    assert facts["y"] + facts["height"] <= _first_screen_bottom(small_phone)
    expect(small_phone.locator("dl.facts")).to_contain_text("Monday 2 November 2009, 09:30–11:00")
    expect(small_phone.locator("dl.facts")).to_contain_text("Room A")
    assert header["height"] < 0.25 * 640


@pytest.mark.parametrize(
    "path",
    [PROGRAMME, "/en/forums/athens-2009/", "/en/themes/", "/en/search/?q=migration", "/en/agenda/", "/fr/themes/"],
)
def test_the_header_takes_less_than_a_quarter_of_a_phones_screen(small_phone, athens, path):
    small_phone.goto(path)

    header = small_phone.locator(".site-header").bounding_box()
    programme = small_phone.get_by_role("navigation", name=re.compile("^(Main|Menu principal)$")).get_by_role(
        "link", name="Programme"
    )

    assert header["height"] < 0.25 * 640
    programme_box = programme.bounding_box()
    assert programme_box["x"] + programme_box["width"] <= 360  # the programme is one tap away, on screen
    assert small_phone.evaluate("document.scrollingElement.scrollWidth") <= 360


def test_the_forum_page_offers_its_programme_above_the_description(small_phone, live_server, athens):
    small_phone.goto("/en/forums/athens-2009/")

    link = small_phone.get_by_role("link", name="Full programme")
    description = small_phone.locator(".prose").first.bounding_box()

    assert link.bounding_box()["y"] < description["y"]
    assert link.bounding_box()["y"] + link.bounding_box()["height"] <= 640
    link.click()
    expect(small_phone).to_have_url(f"{live_server.url}{PROGRAMME}")
