"""A session's issues under one heading per kind and its people under one name per role, in a fixed
order, whatever order their positions give them: on the session page and in the PDFs."""

import io

import lxml.html
import pytest
from django.utils import translation
from pypdf import PdfReader

from sessions import calendar, presenters, selectors
from sessions.models import Issue, Participation
from sessions.pdf import content, render
from tests.factories import make_issue, make_participation, make_person, make_session

MAIN, THEME, QUESTION = Issue.Kind.MAIN_ISSUE, Issue.Kind.PROPOSED_THEME, Issue.Kind.QUESTION
CHAIR, RAPPORTEUR, SPEAKER = Participation.Role.CHAIR, Participation.Role.RAPPORTEUR, Participation.Role.SPEAKER


@pytest.fixture
def alternating(db):
    """A session whose issues and people alternate in kind and role, in the order of their positions."""
    session = make_session(title="Alternating kinds", slug="alternating")
    for position, (kind, text) in enumerate(
        [
            (THEME, "First theme"),
            (MAIN, "First main issue"),
            (THEME, "Second theme"),
            (QUESTION, "Only question"),
            (MAIN, "Second main issue"),
        ],
        start=1,
    ):
        issue = make_issue(session=session, kind=kind, text=text, position=position)
    make_issue(parent=issue, text="A point of the second main issue", position=1)
    for position, (role, name) in enumerate(
        [(SPEAKER, "Speaker One"), (CHAIR, "The Chair"), (SPEAKER, "Speaker Two"), (RAPPORTEUR, "The Rapporteur")],
        start=1,
    ):
        make_participation(session=session, person=make_person(name=name), role=role, position=position)
    return session


EXPECTED_ISSUES = [
    ("Main issues", ["First main issue", "Second main issue"]),
    ("Proposed themes", ["First theme", "Second theme"]),
    ("Discussion questions", ["Only question"]),
]
EXPECTED_PEOPLE = [
    ("Chair", ["The Chair"]),
    ("Rapporteur", ["The Rapporteur"]),
    ("Speaker", ["Speaker One", "Speaker Two"]),
]


def _text(element):
    return " ".join(element.text_content().split())


def _article(response):
    assert response.status_code == 200
    return lxml.html.fromstring(response.content).xpath("//article[@class='session']")[0]


def test_session_page_shows_each_heading_once_in_heading_order_when_kinds_alternate(client, alternating):
    response = client.get(alternating.get_absolute_url())

    article = _article(response)
    assert [_text(h2) for h2 in article.xpath("./section/h2")] == [
        "People",
        "Background",
        "Main issues",
        "Proposed themes",
        "Discussion questions",
        "Contributions and good practices",
    ]
    assert [
        (_text(section.xpath("./h2")[0]), [_text(item) for item in section.xpath("./ol/li/div[@class='issue-text']")])
        for section in article.xpath("./section[ol[@class='issues']]")
    ] == EXPECTED_ISSUES
    assert [_text(point) for point in article.xpath(".//ul[@class='points']/li")] == [
        "A point of the second main issue"
    ]
    assert [
        (_text(group.xpath("./dt")[0]), [_text(dd) for dd in group.xpath("./dd")])
        for group in article.xpath(".//dl[@class='roles']/div")
    ] == EXPECTED_PEOPLE


def test_session_page_headings_follow_the_language_of_the_page(client, alternating):
    response = client.get(alternating.get_absolute_url().replace("/en/", "/fr/"))

    assert [_text(h2) for h2 in _article(response).xpath("./section/h2")][2:5] == [
        "Questions principales",
        "Thèmes proposés",
        "Questions pour la discussion",
    ]


def test_session_handout_groups_issues_and_people_as_the_page_does(alternating):
    export = content.export_for(content.SESSION, alternating, language="en")

    text = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(render.render_pdf(export))).pages
    )

    headings = ["Main issues", "Proposed themes", "Discussion questions"]
    assert [text.count(heading) for heading in headings] == [1, 1, 1]
    assert sorted(headings, key=text.index) == headings
    assert "Main issues 1. First main issue 2. Second main issue • A point of the second main issue" in text
    assert "Chair The Chair Rapporteur The Rapporteur Speaker Speaker One; Speaker Two" in text


def test_issue_groups_put_every_issue_of_a_kind_under_one_heading_in_heading_order(alternating):
    issues = list(alternating.issues.filter(parent__isnull=True).order_by("position"))

    groups = presenters.issue_groups(issues)

    assert [(heading, [issue.text for issue in group]) for heading, group in groups] == EXPECTED_ISSUES


def test_people_by_role_put_chairs_first_and_keep_each_roles_people_in_position_order(alternating):
    participations = list(alternating.participations.select_related("person").order_by("position"))

    groups = presenters.people_by_role(participations)

    assert [(role, [p.person.name for p in group]) for role, group in groups] == EXPECTED_PEOPLE


def test_groups_are_named_in_the_active_language(alternating):
    issues = list(alternating.issues.filter(parent__isnull=True))
    participations = list(alternating.participations.all())

    with translation.override("es"):
        headings = [heading for heading, _group in presenters.issue_groups(issues)]
        roles = [role for role, _group in presenters.people_by_role(participations)]

    assert headings == ["Cuestiones principales", "Temas propuestos", "Preguntas para el debate"]
    assert roles == ["Presidencia", "Relatoría", "Ponente"]


def test_a_role_outside_the_choices_is_shown_last_by_its_stored_name(alternating):
    stray = make_participation(session=alternating, person=make_person(name="Someone"), role="observer", position=0)
    participations = list(alternating.participations.order_by("position"))

    groups = presenters.people_by_role(participations)

    assert [(role, group) for role, group in groups][-1] == ("observer", [stray])
    assert [role for role, _group in groups] == ["Chair", "Rapporteur", "Speaker", "observer"]


def test_nothing_to_group_gives_no_group():
    assert (presenters.issue_groups([]), presenters.people_by_role([])) == ([], [])


def test_calendar_description_groups_issues_and_people_as_the_page_does(alternating):
    session = selectors.sessions_for_calendar(forum=alternating.roundtable.forum).get(pk=alternating.pk)

    lines = calendar.session_description(session).splitlines()[1:]  # after the roundtable's line

    headings = {heading for heading, _issues in EXPECTED_ISSUES}
    assert [line for line in lines if line in headings] == [heading for heading, _issues in EXPECTED_ISSUES]
    assert [line.split(":")[0] for line in lines if ": " in line] == [role for role, _people in EXPECTED_PEOPLE]
