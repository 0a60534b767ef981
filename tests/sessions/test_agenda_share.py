"""My agenda's share link and QR code, the shared agenda it opens, and adding its sessions at once."""

import re

import pytest
from django.test import Client

from roundtables.models import Status
from sessions.agenda import AGENDA_MAX_SESSIONS
from sessions.qr import qr_svg
from tests.factories import forum_time, make_forum, make_roundtable, make_session

AGENDA_URL = "/en/agenda/"
ADD_URL = "/en/agenda/add/"


@pytest.fixture
def programme(db):
    forum = make_forum(slug="rabat-2099", time_zone="Africa/Casablanca")
    roundtable = make_roundtable(forum=forum, number=1, slug="labour")
    return {
        "morning": make_session(
            roundtable=roundtable,
            number=1,
            title="Morning",
            starts_at=forum_time(forum, 0, 9),
            ends_at=forum_time(forum, 0, 10),
        ),
        "afternoon": make_session(
            roundtable=roundtable,
            number=2,
            title="Afternoon",
            starts_at=forum_time(forum, 0, 14),
            ends_at=forum_time(forum, 0, 15),
        ),
        "unscheduled": make_session(roundtable=roundtable, number=3, title="Later", starts_at=None, ends_at=None),
        "draft": make_session(roundtable=roundtable, number=4, title="Draft", status=Status.DRAFT),
    }


def titles(html):
    return re.findall(
        r'<h3 class="agenda-title"><a href="[^"]*"><span class="code">[^<]*</span> ([^<]*)</a></h3>', html
    )


def test_my_agenda_has_a_share_link_and_its_qr_code(client, programme):
    morning, afternoon, later, draft = (programme[k] for k in ("morning", "afternoon", "unscheduled", "draft"))
    client.cookies["agenda"] = f"{afternoon.pk}-{draft.pk}-{later.pk}-{morning.pk}"

    html = client.get(AGENDA_URL).content.decode()

    share = f"http://testserver/en/agenda/?sessions={morning.pk},{afternoon.pk},{later.pk}"
    assert f'<p class="share-link"><a href="{share}">{share}</a></p>' in html
    qr = qr_svg(share, title="QR code of the address of this agenda")
    assert f'<figure class="agenda-qr">{qr}<figcaption>' in html
    assert qr.startswith('<svg role="img" width="')
    assert "<title>QR code of the address of this agenda</title>" in qr
    assert "style=" not in qr  # the Content-Security-Policy allows no inline style


def test_the_qr_code_encodes_the_share_link(programme):
    import segno

    share = "http://testserver/en/agenda/?sessions=1,2,3"
    expected = segno.make(share, error="m", micro=False).svg_inline(
        scale=4, border=2, title="t", svgclass="qr-code", dark="#000", light="#fff"
    )

    assert qr_svg(share, title="t") == expected.replace("<svg ", '<svg role="img" ', 1)


def test_an_empty_agenda_has_no_share_link(client, programme):
    html = client.get(AGENDA_URL).content.decode()

    assert "share-link" not in html
    assert "<svg" not in html


def test_the_share_link_shows_the_shared_sessions_not_the_visitors(client, programme):
    morning, afternoon, later, draft = (programme[k] for k in ("morning", "afternoon", "unscheduled", "draft"))
    client.cookies["agenda"] = str(afternoon.pk)

    response = client.get(AGENDA_URL, {"sessions": f"{later.pk},{draft.pk},{afternoon.pk},{morning.pk},x"})

    html = response.content.decode()
    assert response["Cache-Control"] == "private, no-store"
    assert "<h1>Shared agenda</h1>" in html
    assert titles(html) == ["Morning", "Afternoon", "Later"]  # in time order, the draft left out
    assert '<p class="meta">3 sessions in this agenda.</p>' in html
    assert (
        f'<input type="hidden" name="sessions" value="{morning.pk},{later.pk}">'
        '<button type="submit" class="button">Add these 2 sessions to my agenda</button>'
    ) in html
    assert f'id="star-{afternoon.pk}" name="action" value="remove"' in html  # the visitor's own star
    assert f'id="star-{morning.pk}" name="action" value="add"' in html
    assert "share-link" not in html
    assert f'href="/en/agenda/calendar.ics?sessions={morning.pk},{afternoon.pk}"' in html


def test_a_shared_agenda_all_starred_offers_no_add_button(client, programme):
    morning = programme["morning"]
    client.cookies["agenda"] = str(morning.pk)

    html = client.get(AGENDA_URL, {"sessions": str(morning.pk)}).content.decode()

    assert "agenda-add" not in html
    assert titles(html) == ["Morning"]


def test_a_shared_agenda_of_nothing_published_says_so(client, programme):
    html = client.get(AGENDA_URL, {"sessions": f"{programme['draft'].pk},999999"}).content.decode()

    assert "This shared agenda lists no session that is published." in html
    assert titles(html) == []


@pytest.mark.parametrize("count", [1, 3])
def test_the_agenda_page_with_its_share_link_and_qr_code_stays_flat(client, db, django_assert_num_queries, count):
    roundtable = make_roundtable(sessions=count)
    ids = "-".join(str(pk) for pk in roundtable.sessions.values_list("pk", flat=True))
    client.get(AGENDA_URL)  # the menu's forum, cached until the programme changes
    client.cookies["agenda"] = ids

    with django_assert_num_queries(3):  # sessions, participations, themes
        mine = client.get(AGENDA_URL)
    with django_assert_num_queries(3):
        shared = client.get(AGENDA_URL, {"sessions": ids.replace("-", ",")})

    assert mine.content.decode().count("<svg") == 1
    assert len(titles(shared.content.decode())) == count


def test_adding_a_shared_agenda_merges_it_into_mine(client, programme):
    morning, afternoon, draft = programme["morning"], programme["afternoon"], programme["draft"]
    client.cookies["agenda"] = f"{afternoon.pk}"

    response = client.post(ADD_URL, {"sessions": f"{morning.pk},{draft.pk},{afternoon.pk},999999"})

    assert (response.status_code, response["Location"]) == (303, AGENDA_URL)
    assert response.cookies["agenda"].value == f"{afternoon.pk}-{morning.pk}"
    assert response["Cache-Control"] == "private, no-store"


def test_adding_a_shared_agenda_never_overfills_mine(client, programme):
    client.cookies["agenda"] = "-".join(str(pk) for pk in range(100000, 100000 + AGENDA_MAX_SESSIONS))

    response = client.post(ADD_URL, {"sessions": str(programme["morning"].pk)})

    assert response.status_code == 409
    assert "agenda" not in response.cookies


def test_adding_a_shared_agenda_refuses_cross_site_requests(programme):
    client = Client(enforce_csrf_checks=True)

    refused = client.post(ADD_URL, {"sessions": str(programme["morning"].pk)}, headers={"sec-fetch-site": "cross-site"})
    accepted = client.post(
        ADD_URL, {"sessions": str(programme["morning"].pk)}, headers={"sec-fetch-site": "same-origin"}
    )

    assert (refused.status_code, accepted.status_code) == (403, 303)
    assert "agenda" not in refused.cookies
