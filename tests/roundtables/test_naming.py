"""A forum names its groups and sessions (2016: “Themes” of “working sessions”), in each language, on every
page, PDF and calendar; a forum that names nothing keeps “Roundtable” and “Session”."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from icalendar import Calendar
from pypdf import PdfReader

from core.versions import revision
from programme.services import forum_duplicate
from roundtables.models import NAMING_FIELDS, Status
from sessions.pdf import content, render
from tests.admin_forms import admin_change_data, admin_url
from tests.factories import make_document, make_forum, make_roundtable, make_session

pytestmark = pytest.mark.django_db

THEMES = {
    "group_name_en": "Theme",
    "group_name_fr": "Thème",
    "group_name_es": "Tema",
    "group_name_plural_en": "Themes",
    "group_name_plural_fr": "Thèmes",
    "group_name_plural_es": "Temas",
    "session_name_en": "Working session",
    "session_name_fr": "Séance de travail",
    "session_name_es": "Sesión de trabajo",
    "session_name_plural_en": "Working sessions",
    "session_name_plural_fr": "Séances de travail",
    "session_name_plural_es": "Sesiones de trabajo",
}
# What each language calls them: the forum's own words, and the interface's.
OWN = {
    "en": ("Theme 1", "Working session 1.1", "Working sessions"),
    "fr": ("Thème 1", "Séance de travail 1.1", "Séances de travail"),
    "es": ("Tema 1", "Sesión de trabajo 1.1", "Sesiones de trabajo"),
}
INTERFACE = {"en": "Roundtable 1", "fr": "Table ronde 1", "es": "Mesa redonda 1"}
LANGUAGES = ["en", "fr", "es"]


def _programme(**names):
    forum = make_forum(**names)
    roundtable = make_roundtable(forum=forum, number=1, title="Protection of migrant workers", slug="protection")
    session = make_session(roundtable=roundtable, number=1, title="Decent work", slug="decent-work")
    return forum, roundtable, session


@pytest.fixture
def dhaka():
    return _programme(**THEMES, name="Dhaka 2016", slug="dhaka-2016")


@pytest.fixture
def athens():
    return _programme(name="Athens 2009", slug="athens-2009")


def _title_label(forum, language):
    with translation.override(language):
        return forum.group_label(1, "Protection of migrant workers")


def _linked_title_label(forum, language):
    """The roundtable's label as its session page links it: on /fr/ and /es/ the title, which has no
    translation, shows in English inside lang="en"."""
    title = "Protection of migrant workers"
    with translation.override(language):
        return forum.group_label(1, title if language == "en" else f'<span lang="en">{title}</span>')


def _get(client, language, name, **kwargs):
    with translation.override(language):
        url = reverse(name, kwargs=kwargs)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# The helper ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_forum_names_its_groups_and_sessions_in_each_language(dhaka, athens, language):
    forum, other = dhaka[0], athens[0]
    group, session, sessions = OWN[language]

    with translation.override(language):
        assert forum.group_label(1) == group
        assert forum.session_label("1.1") == session
        assert forum.session_name_plural() == sessions
        assert other.group_label(1) == INTERFACE[language]

    assert forum.group_label(1, language=language) == group  # whatever the active language


def test_a_forum_without_names_keeps_the_interface_words():
    forum = make_forum()

    with translation.override("fr"):
        assert forum.group_label(2, "Titre") == "Table ronde 2\xa0: Titre"
        assert forum.group_name_plural() == "Tables rondes"
        assert forum.session_label("2.1") == "Session 2.1"


def test_names_are_given_in_every_language_or_not_at_all():
    forum = make_forum(group_name_en="Theme", group_name_plural_en="Themes")

    with pytest.raises(ValidationError) as refused:
        forum.full_clean()

    assert sorted(refused.value.message_dict) == [
        "group_name_es",
        "group_name_fr",
        "group_name_plural_es",
        "group_name_plural_fr",
    ]
    forum.group_name_en = forum.group_name_plural_en = ""
    forum.full_clean()  # none at all is fine


def test_the_next_edition_keeps_the_names(dhaka, organiser):
    copy = forum_duplicate(forum=dhaka[0], name="Berlin 2017", slug="berlin-2017", starts_on=datetime.date(2017, 6, 28))

    assert {name: getattr(copy, name) for name in NAMING_FIELDS} == THEMES


# Pages ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_programme_page_uses_the_forums_names(client, dhaka, athens, language):
    group = OWN[language][0]

    own = _get(client, language, "roundtables:programme", forum="dhaka-2016")
    plain = _get(client, language, "roundtables:programme", forum="athens-2009")

    assert f"<span>{group}</span>" in own
    assert INTERFACE[language] not in own
    assert f"<span>{INTERFACE[language]}</span>" in plain
    assert group not in plain


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_roundtable_page_uses_the_forums_names(client, dhaka, athens, language):
    group, _session, sessions = OWN[language]

    own = _get(client, language, "roundtables:roundtable", forum="dhaka-2016", slug="protection")
    plain = _get(client, language, "roundtables:roundtable", forum="athens-2009", slug="protection")

    assert f"<title>{_title_label(dhaka[0], language)}" in own
    assert f'<li aria-current="page">{group}</li>' in own
    assert f"<h1><small>{group}</small>" in own
    assert f'<h2 id="sessions-heading">{sessions}</h2>' in own
    assert INTERFACE[language] not in own
    assert f"<title>{_title_label(athens[0], language)}" in plain
    assert f'<li aria-current="page">{INTERFACE[language]}</li>' in plain


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_session_page_uses_the_forums_names(client, dhaka, athens, language):
    group, session, _sessions = OWN[language]

    own = _get(client, language, "roundtables:session", forum="dhaka-2016", roundtable="protection", slug="decent-work")
    plain = _get(
        client, language, "roundtables:session", forum="athens-2009", roundtable="protection", slug="decent-work"
    )

    assert f'">{group}</a></li><li aria-current="page">{session}</li>' in own
    assert f'">{_linked_title_label(dhaka[0], language)}</a></p>' in own
    assert INTERFACE[language] not in own
    assert f'">{_linked_title_label(athens[0], language)}</a></p>' in plain


def test_the_forum_page_names_its_groups(client, dhaka, athens):
    own = _get(client, "en", "roundtables:forum", forum="dhaka-2016")
    plain = _get(client, "en", "roundtables:forum", forum="athens-2009")

    assert '<h2 id="roundtables-heading">Themes</h2>' in own
    assert ">Theme 1: Protection of migrant workers</a></h3>" in own
    assert "1 working session" in own
    assert "Roundtable" not in own
    assert '<h2 id="roundtables-heading">Roundtables</h2>' in plain
    assert ">Roundtable 1: Protection of migrant workers</a></h3>" in plain


@pytest.mark.parametrize("count", [1, 3])
def test_named_pages_query_no_more_than_plain_ones(client, dhaka, count):
    _forum, roundtable, _session = dhaka
    for number in range(2, count + 1):
        make_session(roundtable=roundtable, number=number, slug=f"s-{number}")
    plain_forum = make_forum(slug="plain")
    plain = make_roundtable(forum=plain_forum, number=1, slug="protection")
    for number in range(1, count + 1):
        make_session(roundtable=plain, number=number, slug="decent-work" if number == 1 else f"s-{number}")
    counted = {}
    for slug in ["dhaka-2016", "plain"]:
        for name, kwargs in [
            ("roundtables:programme", {"forum": slug}),
            ("roundtables:roundtable", {"forum": slug, "slug": "protection"}),
            ("roundtables:forum", {"forum": slug}),
            ("roundtables:session", {"forum": slug, "roundtable": "protection", "slug": "decent-work"}),
            ("sessions:forum-calendar", {"forum": slug}),
        ]:
            with CaptureQueriesContext(connection) as queries:
                client.get(reverse(name, kwargs=kwargs))
            counted.setdefault(name, []).append(len(queries))

    assert all(own == plain for own, plain in counted.values()), counted


# PDFs and calendars -------------------------------------------------------------------------------


def _pdf(obj, kind, language):
    data = render.render_pdf(content.export_for(kind, obj, language=language))
    reader = PdfReader(io.BytesIO(data))
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    return pages, [item.title for item in reader.outline if not isinstance(item, list)]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_booklet_uses_the_forums_names(dhaka, athens, language):
    group = OWN[language][0]
    with translation.override(language):
        groups = dhaka[0].group_name_plural()

    (cover, contents, _glance, roundtable), outline = _pdf(dhaka[0], content.BOOKLET, language)
    (_cover, plain_contents, _glance, plain_roundtable), plain_outline = _pdf(athens[0], content.BOOKLET, language)

    title, plain_title = (" ".join(_title_label(forum, language).split()) for forum in [dhaka[0], athens[0]])
    with translation.override(language):
        programme_of_groups = " ".join(gettext("Programme: %(groups)s").split()) % {"groups": groups}
    assert f"Dhaka 2016 {programme_of_groups} " in cover
    assert f" {title} . . ." in contents
    assert " ".join(outline[2].split()) == title
    assert f" {group.upper()} Protection of migrant workers 1.1 Decent work " in roundtable  # heading
    assert roundtable.startswith(f"Dhaka 2016 {group} · Protection of migrant workers ")  # running header
    assert not any(INTERFACE[language] in text for text in [cover, contents, roundtable, *outline])
    assert f" {plain_title} . . ." in plain_contents
    assert " ".join(plain_outline[2].split()) == plain_title
    assert f" {INTERFACE[language].upper()} Protection of migrant workers" in plain_roundtable
    assert plain_roundtable.startswith(f"Athens 2009 {INTERFACE[language]} · Protection of migrant workers ")


def test_the_handouts_use_the_forums_names(dhaka):
    _forum, roundtable, session = dhaka

    [roundtable_pdf], _outline = _pdf(roundtable, content.ROUNDTABLE, "en")
    [session_pdf], _outline = _pdf(session, content.SESSION, "en")

    # The running header first, then the handout's head and body, then the footer.
    assert roundtable_pdf.startswith("Dhaka 2016 Theme 1 · Protection of migrant workers THEME HANDOUT Dhaka 2016 ")
    assert " THEME 1 Protection of migrant workers 1.1 Decent work " in roundtable_pdf
    assert roundtable_pdf.endswith(" Page 1 of 1")
    assert session_pdf.startswith(
        "Dhaka 2016 Theme 1 · Protection of migrant workers WORKING SESSION HANDOUT Dhaka 2016 "
    )
    assert " Theme 1: Protection of migrant workers 1.1 Decent work " in session_pdf
    assert session_pdf.endswith(" Page 1 of 1")
    assert "Roundtable" not in roundtable_pdf + session_pdf


@pytest.mark.parametrize("language", LANGUAGES)
def test_calendar_events_use_the_forums_names(client, dhaka, athens, language):
    own = _get(client, language, "sessions:forum-calendar", forum="dhaka-2016")
    plain = _get(client, language, "sessions:forum-calendar", forum="athens-2009")

    [own_event] = Calendar.from_ical(own).walk("VEVENT")
    [plain_event] = Calendar.from_ical(plain).walk("VEVENT")
    assert str(own_event["DESCRIPTION"]).splitlines()[0] == _title_label(dhaka[0], language)
    assert str(own_event["DESCRIPTION"]).startswith(OWN[language][0])
    assert str(plain_event["DESCRIPTION"]).splitlines()[0] == _title_label(athens[0], language)
    assert str(plain_event["DESCRIPTION"]).startswith(INTERFACE[language])


def test_search_results_use_the_forums_names(client, dhaka):
    sessions = client.get("/en/search/", {"q": "decent"})
    roundtables = client.get("/en/search/", {"q": "protection"})

    assert '<p class="meta">Dhaka 2016 · Theme 1</p>' in sessions.content.decode()
    assert ">Theme 1: <mark>Protection</mark> of migrant workers</a></h3>" in roundtables.content.decode()


def test_the_documents_page_and_the_agenda_use_the_forums_names(client, dhaka):
    forum, roundtable, session = dhaka
    make_document(forum=forum, sessions=[session], roundtables=[roundtable])
    client.cookies["agenda"] = str(session.pk)

    documents = _get(client, "en", "roundtables:documents", forum="dhaka-2016")
    agenda = _get(client, "en", "sessions:agenda")

    assert f'<a href="{session.get_absolute_url()}">Working session 1.1</a>' in documents
    assert f'<a href="{roundtable.get_absolute_url()}">Theme 1</a>' in documents
    assert "Dhaka 2016 · Theme 1" in agenda


def test_the_contribution_form_offers_the_forums_names(client, dhaka):
    form = _get(client, "en", "contributions:submit")

    assert ">Theme 1: Protection of migrant workers</option>" in form
    assert ">— Working session 1.1: Decent work</option>" in form


def test_a_roundtables_papers_on_its_sessions_name_it_as_the_forum_does(client, dhaka):
    forum, roundtable, session = dhaka
    make_document(forum=forum, title="Action paper", roundtables=[roundtable])

    page = _get(client, "en", "roundtables:session", forum="dhaka-2016", roundtable="protection", slug="decent-work")
    [handout], _outline = _pdf(session, content.SESSION, "en")

    assert ">For all the sessions of Theme 1: Protection of migrant workers</h3>" in page
    assert " Action paper (Background paper · English · for all the sessions of Theme 1)" in handout


def test_the_organiser_names_a_forums_groups_in_the_admin(organiser_client):
    forum = make_forum()
    url = admin_url(forum)

    partial = organiser_client.post(url, admin_change_data(organiser_client, forum, group_name_en="Theme"))
    saved = organiser_client.post(url, admin_change_data(organiser_client, forum, **THEMES))

    assert partial.status_code == 200
    errors = partial.context["adminform"].form.errors
    missing = ["group_name_es", "group_name_fr", "group_name_plural_en", "group_name_plural_es", "group_name_plural_fr"]
    assert sorted(errors) == missing
    message = "Name the groups in every language, singular and plural, or leave all six empty."
    assert errors["group_name_fr"] == [message]
    assert saved.status_code == 302
    forum.refresh_from_db()
    assert {name: getattr(forum, name) for name in NAMING_FIELDS} == THEMES


def test_the_changelog_names_sessions_as_the_forum_does(client, db):
    with revision():
        _forum, _roundtable, session = _programme(**THEMES, name="Dhaka 2016", slug="dhaka-2016")
    with revision():
        session.status = Status.DRAFT
        session.save()

    own = _get(client, "en", "roundtables:changes", forum="dhaka-2016")
    feed = _get(client, "en", "roundtables:changes-feed", forum="dhaka-2016")

    assert '<strong class="change-heading">Working session withdrawn</strong> 1.1 Decent work' in own
    assert "<title>Working session withdrawn: 1.1 Decent work</title>" in feed
