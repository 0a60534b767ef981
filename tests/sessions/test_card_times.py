"""Programme cards leave the time to the row that already gives it; cards that stand alone keep it,
on one line."""

import pytest

from tests.factories import forum_time, make_forum, make_room, make_roundtable, make_session

WHEN = (
    '<span class="card-when"><time datetime="2009-11-02T09:30:00+02:00">Mon 2 Nov, 09:30</time>–'
    '<time datetime="2009-11-02T11:00:00+02:00">11:00</time></span>'
)


@pytest.fixture
def session(db):
    forum = make_forum(slug="athens")
    return make_session(
        roundtable=make_roundtable(forum=forum, slug="nexus"),
        room=make_room(forum=forum, name="Room A"),
        starts_at=forum_time(forum, 0, 9, 30),
        ends_at=forum_time(forum, 0, 11),
    )


def test_programme_cards_leave_the_time_to_their_row(client, session):
    html = client.get("/en/forums/athens/programme/").content.decode()

    assert '<time datetime="2009-11-02T09:30:00+02:00">09:30</time>–' in html  # the row's label
    assert "Mon 2 Nov, 09:30" not in html
    assert '<p class="meta"><span>Roundtable 1</span> · <span>Room A</span></p>' in html


@pytest.mark.parametrize("url", ["/en/forums/athens/roundtables/nexus/", "/en/themes/gender/"])
def test_cards_that_stand_alone_keep_the_time_in_one_piece(client, session, url):
    from tests.factories import make_theme

    session.themes.set([make_theme(slug="gender")])

    html = client.get(url).content.decode()

    assert f"<span>Roundtable 1</span> · {WHEN} · <span>Room A</span>" in html


def test_the_card_time_does_not_break_across_lines():
    from pathlib import Path

    css = Path("static/css/portal.css").read_text()

    assert ".card-when { white-space: nowrap; }" in css
