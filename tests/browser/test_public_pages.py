import itertools
import re

import pytest
from playwright.sync_api import expect

from sessions.models import Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROGRAMME = "/en/forums/athens-2009/programme/"


def athens_session(roundtable, number):
    return Session.objects.select_related("roundtable__forum").get(
        roundtable__forum__slug="athens-2009", roundtable__number=roundtable, number=number
    )


def test_static_files_load_and_the_page_breaks_no_content_security_rule(page, live_server, athens):
    static = []
    problems = []
    page.on(
        "response",
        lambda response: static.append((response.url, response.status)) if "/static/" in response.url else None,
    )
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    with page.expect_response(lambda response: response.url.endswith("/static/img/favicon.svg")):
        page.goto(PROGRAMME)  # the browser asks for the page's icon after the page itself

    expect(page.locator("html")).to_have_attribute("data-agenda", "ready")
    assert sorted(static) == [
        (f"{live_server.url}/static/css/portal.css", 200),
        (f"{live_server.url}/static/css/print.css", 200),
        (f"{live_server.url}/static/img/favicon.svg", 200),
        (f"{live_server.url}/static/js/agenda.js", 200),
    ]
    header = page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor")
    assert header == "rgb(7, 63, 98)"
    assert problems == []


def test_home_page_leads_to_a_session_page_by_clicking(page, live_server, athens):
    session = athens_session(1, 1)

    page.goto("/")
    page.get_by_role("link", name="Full programme").click()
    expect(page).to_have_url(f"{live_server.url}{PROGRAMME}")
    page.get_by_role("link", name=re.compile(r"^1\.1 ")).click()

    expect(page).to_have_url(
        f"{live_server.url}/en/forums/athens-2009/roundtables/{session.roundtable.slug}/{session.slug}/"
    )
    expect(page.locator("h1")).to_have_text(f"1.1 {session.title}")


def test_language_links_switch_the_page_language_and_address(page, live_server, athens):
    session = athens_session(2, 2)
    path = f"forums/athens-2009/roundtables/{session.roundtable.slug}/{session.slug}/"
    page.goto(f"/en/{path}")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("link", name="Français").click()
    expect(page).to_have_url(f"{live_server.url}/fr/{path}")
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    page.get_by_role("link", name="Español").click()
    expect(page).to_have_url(f"{live_server.url}/es/{path}")
    expect(page.locator("html")).to_have_attribute("lang", "es")


def card_boxes(page, slot):
    cards = page.locator(".programme-day").first.locator(".slot").nth(slot).locator(".session-card")
    return [cards.nth(index).bounding_box() for index in range(cards.count())]


def test_programme_fits_a_phone_and_stacks_parallel_sessions(phone_page, athens):
    phone_page.goto(PROGRAMME)

    width = phone_page.evaluate("document.scrollingElement.scrollWidth")
    boxes = card_boxes(phone_page, 0)

    assert width <= 360
    assert len(boxes) == 3
    assert {round(box["x"]) for box in boxes} == {round(boxes[0]["x"])}
    for above, below in itertools.pairwise(boxes):
        assert below["y"] >= above["y"] + above["height"]


def test_programme_puts_parallel_sessions_side_by_side_on_a_wide_screen(page, athens):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(PROGRAMME)

    boxes = card_boxes(page, 0)

    assert len(boxes) == 3
    assert {round(box["y"]) for box in boxes} == {round(boxes[0]["y"])}
    assert boxes[0]["x"] < boxes[1]["x"] < boxes[2]["x"]
