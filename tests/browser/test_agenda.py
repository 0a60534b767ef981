import pytest
from playwright.sync_api import expect

from sessions.models import Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROGRAMME = "/en/forums/athens-2009/programme/"


def athens_session(roundtable, number):
    return Session.objects.get(roundtable__forum__slug="athens-2009", roundtable__number=roundtable, number=number)


def star(page, session):
    return page.locator(f"#session-{session.pk} .star-button")


def test_starring_with_javascript_toggles_in_place_and_fills_my_agenda(page, live_server, athens):
    first, parallel = athens_session(1, 1), athens_session(2, 1)
    page.goto(PROGRAMME)
    expect(star(page, first)).to_have_attribute("aria-pressed", "false")

    star(page, first).click()
    expect(star(page, first)).to_have_attribute("aria-pressed", "true")
    star(page, parallel).click()
    expect(star(page, parallel)).to_have_attribute("aria-pressed", "true")

    assert page.url == f"{live_server.url}{PROGRAMME}"
    page.reload()  # the server sends every star neutral; the script shows them from the cookie
    expect(star(page, first)).to_have_attribute("aria-pressed", "true")
    expect(star(page, parallel)).to_have_attribute("aria-pressed", "true")
    expect(star(page, athens_session(3, 1))).to_have_attribute("aria-pressed", "false")

    page.get_by_role("link", name="My agenda").click()
    expect(page).to_have_url(f"{live_server.url}/en/agenda/")
    expect(page.locator(".agenda-title")).to_have_text([f"1.1 {first.title}", f"2.1 {parallel.title}"])
    expect(page.locator(".agenda-item.has-clash")).to_have_count(2)
    expect(page.get_by_role("link", name="Download my agenda (.ics)")).to_have_attribute(
        "href", f"/en/agenda/calendar.ics?sessions={first.pk},{parallel.pk}"
    )

    page.locator(f"#agenda-session-{first.pk} .star-button").click()
    expect(page.locator(f"#agenda-session-{first.pk} .star-button")).to_have_attribute("aria-pressed", "false")
    page.reload()
    expect(page.locator(".agenda-title")).to_have_text([f"2.1 {parallel.title}"])


def test_starring_without_javascript_posts_and_comes_back(page_without_js, live_server, athens):
    page = page_without_js
    first, later = athens_session(1, 1), athens_session(3, 3)
    page.goto(PROGRAMME)
    assert star(page, first).get_attribute("aria-pressed") is None

    star(page, later).click()
    expect(page).to_have_url(f"{live_server.url}{PROGRAMME}#session-{later.pk}")
    star(page, first).click()
    expect(page).to_have_url(f"{live_server.url}{PROGRAMME}#session-{first.pk}")

    page.get_by_role("link", name="My agenda").click()
    expect(page.locator(".agenda-title")).to_have_text([f"1.1 {first.title}", f"3.3 {later.title}"])
    expect(page.locator(".agenda-item.has-clash")).to_have_count(0)
    expect(page.locator(".agenda-day h2")).to_have_text(["Monday 2 November 2009", "Tuesday 3 November 2009"])

    page.locator(f"#agenda-session-{later.pk} .star-button").click()
    expect(page).to_have_url(f"{live_server.url}/en/agenda/")
    expect(page.locator(".agenda-title")).to_have_text([f"1.1 {first.title}"])


def test_star_on_the_session_page_shows_in_the_programme(page, live_server, athens):
    session = athens_session(2, 2)
    page.goto(session.get_absolute_url())

    button = page.locator(".session-actions .star-button")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    page.goto(PROGRAMME)

    expect(star(page, session)).to_have_attribute("aria-pressed", "true")
    expect(page.locator('.star-button[aria-pressed="true"]')).to_have_count(1)
