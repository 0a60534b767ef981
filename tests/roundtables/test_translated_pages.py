"""Fallback, visibly and accessibly: a text without a version in the page's language shows in English
inside an element with ``lang="en"`` (WCAG 3.1.2, language of parts), and a session with nothing in the
page's language carries a discreet "not yet translated" note, on its page and in its PDF handout."""

import io
import json

import lxml.html
import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from icalendar import Calendar
from pypdf import PdfReader

from roundtables.templatetags.translated import is_untranslated
from sessions.models import Session
from sessions.pdf.content import SESSION, export_for, template_context
from sessions.pdf.document import document_data
from tests.factories import (
    make_issue,
    make_organisation,
    make_participation,
    make_person,
    make_programme,
    make_room,
    make_session,
    make_theme,
)

pytestmark = pytest.mark.django_db


def _render(source, language, **context):
    with translation.override(language):
        return Template("{% load translated %}" + source).render(Context(context))


def _url(obj, language):
    with translation.override(language):
        return obj.get_absolute_url()


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return lxml.html.fromstring(response.content)


def _elements(tree, xpath):
    """Each element of ``xpath`` as (its lang attribute or None, its text with spaces collapsed)."""
    return [(element.get("lang"), " ".join(element.text_content().split())) for element in tree.xpath(xpath)]


def _pdf_text(response):
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


# The tags ------------------------------------------------------------------------------------------------


def test_lang_attr_is_empty_for_a_title_written_in_the_page_language():
    session = make_session(title="Circular migration", title_fr="Migration circulaire")

    assert _render('<h1{% lang_attr session "title" %}>', "fr", session=session) == "<h1>"


def test_lang_attr_marks_a_title_shown_in_english_on_a_french_page():
    session = make_session(title="Circular migration")

    assert _render('<h1{% lang_attr session "title" %}>', "fr", session=session) == '<h1 lang="en">'


def test_lang_attr_adds_nothing_on_an_english_page():
    session = make_session(title="Circular migration", title_es="Migración circular")

    assert _render('<h1{% lang_attr session "title" %}>', "en", session=session) == "<h1>"


def test_lang_attr_inside_another_language_names_the_language_of_the_text():
    """A French title inside a contribution written in Spanish, on a French page."""
    session = make_session(title="Circular migration", title_fr="Migration circulaire")

    rendered = _render('<a{% lang_attr session "title" inside="es" %}>', "fr", session=session)

    assert rendered == '<a lang="fr">'


def test_text_wraps_an_english_fallback_in_a_span_and_escapes_it():
    theme = make_theme(name="Rights & <protection>")

    assert _render('{% text theme "name" %}', "es", theme=theme) == (
        '<span lang="en">Rights &amp; &lt;protection&gt;</span>'
    )


def test_text_in_the_page_language_is_escaped_without_a_span():
    theme = make_theme(name="Rights", name_es="Derechos & <protección>")

    assert _render('{% text theme "name" %}', "es", theme=theme) == "Derechos &amp; &lt;protección&gt;"


def test_text_marks_another_form_of_the_field():
    session = make_session(title="One two three four five")

    rendered = _render('{% text session "title" session.title|truncatewords:2 %}', "fr", session=session)

    assert rendered == '<span lang="en">One two …</span>'


def test_text_of_a_field_written_in_one_language_only_is_never_marked():
    person = make_person(name="Ana Pérez")

    assert _render('{% text person "name" %}|{% lang_attr person "name" %}', "fr", person=person) == "Ana Pérez|"


def test_a_point_in_french_under_an_english_issue_says_so():
    issue = make_issue(text="Remittances")
    point = make_issue(parent=issue, text="Costs", text_fr="Coûts")

    rendered = _render(
        '<li{% lang_attr issue "text" %}>{% shown_lang issue "text" as around %}'
        '<li{% lang_attr point "text" inside=around %}>',
        "fr",
        issue=issue,
        point=point,
    )

    assert rendered == '<li lang="en"><li lang="fr">'


@pytest.mark.parametrize(
    ("french", "language", "expected"),
    [
        ({}, "fr", True),
        ({}, "es", True),
        ({}, "en", False),
        ({"title_fr": "Migration circulaire"}, "fr", False),
        ({"background_fr": "Contexte."}, "fr", False),
        ({"title_fr": "Migration circulaire"}, "es", True),
    ],
)
def test_a_session_is_untranslated_when_neither_title_nor_background_has_the_language(french, language, expected):
    session = make_session(title="Circular migration", background="Context.", **french)

    assert is_untranslated(session, language=language) is expected


def test_an_english_page_never_calls_a_session_untranslated_even_without_english_texts():
    session = make_session(title="Circular migration", title_fr="Migration circulaire")
    Session.objects.filter(pk=session.pk).update(title_en=None, background_en=None)
    session.refresh_from_db()

    assert (is_untranslated(session, language="en"), is_untranslated(session, language="es")) == (False, True)


# Pages ---------------------------------------------------------------------------------------------------


def test_french_session_page_shows_a_french_title_with_no_lang(client):
    session = make_session(title="Circular migration", title_fr="Migration circulaire", background_fr="Contexte.")

    page = _page(client, _url(session, "fr"))

    assert _elements(page, "//h1") == [(None, "1.1 Migration circulaire")]
    assert _elements(page, "//div[@class='prose']") == [(None, "Contexte.")]
    assert page.xpath("//*[@class='untranslated-note']") == []


def test_french_session_page_shows_an_english_title_and_background_inside_lang_en(client):
    session = make_session(title="Circular migration", background="Context **here**.")

    page = _page(client, _url(session, "fr"))

    assert _elements(page, "//h1") == [("en", "1.1 Circular migration")]
    assert _elements(page, "//div[@class='prose']") == [("en", "Context here.")]


def test_untranslated_note_on_the_french_page_of_a_wholly_english_session(client):
    session = make_session(title="Circular migration")

    page = _page(client, _url(session, "fr"))

    assert _elements(page, "//*[@class='untranslated-note']") == [(None, "Pas encore traduit")]


def test_untranslated_note_in_spanish(client):
    session = make_session(title="Circular migration")

    page = _page(client, _url(session, "es"))

    assert _elements(page, "//*[@class='untranslated-note']") == [(None, "Aún no traducido")]


def test_no_untranslated_note_on_the_english_page(client):
    session = make_session(title="Circular migration")

    page = _page(client, _url(session, "en"))

    assert page.xpath("//*[@class='untranslated-note']") == []


def test_no_untranslated_note_for_a_session_with_a_french_title(client):
    session = make_session(title="Circular migration", title_fr="Migration circulaire")

    page = _page(client, _url(session, "fr"))

    assert page.xpath("//*[@class='untranslated-note']") == []


def test_french_session_page_marks_each_english_issue_theme_room_and_person_text(client):
    session = make_session(
        title="Circular migration",
        title_fr="Migration circulaire",
        room=None,
        themes=[make_theme(name="Gender"), make_theme(name="Rights", name_fr="Droits")],
    )
    session.room = make_room(forum=session.roundtable.forum, name="Megaron Hall")
    session.save()
    issue = make_issue(session=session, text="Portability", text_fr="Portabilité")
    make_issue(parent=issue, text="Pensions")
    make_participation(
        session=session,
        person=make_person(position="Director", organisation=make_organisation(name="Migrant Forum")),
    )

    page = _page(client, _url(session, "fr"))

    assert _elements(page, "//dd[preceding-sibling::dt[1][text()='Salle']]") == [("en", "Megaron Hall")]
    assert _elements(page, "//ol[@class='issues']/li/div[@class='issue-text']") == [(None, "Portabilité")]
    assert _elements(page, "//ul[@class='points']/li") == [("en", "Pensions")]
    assert set(_elements(page, "//ul[@class='tags']//a")) == {(None, "Droits"), ("en", "Gender")}
    assert _elements(page, "//span[@class='person-affiliation']/span") == [("en", "Director")]
    assert _elements(page, "//span[@class='person-affiliation']/a") == [("en", "Migrant Forum")]


def test_french_roundtable_page_cards_mark_english_titles_only(client):
    forum = make_programme(roundtables=1, sessions_per_roundtable=2)
    roundtable = forum.roundtables.get()
    first, second = roundtable.sessions.order_by("number")
    Session.objects.filter(pk=first.pk).update(title_fr="Migration circulaire")

    page = _page(client, _url(roundtable, "fr"))

    assert _elements(page, "//h3[@class='session-card-title']/a") == [
        (None, "1.1 Migration circulaire"),
        ("en", f"1.2 {second.title}"),
    ]


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("sessions", [1, 3])
@pytest.mark.parametrize("page", ["programme", "roundtable", "theme", "session"])
def test_french_pages_cost_the_queries_of_english_ones(client, sessions, page):
    """Each card, title and name reads its French column and its English one from the rows already fetched:
    a French page with English fallbacks runs the queries of the English page, whatever its size."""
    forum = make_programme(roundtables=1, sessions_per_roundtable=sessions)
    roundtable = forum.roundtables.get()
    session = roundtable.sessions.order_by("number").first()
    Session.objects.filter(pk=session.pk).update(title_fr="Migration circulaire")
    urls = {}
    for language in ("en", "fr"):
        with translation.override(language):
            urls[language] = {
                "programme": reverse("roundtables:programme", kwargs={"forum": forum.slug}),
                "roundtable": roundtable.get_absolute_url(),
                "theme": session.themes.order_by("pk").first().get_absolute_url(),
                "session": session.get_absolute_url(),
            }[page]

    for language in ("en", "fr"):  # the menu's forum, looked up once per language until the programme changes
        client.get(reverse("roundtables:theme-list").replace("/en/", f"/{language}/", 1))
    english = _queries(client, urls["en"])
    french = _queries(client, urls["fr"])

    assert french == english


def test_french_search_results_mark_an_english_session_title(client):
    make_session(title="Circular migration", background="Seasonal work.", background_fr="Travail saisonnier.")

    page = _page(client, "/fr/search/?q=saisonnier")

    assert _elements(page, "//section[@id='results-sessions']//h3/a") == [("en", "1.1 Circular migration")]
    assert _elements(page, "//section[@id='results-sessions']//p[@class='snippet']") == [(None, "Travail saisonnier.")]


# PDF handouts --------------------------------------------------------------------------------------------


def _handout_data(session, language):
    """What the French handout of ``session`` shows (``sessions.pdf.document``), texts marked with their language."""
    export = export_for(SESSION, session, language=language)
    with translation.override(language):
        return document_data(export, template_context(export))


def test_french_handout_marks_english_texts_and_notes_the_untranslated_session():
    session = make_session(title="Circular migration", background="Context.")
    make_issue(session=session, text="Portability")

    data = _handout_data(session, "fr")
    shown = data["session"]

    assert shown["title"] == {"t": "Circular migration", "lang": "en"}
    assert (shown["untranslated"], data["labels"]["untranslated"]) == (True, "Pas encore traduit")
    assert (shown["background_lang"], shown["background"]) == ("en", [{"k": "p", "c": ["Context."], "b": False}])
    assert [(issue["lang"], issue["c"]) for group in shown["issue_groups"] for issue in group["issues"]] == [
        ("en", [{"k": "p", "c": ["Portability"], "b": False}])
    ]


def test_french_handout_of_a_translated_session_has_no_lang_and_no_note():
    session = make_session(title="Circular migration", title_fr="Migration circulaire", background_fr="Contexte.")

    shown = _handout_data(session, "fr")["session"]

    assert (shown["code"], shown["title"]) == ("1.1", "Migration circulaire")
    assert (shown["untranslated"], shown["background_lang"]) == (False, None)
    assert '"lang": "en"' not in json.dumps(shown)


def test_french_handout_pdf_reads_the_french_title_without_the_note(client):
    session = make_session(title="Circular migration", title_fr="Migration circulaire")

    text = _pdf_text(client.get(f"{_url(session, 'fr')}handout.pdf"))

    assert ("Migration circulaire" in text, "Circular migration" in text, "Pas encore traduit" in text) == (
        True,
        False,
        False,
    )


def test_french_handout_pdf_notes_a_wholly_english_session(client):
    session = make_session(title="Circular migration")

    text = _pdf_text(client.get(f"{_url(session, 'fr')}handout.pdf"))

    assert ("Circular migration" in text, "Pas encore traduit" in text) == (True, True)


def test_english_handout_pdf_has_no_note(client):
    session = make_session(title="Circular migration")

    text = _pdf_text(client.get(f"{_url(session, 'en')}handout.pdf"))

    assert ("Circular migration" in text, "Not yet translated" in text) == (True, False)


# Calendars -----------------------------------------------------------------------------------------------


def _calendar_summaries(client, session, language):
    with translation.override(language):
        roundtable = session.roundtable
        kwargs = {"forum": roundtable.forum.slug, "roundtable": roundtable.slug, "slug": session.slug}
        url = reverse("sessions:calendar", kwargs=kwargs)
    response = client.get(url)
    assert response.status_code == 200
    return [
        (str(event["SUMMARY"]), event["SUMMARY"].params.get("LANGUAGE"))
        for event in Calendar.from_ical(response.content).walk("VEVENT")
    ]


def test_french_calendar_gives_the_french_title_in_french(client):
    session = make_session(title="Circular migration", title_fr="Migration circulaire")

    assert _calendar_summaries(client, session, "fr") == [("1.1 Migration circulaire", "fr")]


def test_french_calendar_names_english_as_the_language_of_an_untranslated_title(client):
    session = make_session(title="Circular migration", title_es="Migración circular")

    assert _calendar_summaries(client, session, "fr") == [("1.1 Circular migration", "en")]


def test_english_calendar_gives_the_english_title(client):
    session = make_session(title="Circular migration", title_fr="Migration circulaire")

    assert _calendar_summaries(client, session, "en") == [("1.1 Circular migration", "en")]
