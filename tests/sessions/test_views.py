import datetime
from types import SimpleNamespace

import pytest
from django.test import Client

from roundtables.models import Status
from sessions.models import Document, Issue, Participation
from tests.factories import (
    forum_time,
    make_document,
    make_forum,
    make_issue,
    make_organisation,
    make_participation,
    make_person,
    make_programme,
    make_room,
    make_roundtable,
    make_session,
    make_theme,
)

SESSION_URL = "/en/forums/lisbon-2099/roundtables/labour-mobility/decent-work/"
DRAFT_URL = "/en/forums/lisbon-2099/roundtables/labour-mobility/secret-plans/"


@pytest.fixture
def lisbon(db):
    forum = make_forum(
        name="Civil Society Days, Lisbon 2099",
        slug="lisbon-2099",
        starts_on=datetime.date(2099, 5, 4),
        ends_on=datetime.date(2099, 5, 5),
        time_zone="Europe/Lisbon",
    )
    roundtable = make_roundtable(forum=forum, number=1, title="Labour mobility", slug="labour-mobility")
    session = make_session(
        roundtable=roundtable,
        number=1,
        title="Decent work",
        slug="decent-work",
        background="Work **abroad**.",
        room=make_room(forum=forum, name="Room A"),
        themes=[make_theme(name="Gender", slug="gender")],
        starts_at=forum_time(forum, 0, 9),
        ends_at=forum_time(forum, 0, 10, 30),
    )
    following = make_session(roundtable=roundtable, number=3, title="Skills", slug="skills")
    draft = make_session(
        roundtable=roundtable, number=2, title="Secret plans", slug="secret-plans", status=Status.DRAFT
    )
    chair = make_person(
        name="Amina Okafor",
        slug="amina-okafor",
        position="Director",
        country="Nigeria",
        biography="Works on *recruitment*.",
        organisation=make_organisation(name="Caritas"),
    )
    make_participation(session=session, person=chair, role=Participation.Role.CHAIR)
    make_participation(session=draft, person=chair, role=Participation.Role.SPEAKER)
    hidden = make_person(name="Hidden Speaker", slug="hidden-speaker")
    make_participation(session=draft, person=hidden)
    issue = make_issue(session=session, text="Fair recruitment")
    point = make_issue(parent=issue, text="Zero fees")
    question = make_issue(session=session, kind=Issue.Kind.QUESTION, text="Who pays?")
    paper = make_document(session=session, title="Work paper", language=Document.Language.FRENCH)
    secret_paper = make_document(session=draft, title="Secret paper")
    return SimpleNamespace(
        forum=forum,
        roundtable=roundtable,
        session=session,
        following=following,
        draft=draft,
        chair=chair,
        hidden=hidden,
        issue=issue,
        point=point,
        question=question,
        paper=paper,
        secret_paper=secret_paper,
    )


def _templates(response):
    return [template.name for template in response.templates]


# Session page


def test_session_page_shows_the_session_with_its_issues_people_and_documents(client, lisbon):
    response = client.get(SESSION_URL)

    html = response.content.decode()
    assert response.context["session"] == lisbon.session
    assert '<h1><span class="code">1.1</span> Decent work</h1>' in html
    assert (
        '<dd><time datetime="2099-05-04T09:00:00+01:00">Monday 4 May 2099, 09:00</time>–'
        '<time datetime="2099-05-04T10:30:00+01:00">10:30</time> <span class="meta">(Europe/Lisbon)</span></dd>'
    ) in html
    assert "<div><dt>Room</dt><dd>Room A</dd></div>" in html
    assert '<div class="prose"><p>Work <strong>abroad</strong>.</p></div>' in html
    assert (
        f'<li id="issue-{lisbon.issue.pk}">\n        <div class="issue-text"><p>Fair recruitment</p></div>\n'
        f'        \n        <ul class="points"><li id="issue-{lisbon.point.pk}"><p>Zero fees</p></li></ul>'
    ) in html
    assert '<h2 id="issues-2">Discussion questions</h2>' in html
    assert '<li><a href="/en/themes/gender/">Gender</a></li>' in html
    assert (
        '<dd><a href="/en/people/amina-okafor/">Amina Okafor</a> <span class="person-affiliation">Director, '
        f'<a href="/en/organisations/{lisbon.chair.organisation.slug}/">Caritas</a></span></dd>'
    ) in html
    assert (
        f'<li><a href="/en/documents/{lisbon.paper.pk}/fr/" hreflang="fr" type="application/pdf">Work paper</a> '
        '<span class="meta">(Background paper · French, PDF, 33\xa0bytes)</span></li>'
    ) in html
    assert "Draft" not in html


def test_session_page_links_to_the_published_neighbours_only(client, lisbon):
    response = client.get(SESSION_URL)

    assert (response.context["previous"], response.context["following"]) == (None, lisbon.following)
    assert (
        '<a rel="next" href="/en/forums/lisbon-2099/roundtables/labour-mobility/skills/">1.3 Skills →</a>'
        in response.content.decode()
    )


def test_draft_session_is_not_found_by_the_public(client, lisbon):
    response = client.get(DRAFT_URL)

    assert response.status_code == 404
    assert _templates(response)[0] == "404.html"


def test_draft_session_is_previewed_by_staff_marked_as_a_draft(organiser_client, lisbon):
    response = organiser_client.get(DRAFT_URL)

    html = response.content.decode()
    assert response.context["session"] == lisbon.draft
    assert '<div><dt>Status</dt><dd><span class="badge">Draft</span></dd></div>' in html
    paper_link = f'<a href="/en/documents/{lisbon.secret_paper.pk}/en/" hreflang="en" type="application/pdf">'
    assert f"{paper_link}Secret paper</a>" in html


def test_sessions_of_a_draft_forum_are_not_found_by_the_public_but_previewed_by_staff(client, organiser_client, db):
    forum = make_forum(slug="draft-2100", status=Status.DRAFT)
    session = make_session(roundtable=make_roundtable(forum=forum), title="Planned session")

    public = Client().get(session.get_absolute_url())
    staff = organiser_client.get(session.get_absolute_url())

    assert (public.status_code, _templates(public)[0]) == (404, "404.html")
    assert staff.status_code == 200
    assert "Preview: this forum is a draft, visible to staff only." in staff.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/en/forums/lisbon-2099/roundtables/labour-mobility/nowhere/",
        "/en/forums/lisbon-2099/roundtables/nowhere/decent-work/",
        "/en/forums/nowhere/roundtables/labour-mobility/decent-work/",
        "/en/people/nowhere/",
        "/en/documents/999999/",
    ],
)
def test_unknown_sessions_people_and_documents_get_the_sites_404_page(client, lisbon, url):
    response = client.get(url)

    assert response.status_code == 404
    assert _templates(response)[0] == "404.html"
    assert "There is no page at this address." in response.content.decode()


# Person page


def test_person_page_shows_published_roles_only(client, lisbon):
    response = client.get("/en/people/amina-okafor/")

    html = response.content.decode()
    assert [(p.session, p.role) for p in response.context["participations"]] == [(lisbon.session, "chair")]
    assert "<h1>Amina Okafor</h1>" in html
    organisation_url = f"/en/organisations/{lisbon.chair.organisation.slug}/"
    assert f'<p class="lead">Director, <a href="{organisation_url}">Caritas</a> · Nigeria</p>' in html
    assert '<div class="prose"><p>Works on <em>recruitment</em>.</p></div>' in html
    assert (
        '<h4><a href="/en/forums/lisbon-2099/roundtables/labour-mobility/decent-work/"><span class="code">1.1</span> '
        "Decent work</a></h4>"
    ) in html
    assert "Secret plans" not in html


def test_person_page_shows_staff_draft_roles_marked_as_drafts(organiser_client, lisbon):
    response = organiser_client.get("/en/people/amina-okafor/")

    assert [p.session for p in response.context["participations"]] == [lisbon.session, lisbon.draft]
    html = response.content.decode()
    assert '<p class="meta person-roles">Speaker</p>' in html
    assert html.count('<span class="badge">Draft</span></p>') == 1


def test_person_with_only_draft_roles_is_not_found_by_the_public_but_previewed_by_staff(organiser_client, lisbon):
    public = Client().get("/en/people/hidden-speaker/")
    staff = organiser_client.get("/en/people/hidden-speaker/")

    assert (public.status_code, _templates(public)[0]) == (404, "404.html")
    assert (staff.status_code, staff.context["person"]) == (200, lisbon.hidden)


# Document download


def test_document_download_serves_the_file(client, lisbon):
    response = client.get(f"/en/documents/{lisbon.paper.pk}/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n% a small test document\n"


def test_document_of_a_draft_session_is_not_found_by_the_public_but_served_to_staff(client, organiser_client, lisbon):
    url = f"/en/documents/{lisbon.secret_paper.pk}/"

    public = Client().get(url)
    staff = organiser_client.get(url)

    assert (public.status_code, _templates(public)[0]) == (404, "404.html")
    assert staff.status_code == 200


# Queries: the same number whatever the size of the programme (the first is the cache's version check).


@pytest.mark.parametrize("size", [3, 30])
def test_session_page_queries_stay_flat(client, db, django_assert_num_queries, size):
    forum = make_programme(roundtables=size)
    session = forum.roundtables.order_by("number").first().sessions.get(number=2)

    # the session with its forum, its people, themes, issues with their points; documents: those of the session
    # or its roundtable, their files; previous and next session: one small query each; contributions
    with django_assert_num_queries(10):
        response = client.get(session.get_absolute_url())

    assert response.context["previous"].code == "1.1"
    assert response.context["following"].code == "2.1"
    assert len(response.context["session"].top_issues[0].points.all()) == 1


@pytest.mark.parametrize("size", [3, 30])
def test_person_page_queries_stay_flat(client, db, django_assert_num_queries, size):
    forum = make_programme(roundtables=size)
    chair = forum.roundtables.first().sessions.first().participations.get(role="chair").person

    with django_assert_num_queries(4):  # with the menu's forum (then cached until the programme changes)
        response = client.get(chair.get_absolute_url())

    assert len(response.context["participations"]) == 2 * size


@pytest.mark.parametrize("size", [3, 30])
def test_document_download_runs_one_query(client, db, django_assert_num_queries, size):
    forum = make_programme(roundtables=size)
    document = forum.roundtables.first().sessions.first().documents.get()

    with django_assert_num_queries(1):
        response = client.get(document.get_absolute_url())

    assert response.status_code == 200
