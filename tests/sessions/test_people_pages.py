"""Who speaks: people near the top of a session page, a person's sessions across forums, and
organisation pages with their people and contributions."""

import datetime
from types import SimpleNamespace

import pytest
from django.test import Client

from contributions.models import Contribution
from roundtables.models import Status
from sessions.models import Participation
from tests.contributions.factories import make_contribution
from tests.factories import (
    forum_time,
    make_forum,
    make_organisation,
    make_participation,
    make_person,
    make_room,
    make_roundtable,
    make_session,
)

Role = Participation.Role


def _forum(year, **overrides):
    return make_forum(
        name=f"Civil Society Days {year}",
        slug=f"csd-{year}",
        starts_on=datetime.date(year, 12, 8),
        ends_on=datetime.date(year, 12, 9),
        time_zone="Asia/Dhaka",
        **overrides,
    )


@pytest.fixture
def people(db):
    """Two forums; a chair who also speaks in the older one, people added in an order unlike the roles'."""
    newer, older = _forum(2016), _forum(2011)
    network = make_organisation(name="Migrant Workers Network", slug="migrant-workers-network", country="Nepal")
    chair = make_person(
        name="Asha Example",
        slug="asha-example",
        position="Coordinator",
        country="Nepal",
        organisation=network,
        biography="Works on *recruitment*.",
    )
    rapporteur = make_person(name="Bo Sample", slug="bo-sample", position="Researcher", organisation=network)
    speaker = make_person(name="Chidi Case", slug="chidi-case")
    roundtable = make_roundtable(forum=newer, number=1, slug="protection")
    session = make_session(
        roundtable=roundtable,
        number=1,
        slug="recruitment",
        title="Fair recruitment",
        room=make_room(forum=newer, name="Room 1"),
        starts_at=forum_time(newer, 0, 10),
        ends_at=forum_time(newer, 0, 11, 30),
    )
    later = make_session(
        roundtable=roundtable,
        number=2,
        slug="wages",
        title="Wages",
        starts_at=forum_time(newer, 1, 10),
        ends_at=forum_time(newer, 1, 11),
    )
    draft = make_session(roundtable=roundtable, number=3, slug="draft", title="Secret plans", status=Status.DRAFT)
    old_session = make_session(
        roundtable=make_roundtable(forum=older, number=1, slug="development"),
        number=1,
        slug="remittances",
        title="Remittances",
        starts_at=forum_time(older, 0, 9),
        ends_at=forum_time(older, 0, 10),
    )
    make_participation(session=session, person=speaker, role=Role.SPEAKER, position=1)
    make_participation(session=session, person=rapporteur, role=Role.RAPPORTEUR, position=2)
    make_participation(session=session, person=chair, role=Role.CHAIR, position=3)
    make_participation(session=later, person=chair, role=Role.SPEAKER, position=1)
    make_participation(session=later, person=chair, role=Role.CHAIR, position=2)
    make_participation(session=draft, person=chair, role=Role.CHAIR, position=1)
    make_participation(session=old_session, person=chair, role=Role.SPEAKER, position=1)
    return SimpleNamespace(
        newer=newer,
        older=older,
        network=network,
        chair=chair,
        rapporteur=rapporteur,
        speaker=speaker,
        session=session,
        later=later,
        draft=draft,
        old_session=old_session,
    )


# Session page -----------------------------------------------------------------------------------


def test_session_page_lists_people_by_role_before_the_background(client, people):
    html = client.get(people.session.get_absolute_url()).content.decode()

    facts, roles, background = (
        html.index('class="facts"'),
        html.index('id="people-heading"'),
        html.index('id="background-heading"'),
    )
    assert facts < roles < background
    order = [html.index(name, roles) for name in ("Asha Example", "Bo Sample", "Chidi Case")]
    assert order == sorted(order)  # chair, rapporteur, speaker: the roles' order, not the people's
    assert (
        '<dd><a href="/en/people/asha-example/">Asha Example</a> <span class="person-affiliation">Coordinator, '
        '<a href="/en/organisations/migrant-workers-network/">Migrant Workers Network</a></span></dd>'
    ) in html
    assert '<dd><a href="/en/people/chidi-case/">Chidi Case</a></dd>' in html


# Person page ------------------------------------------------------------------------------------


def test_person_page_groups_sessions_by_forum_newest_first_with_every_role(client, people):
    response = client.get("/en/people/asha-example/")

    html = response.content.decode()
    assert [
        (forum.slug, [(item.session.slug, item.roles) for item in items]) for forum, items in response.context["forums"]
    ] == [
        ("csd-2016", [("recruitment", ["chair"]), ("wages", ["chair", "speaker"])]),
        ("csd-2011", [("remittances", ["speaker"])]),
    ]
    assert html.index("Civil Society Days 2016") < html.index("Civil Society Days 2011")
    assert '<p class="meta person-roles">Chair, Speaker</p>' in html
    assert "Secret plans" not in html


def test_person_page_links_the_organisation_and_gives_the_country(client, people):
    html = client.get("/en/people/asha-example/").content.decode()

    assert (
        '<p class="lead">Coordinator, <a href="/en/organisations/migrant-workers-network/">Migrant Workers Network</a>'
        " · Nepal</p>"
    ) in html


def test_person_page_gives_each_session_its_time_room_and_forum_days(client, people):
    html = client.get("/fr/people/asha-example/").content.decode()

    assert "8–9 décembre 2016" in html
    assert '<time datetime="2016-12-08T10:00:00+06:00">jeudi 8 décembre 2016, 10:00</time>' in html
    assert '–<time datetime="2016-12-08T11:30:00+06:00">11:30</time> · <span lang="en">Room 1</span></p>' in html


def test_person_page_links_the_calendar_of_their_sessions(client, people):
    html = client.get("/en/people/asha-example/").content.decode()

    assert html.count('href="/en/people/asha-example/calendar.ics"') == 2  # the button and the alternate link


def test_person_page_offers_no_calendar_without_a_scheduled_session(client, people):
    people.session.starts_at = people.session.ends_at = None
    people.session.save()

    html = client.get("/en/people/bo-sample/").content.decode()

    assert "calendar.ics" not in html


@pytest.mark.parametrize("count", [1, 3])
def test_person_page_queries_stay_flat(client, db, django_assert_num_queries, count):
    forum = _forum(2016)
    roundtable = make_roundtable(forum=forum)
    person = make_person(slug="busy", organisation=make_organisation())
    for number in range(1, count + 1):
        session = make_session(roundtable=roundtable, number=number, room=make_room(forum=forum))
        make_participation(session=session, person=person, role=Role.CHAIR)
        make_participation(session=session, person=person, role=Role.SPEAKER)
    Client().get("/en/forums/")  # the menu's forum, then cached

    with django_assert_num_queries(3):  # the cache's version, the person with their organisation, their roles
        response = client.get("/en/people/busy/")

    assert [len(items) for _forum, items in response.context["forums"]] == [count]


# Organisation page -------------------------------------------------------------------------------


def test_organisation_page_lists_its_people_with_their_public_sessions(client, people):
    response = client.get("/en/organisations/migrant-workers-network/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Migrant Workers Network</h1>" in html
    assert [
        (person.slug, [p.session.slug for p in person.public_participations])
        for person in response.context["organisation"].public_people
    ] == [("asha-example", ["recruitment", "wages", "wages", "remittances"]), ("bo-sample", ["recruitment"])]
    assert (
        '<li>Rapporteur · <a href="/en/forums/csd-2016/roundtables/protection/recruitment/">'
        '<span class="code">1.1</span> Fair recruitment</a> <span class="meta">(Civil Society Days 2016)</span></li>'
    ) in html
    assert "Secret plans" not in html


def test_organisation_page_lists_its_published_contributions_only(client, people):
    make_contribution(forum=people.newer, title="Recruitment fees", organisation_name=" migrant workers NETWORK ")
    make_contribution(
        forum=people.newer,
        title="Still pending",
        organisation_name="Migrant Workers Network",
        status=Contribution.Status.PENDING,
    )
    make_contribution(forum=people.newer, title="Someone else's", organisation_name="Another network")

    response = client.get("/en/organisations/migrant-workers-network/")

    assert [c.title for c in response.context["organisation"].public_contributions] == ["Recruitment fees"]
    assert "Still pending" not in response.content.decode()


def test_organisation_with_only_a_published_contribution_has_a_page(client, db):
    make_organisation(name="Diaspora Link", slug="diaspora-link")
    make_contribution(title="Diaspora investment", organisation_name="Diaspora Link")

    response = client.get("/en/organisations/diaspora-link/")

    assert response.status_code == 200
    assert response.context["organisation"].public_people == []
    assert "Diaspora investment" in response.content.decode()


def test_organisation_without_anything_public_is_not_found(client, people):
    hidden = make_organisation(name="Hidden", slug="hidden")
    make_participation(session=people.draft, person=make_person(organisation=hidden))
    make_contribution(organisation_name="Hidden", status=Contribution.Status.PENDING)
    make_organisation(name="Empty", slug="empty")

    assert client.get("/en/organisations/hidden/").status_code == 404
    assert client.get("/en/organisations/empty/").status_code == 404
    assert client.get("/en/organisations/no-such-organisation/").status_code == 404


def test_staff_preview_an_organisation_whose_people_are_in_drafts(organiser_client, people):
    hidden = make_organisation(name="Hidden", slug="hidden")
    make_participation(session=people.draft, person=make_person(name="Drafted", organisation=hidden))

    response = organiser_client.get("/en/organisations/hidden/")

    assert response.status_code == 200
    assert '<span class="badge">Draft</span>' in response.content.decode()


def test_contribution_page_links_the_organisation_it_names(client, people):
    linked = make_contribution(forum=people.newer, organisation_name="Migrant workers network")
    unknown = make_contribution(forum=people.newer, organisation_name="Unknown group")

    linked_html = client.get(linked.get_absolute_url()).content.decode()
    unknown_html = client.get(unknown.get_absolute_url()).content.decode()

    assert '<dd><a href="/en/organisations/migrant-workers-network/">Migrant workers network</a> ' in linked_html
    assert "<dd>Unknown group <span" in unknown_html


@pytest.mark.parametrize("count", [1, 3])
def test_organisation_page_queries_stay_flat(client, db, django_assert_num_queries, count):
    forum = _forum(2016)
    roundtable = make_roundtable(forum=forum)
    organisation = make_organisation(name="Network", slug="network")
    for number in range(1, count + 1):
        session = make_session(roundtable=roundtable, number=number)
        make_participation(session=session, person=make_person(organisation=organisation), role=Role.CHAIR)
        make_contribution(forum=forum, organisation_name="Network")
    Client().get("/en/forums/")  # the menu's forum, then cached

    # The cache's version, the organisation, its people, their roles, its contributions.
    with django_assert_num_queries(5):
        response = client.get("/en/organisations/network/")

    organisation = response.context["organisation"]
    assert (len(organisation.public_people), len(organisation.public_contributions)) == (count, count)


# Sitemap ------------------------------------------------------------------------------------------


def test_sitemap_lists_public_organisations_only(client, people):
    make_organisation(name="Diaspora Link", slug="diaspora-link")
    make_contribution(organisation_name="Diaspora Link")
    hidden = make_organisation(name="Hidden", slug="hidden")
    make_participation(session=people.draft, person=make_person(organisation=hidden))

    content = client.get("/sitemap.xml").content.decode()

    assert "http://testserver/en/organisations/migrant-workers-network/" in content
    assert "http://testserver/es/organisations/diaspora-link/" in content
    assert "/organisations/hidden/" not in content


@pytest.mark.parametrize("count", [1, 3])
def test_session_page_queries_stay_flat_whatever_its_people(client, db, django_assert_num_queries, count):
    forum = _forum(2016)
    session = make_session(roundtable=make_roundtable(forum=forum, slug="protection"), slug="recruitment")
    for role in [Role.CHAIR, Role.RAPPORTEUR, Role.SPEAKER][:count]:
        make_participation(session=session, person=make_person(organisation=make_organisation()), role=role)
    Client().get("/en/forums/")  # the menu's forum, then cached

    with django_assert_num_queries(9):  # the same for one person as for three
        response = client.get(session.get_absolute_url())

    assert [len(people) for _role, people in response.context["people_by_role"]] == [1] * count


def test_names_and_titles_are_escaped_on_the_session_and_person_pages(client, db):
    forum = _forum(2016)
    session = make_session(
        roundtable=make_roundtable(forum=forum, slug="protection"), slug="recruitment", title='Pay & "fees" <now>'
    )
    organisation = make_organisation(name="Workers' <Union>", slug="workers-union")
    person = make_person(name="Ana <b>Bold</b>", slug="ana", position="Chair & host", organisation=organisation)
    make_participation(session=session, person=person, role=Role.CHAIR)

    session_page = client.get(session.get_absolute_url()).content.decode()
    person_page = client.get(person.get_absolute_url()).content.decode()

    assert (
        '<dd><a href="/en/people/ana/">Ana &lt;b&gt;Bold&lt;/b&gt;</a> '
        '<span class="person-affiliation">Chair &amp; host, '
        '<a href="/en/organisations/workers-union/">Workers&#x27; &lt;Union&gt;</a></span></dd>'
    ) in session_page
    assert (
        '<h4><a href="/en/forums/csd-2016/roundtables/protection/recruitment/"><span class="code">1.1</span> '
        "Pay &amp; &quot;fees&quot; &lt;now&gt;</a></h4>"
    ) in person_page
    assert "<b>Bold</b>" not in session_page + person_page


def test_person_page_lists_each_forums_sessions_in_time_order_unscheduled_last(client, people):
    unscheduled = make_session(
        roundtable=people.session.roundtable, number=4, slug="later-on", title="Later on", starts_at=None, ends_at=None
    )
    early = make_session(
        roundtable=make_roundtable(forum=people.newer, number=2, slug="mobility"),
        number=1,
        slug="skills",
        title="Skills",
        starts_at=forum_time(people.newer, 0, 8),
        ends_at=forum_time(people.newer, 0, 9),
    )
    make_participation(session=unscheduled, person=people.chair, role=Role.SPEAKER)
    make_participation(session=early, person=people.chair, role=Role.SPEAKER)

    forums = client.get(people.chair.get_absolute_url()).context["forums"]

    assert [(forum.slug, [item.session.slug for item in items]) for forum, items in forums] == [
        ("csd-2016", ["skills", "recruitment", "wages", "later-on"]),
        ("csd-2011", ["remittances"]),
    ]
