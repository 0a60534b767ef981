import re

import pytest
from playwright.sync_api import expect

from sessions.models import Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROGRAMME = "/en/forums/athens-2009/programme/"
STAR = "Star"
REMOVE = "Remove from my agenda"


def athens_session(roundtable, number):
    return Session.objects.get(roundtable__forum__slug="athens-2009", roundtable__number=roundtable, number=number)


def star(page, session):
    return page.locator(f"#session-{session.pk} .star-button")


def label(page, session):
    return page.locator(f"#session-{session.pk} .star-label")


def expect_starred(page, session, starred):
    button = star(page, session)
    expect(button).to_have_attribute("value", "remove" if starred else "add")
    expect(button).to_have_accessible_name(f"{REMOVE if starred else STAR} session {session.code}")
    expect(label(page, session)).to_have_text(REMOVE if starred else STAR)


def test_starring_with_javascript_toggles_in_place_and_fills_my_agenda(page, live_server, athens):
    first, later = athens_session(1, 1), athens_session(3, 3)
    page.goto(PROGRAMME)
    expect(page.locator("html")).to_have_attribute("data-agenda", "ready")
    expect_starred(page, first, False)

    star(page, first).click()
    expect_starred(page, first, True)
    star(page, later).click()
    expect_starred(page, later, True)

    assert page.url == f"{live_server.url}{PROGRAMME}"
    page.reload()  # the server marks the starred sessions from the cookie
    expect_starred(page, first, True)
    expect_starred(page, later, True)
    expect_starred(page, athens_session(2, 1), False)

    page.get_by_role("link", name="My agenda").first.click()
    expect(page).to_have_url(f"{live_server.url}/en/agenda/")
    expect(page.locator(".agenda-title")).to_have_text([f"1.1 {first.title}", f"3.3 {later.title}"])
    expect(page.get_by_role("link", name="Download my agenda (.ics)")).to_have_attribute(
        "href", f"/en/agenda/calendar.ics?sessions={first.pk},{later.pk}"
    )

    page.locator(f"#agenda-session-{first.pk} .star-button").click()
    expect(page.locator(f"#agenda-session-{first.pk} .star-label")).to_have_text(STAR)
    page.reload()
    expect(page.locator(".agenda-title")).to_have_text([f"3.3 {later.title}"])


def test_starring_with_the_keyboard_keeps_the_focus_on_the_button(page, athens):
    session = athens_session(2, 2)
    page.goto(PROGRAMME)
    expect(page.locator("html")).to_have_attribute("data-agenda", "ready")

    star(page, session).focus()
    page.keyboard.press("Enter")
    expect_starred(page, session, True)
    expect(star(page, session)).to_be_focused()
    page.keyboard.press("Enter")

    expect_starred(page, session, False)
    expect(star(page, session)).to_be_focused()
    assert page.evaluate("document.activeElement.id") == f"star-{session.pk}"


def test_starring_a_clash_with_javascript_warns_at_once(page, athens):
    first, parallel, afternoon = athens_session(1, 1), athens_session(2, 1), athens_session(1, 2)
    page.goto(PROGRAMME)
    expect(page.locator("html")).to_have_attribute("data-agenda", "ready")

    star(page, first).click()
    expect_starred(page, first, True)
    star(page, afternoon).click()
    expect_starred(page, afternoon, True)
    star(page, parallel).click()

    warning = page.locator(f"#session-{parallel.pk} .agenda-clash")
    expect(warning).to_have_text(f"Clash: overlaps with 1.1 {first.title} · My agenda")
    expect(warning).to_have_attribute("role", "status")
    expect(star(page, parallel)).to_have_accessible_description(f"Clash: overlaps with 1.1 {first.title} · My agenda")
    expect(star(page, parallel)).to_be_focused()
    expect(page.locator(".agenda-clash")).to_have_count(1)  # not for the sessions starred without a clash

    star(page, parallel).click()  # taken out again: the warning goes
    expect_starred(page, parallel, False)
    expect(page.locator(".agenda-clash")).to_have_count(0)


def test_starring_without_javascript_shows_the_state_and_keeps_the_focus(page_without_js, live_server, athens):
    page = page_without_js
    first, later = athens_session(1, 1), athens_session(3, 3)
    page.goto(PROGRAMME)
    expect_starred(page, later, False)

    star(page, later).focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}{PROGRAMME}#star-{later.pk}")
    expect_starred(page, later, True)
    expect(star(page, later)).to_be_focused()
    star(page, first).click()
    expect(page).to_have_url(f"{live_server.url}{PROGRAMME}#star-{first.pk}")
    expect_starred(page, first, True)
    expect_starred(page, later, True)
    expect(page.locator(".agenda-clash")).to_have_count(0)

    page.reload()
    expect_starred(page, first, True)
    star(page, first).click()  # the button said "Remove from my agenda": a second press removes, never adds
    expect_starred(page, first, False)
    expect(star(page, first)).to_be_focused()

    page.get_by_role("link", name="My agenda").first.click()
    expect(page.locator(".agenda-title")).to_have_text([f"3.3 {later.title}"])
    expect(page.locator(".agenda-day h2")).to_have_text(["Tuesday 3 November 2009"])
    page.locator(f"#agenda-session-{later.pk} .star-button").click()
    expect(page).to_have_url(f"{live_server.url}/en/agenda/#star-{later.pk}")
    expect(page.locator(".agenda-title")).to_have_count(0)


def test_starring_a_clash_without_javascript_warns_on_the_page_it_comes_back_to(page_without_js, athens):
    page = page_without_js
    first, parallel = athens_session(1, 1), athens_session(2, 1)
    page.goto(PROGRAMME)
    star(page, first).click()
    expect(page.locator(".agenda-clash")).to_have_count(0)

    star(page, parallel).focus()
    page.keyboard.press("Enter")

    warning = page.locator(f"#session-{parallel.pk} .agenda-clash")
    expect(warning).to_have_text(f"Clash: overlaps with 1.1 {first.title} · My agenda")
    expect(star(page, parallel)).to_be_focused()
    expect(star(page, parallel)).to_have_accessible_description(f"Clash: overlaps with 1.1 {first.title} · My agenda")
    expect_starred(page, parallel, True)
    page.reload()  # shown once
    expect(page.locator(".agenda-clash")).to_have_count(0)
    expect_starred(page, parallel, True)


def test_star_on_the_session_page_shows_in_the_programme(page, athens):
    session = athens_session(2, 2)
    page.goto(session.get_absolute_url())
    expect(page.locator("html")).to_have_attribute("data-agenda", "ready")

    button = page.locator(".session-actions .star-button")
    button.click()
    expect(button).to_have_attribute("value", "remove")
    page.goto(PROGRAMME)

    expect_starred(page, session, True)
    expect(page.locator('.star-button[value="remove"]')).to_have_count(1)


def test_my_agenda_moves_to_a_phone_by_its_share_link(page, phone_page, athens):
    first, later = athens_session(1, 1), athens_session(3, 3)
    page.goto(PROGRAMME)
    expect(page.locator("html")).to_have_attribute("data-agenda", "ready")
    star(page, first).click()
    expect_starred(page, first, True)
    star(page, later).click()
    expect_starred(page, later, True)
    page.goto("/en/agenda/")

    qr = page.get_by_role("img", name="QR code of the address of this agenda")
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] >= 100
    share = page.locator(".share-link a").get_attribute("href")
    phone_page.goto(share)  # what the phone's camera opens

    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Shared agenda")
    expect(phone_page.locator(".agenda-title")).to_have_text([f"1.1 {first.title}", f"3.3 {later.title}"])
    phone_page.get_by_role("button", name="Add these 2 sessions to my agenda").click()
    expect(phone_page).to_have_url(re.compile(r"/en/agenda/$"))
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("My agenda")
    expect(phone_page.locator(".agenda-title")).to_have_text([f"1.1 {first.title}", f"3.3 {later.title}"])
