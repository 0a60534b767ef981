"""The committee's admin pages fit a 1280 px screen without scrolling sideways, and each says once which time
zone its times are in (instead of Django's warning under every time field)."""

import datetime

import pytest
from playwright.sync_api import expect

from tests.factories import (
    forum_time,
    make_forum,
    make_issue,
    make_organisation,
    make_participation,
    make_person,
    make_room,
    make_roundtable,
    make_session,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"  # what tests.factories.make_user gives every account
LONG_TITLE = (
    "Doing protection of migrant workers: labour migration governance, recruitment fees, decent work, "
    "access to justice and portability of social protection across the corridors of South Asia and the Gulf, "
    "with the role of employers, trade unions, recruitment agencies and civil society in each country of origin"
)

# The widest elements of a page, to say what sticks out when a page is too wide.
WIDEST = """() => [...document.querySelectorAll('body *')]
    .map(el => ({el, right: el.getBoundingClientRect().right}))
    .filter(item => item.right > document.documentElement.clientWidth)
    .sort((a, b) => b.right - a.right).slice(0, 5)
    .map(item => `${item.el.tagName}.${item.el.className} #${item.el.id} right=${Math.round(item.right)}`)"""


@pytest.fixture
def dhaka(db):
    forum = make_forum(
        name="GFMD Civil Society Days, Dhaka 2016",
        starts_on=datetime.date(2016, 12, 8),
        ends_on=datetime.date(2016, 12, 9),
        time_zone="Asia/Dhaka",
    )
    rooms = [make_room(forum=forum, name=f"Conference hall {letter}") for letter in "AB"]
    roundtables = []
    for number in range(1, 5):
        roundtable = make_roundtable(forum=forum, number=number, title=f"Theme {number}: {LONG_TITLE}"[:300])
        for session_number in (1, 2):
            make_session(
                roundtable=roundtable,
                number=session_number,
                title=f"Working session {number}.{session_number}: {LONG_TITLE}"[:300],
                slug=f"working-session-{number}-{session_number}",
                starts_at=forum_time(forum, session_number - 1, 9),
                ends_at=forum_time(forum, session_number - 1, 10, 30),
                room=rooms[session_number - 1],
            )
        roundtables.append(roundtable)
    session = roundtables[0].sessions.get(number=1)
    issue = make_issue(session=session, text=f"How to make recruitment fair? {LONG_TITLE}", position=1)
    make_issue(parent=issue, text=f"Zero recruitment fees for workers. {LONG_TITLE}", position=1)
    organisation = make_organisation(name="Migrant Forum in Asia and the South Asia Regional Trade Union Council")
    for role in ("chair", "rapporteur", "speaker"):
        make_participation(
            session=session,
            role=role,
            person=make_person(name=f"Dr. Amina Rahman-Chowdhury, {role}", organisation=organisation),
        )
    return forum, roundtables


def _log_in(page, user):
    page.goto("/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#site-name")).to_be_visible()


# Boxes that scroll sideways inside the page (the admin wraps its lists and inline tables in such boxes).
SCROLLING_BOXES = """() => [...document.querySelectorAll('body *')]
    .filter(el => el.scrollWidth > el.clientWidth + 1 && ['auto', 'scroll'].includes(getComputedStyle(el).overflowX))
    .map(el => `${el.tagName}.${el.className} ${el.clientWidth}<${el.scrollWidth}`)"""


def _fits(page, path):
    """The page's width, and what sticks out or scrolls sideways inside it."""
    page.goto(path)
    expect(page.locator("#content")).to_be_visible()
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    return width, (page.evaluate(WIDEST) if width > 1280 else []) + page.evaluate(SCROLLING_BOXES)


def test_admin_pages_fit_1280_pixels_and_name_their_time_zone_once(browser, live_server, organiser, dhaka):
    forum, roundtables = dhaka
    session = roundtables[0].sessions.get(number=1)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    _log_in(page, organiser)
    pages = {
        "session list": f"/admin/programme_sessions/session/?forum={forum.pk}",
        "session": f"/admin/programme_sessions/session/{session.pk}/change/",
        "roundtable": f"/admin/roundtables/roundtable/{roundtables[0].pk}/change/",
        "forum": f"/admin/roundtables/forum/{forum.pk}/change/",
    }

    measured, notes, warnings = {}, {}, {}
    for name, path in pages.items():
        measured[name] = _fits(page, path)
        notes[name] = page.locator(".time-zone-note").all_inner_texts()
        warnings[name] = page.locator(".timezonewarning:visible").count()
    context.close()

    assert {name: (width, problems) for name, (width, problems) in measured.items() if width > 1280 or problems} == {}
    assert notes == {
        "session list": ["Times are in Asia/Dhaka, the time zone of GFMD Civil Society Days, Dhaka 2016."],
        "session": ["Times on this page are in Asia/Dhaka, the time zone of GFMD Civil Society Days, Dhaka 2016."],
        "roundtable": ["Times on this page are in Asia/Dhaka, the time zone of GFMD Civil Society Days, Dhaka 2016."],
        "forum": ["Session times of this forum are in Asia/Dhaka."],
    }
    assert warnings == {"session list": 0, "session": 0, "roundtable": 0, "forum": 0}


def test_the_time_zone_warnings_exist_but_stay_hidden(browser, live_server, organiser, dhaka):
    """Django's script still adds its warning under each time field (the browser is in UTC, the forum six hours
    ahead); the admin's style hides them all."""
    _forum, roundtables = dhaka
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    _log_in(page, organiser)

    page.goto(f"/admin/roundtables/roundtable/{roundtables[0].pk}/change/")
    page.wait_for_load_state("load")

    counts = (page.locator(".timezonewarning").count(), page.locator(".timezonewarning:visible").count())
    context.close()
    assert counts[0] > 0
    assert counts[1] == 0
