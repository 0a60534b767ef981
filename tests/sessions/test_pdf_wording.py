"""What a delegate reads in the PDFs: dates as on the pages, rooms named once, a running header cut
between words and a draft badge kept whole."""

import datetime
import io

import pytest
from pypdf import PdfReader

from roundtables.models import Status
from sessions.pdf import content, render
from tests.factories import forum_time, make_forum, make_room, make_roundtable, make_session, make_user

pytestmark = pytest.mark.django_db

LONG_TITLE = "Doing protection of migrant workers: recruitment, decent work and rights in every corridor"


@pytest.fixture
def dhaka(db):
    forum = make_forum(
        name="Civil Society Days, Dhaka 2016",
        slug="dhaka-2016",
        city="Dhaka",
        country="Bangladesh",
        starts_on=datetime.date(2016, 12, 8),
        ends_on=datetime.date(2016, 12, 9),
        time_zone="Asia/Dhaka",
    )
    roundtable = make_roundtable(forum=forum, number=1, title=LONG_TITLE, slug="protection")
    lettered = make_room(forum=forum, name="Room A", position=1)
    numbered = make_room(forum=forum, name="12", position=2)
    make_session(
        roundtable=roundtable,
        number=1,
        slug="first",
        title="Recruitment",
        room=lettered,
        starts_at=forum_time(forum, 0, 10),
        ends_at=forum_time(forum, 0, 11, 30),
    )
    make_session(
        roundtable=roundtable,
        number=2,
        slug="second",
        title="Decent work",
        room=numbered,
        starts_at=forum_time(forum, 1, 10),
        ends_at=forum_time(forum, 1, 11, 30),
    )
    return forum


def _pages(kind, obj, language, user=None):
    data = render.render_pdf(content.export_for(kind, obj, language=language, user=user))
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


@pytest.mark.parametrize(
    ("language", "forum_days", "first_day"),
    [
        ("en", "8–9 December 2016", "Thursday 8 December 2016"),
        ("fr", "8–9 décembre 2016", "jeudi 8 décembre 2016"),
        ("es", "8–9 de diciembre de 2016", "jueves 8 de diciembre de 2016"),
    ],
)
def test_booklet_dates_read_as_on_the_pages(dhaka, language, forum_days, first_day):
    pages = _pages(content.BOOKLET, dhaka, language)
    text = " ".join(pages)

    assert forum_days in pages[0]  # the cover
    assert text.count(first_day) == 2  # the day at a glance and the session's line
    assert "8 diciembre 2016" not in text
    assert "December 2016 – " not in text


def test_handout_gives_the_forum_days_as_one_range(dhaka):
    session = dhaka.roundtables.get().sessions.get(number=1)

    pages = _pages(content.SESSION, session, "es")

    assert "8–9 de diciembre de 2016 · Dhaka, Bangladesh" in pages[0]


@pytest.mark.parametrize(
    ("language", "lettered", "numbered"),
    [("en", "· Room A", "· Room 12"), ("fr", "· Room A", "· Salle 12"), ("es", "· Room A", "· Sala 12")],
)
def test_a_room_is_named_once(dhaka, language, lettered, numbered):
    text = " ".join(_pages(content.ROUNDTABLE, dhaka.roundtables.get(), language))

    assert (lettered in text, numbered in text) == (True, True)
    assert [label for label in ("Room Room", "Salle Room", "Sala Room") if label in text] == []


def test_running_header_is_cut_between_words(dhaka):
    pages = _pages(content.ROUNDTABLE, dhaka.roundtables.get(), "en")

    assert "Roundtable 1 · Doing protection of migrant workers: recruitment, decent…" in pages[0]
    assert "decent wo…" not in pages[0]


def _glance_lines(data, word):
    """(line of the badge, line of its page number, whether a room's name is cut after "Room") for the
    draft session of the programme at a glance."""
    reader = PdfReader(io.BytesIO(data))
    page = next(page for page in reader.pages if word in page.extract_text())  # the glance comes first
    runs = []
    page.extract_text(visitor_text=lambda text, cm, tm, font, size: runs.append((round(tm[5]), text)))
    at = next(index for index, (_y, text) in enumerate(runs) if word in text)
    number = next(y for y, text in runs[at + 1 :] if text.strip())  # "· p. 4", right after the badge
    room_cut = any(text.rstrip().endswith("· Room") for _y, text in runs)
    return runs[at][0], number, room_cut


@pytest.mark.parametrize(("language", "word"), [("en", "Draft"), ("es", "Borrador")])
def test_draft_badge_and_room_stay_with_the_page_number_in_the_programme_at_a_glance(dhaka, language, word):
    session = dhaka.roundtables.get().sessions.get(number=2)
    session.status = Status.DRAFT
    session.room = dhaka.rooms.get(name="Room A")
    staff = make_user(is_staff=True)
    apart, cut = [], []

    # Titles of every length that brings the badge to the end of a line.
    for extra in range(12, 26):
        session.title = "A draft session whose title fills the line of the programme at a glance " + "x" * extra
        session.save()
        data = render.render_pdf(content.export_for(content.BOOKLET, dhaka, language=language, user=staff))
        badge, number, room_cut = _glance_lines(data, word)
        if badge != number:
            apart.append(extra)
        if room_cut:
            cut.append(extra)

    assert (apart, cut) == ([], [])
