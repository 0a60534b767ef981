"""Small things a delegate notices, measured in Chromium: the star as tall as the buttons beside it,
the breadcrumbs clear of the header, the header search's placeholder whole, a card's time on one line."""

import pytest

from sessions.models import Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLACEHOLDER_FITS = """(input) => {
    const style = getComputedStyle(input);
    const context = document.createElement("canvas").getContext("2d");
    context.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return [input.placeholder, Math.ceil(context.measureText(input.placeholder).width) <= room];
}"""


def _session_path(number=1):
    session = Session.objects.select_related("roundtable__forum").get(
        roundtable__forum__slug="athens-2009", roundtable__number=1, number=number
    )
    return session.get_absolute_url()


@pytest.mark.parametrize("width", [360, 1280])
def test_star_is_as_tall_as_the_buttons_beside_it(page, athens, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(_session_path())

    star = page.locator(".session-actions .star-button").bounding_box()
    calendar = page.locator(".session-actions a.button").first.bounding_box()

    assert round(star["height"]) == round(calendar["height"])


@pytest.mark.parametrize(("width", "gap"), [(360, 8), (1280, 16)])
def test_breadcrumbs_keep_clear_of_the_header(page, athens, width, gap):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(_session_path())

    header = page.locator(".site-header").bounding_box()
    breadcrumbs = page.locator(".breadcrumbs li").first.bounding_box()

    assert breadcrumbs["y"] - (header["y"] + header["height"]) >= gap


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_header_search_placeholder_is_whole_on_a_wide_screen(page, athens, language):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"/{language}/forums/")

    placeholder, fits = page.locator("#site-search-q").evaluate(PLACEHOLDER_FITS)

    assert (placeholder, fits) == (placeholder, True)


@pytest.mark.parametrize(
    "language",
    [
        "en",
        "fr",
        "es",
    ],
)
def test_header_search_placeholder_is_whole_on_a_phone(phone_page, athens, language):
    phone_page.goto(f"/{language}/forums/")

    placeholder, fits = phone_page.locator("#site-search-q").evaluate(PLACEHOLDER_FITS)

    assert (placeholder, fits) == (placeholder, True)


def test_a_card_time_stays_on_one_line_at_every_phone_width(phone_page, athens):
    roundtable = Session.objects.get(roundtable__forum__slug="athens-2009", roundtable__number=1, number=1).roundtable
    phone_page.goto(roundtable.get_absolute_url())
    times = phone_page.locator(".card-when")
    broken = []

    for width in range(300, 481, 4):
        phone_page.set_viewport_size({"width": width, "height": 740})
        for when in times.all():
            start, end = (when.locator("time").nth(index).bounding_box() for index in (0, 1))
            if round(start["y"]) != round(end["y"]):
                broken.append(width)

    assert times.count() == 3
    assert broken == []
