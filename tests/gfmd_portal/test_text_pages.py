"""No stored text breaks a page, a calendar or a PDF: texts nested deeper than Markdown may go, stored
past the admin's checks (as a script or an import could), show as escaped plain text."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from core.translated import CONTENT_LANGUAGES
from programme.search_index import search_index_rebuild
from roundtables.models import Roundtable
from sessions.models import Issue, Session
from tests.factories import make_participation, make_person

# As deep as fits in the database: an issue of 2,997 characters nests 1,495 lists (the attack run's
# 10,001 are refused by the database now, see test_text_limits), a background of 3,405 characters
# 3,000 block quotes and then a 200-level list.
DEEP_ISSUE = "- " * 1495 + "deepest"
DEEP_BACKGROUND = ">" * 3000 + " Quoted\n\n" + "- " * 200 + "listed"


@pytest.fixture
def deep_session(athens):
    session = Session.objects.get(roundtable__forum=athens, roundtable__number=1, number=1)
    issue = session.issues.filter(parent__isnull=True).first()
    # In every language: the French and Spanish pages show their own texts.
    deep_backgrounds = {f"background_{code}": DEEP_BACKGROUND for code in CONTENT_LANGUAGES}
    Issue.objects.filter(pk=issue.pk).update(**{f"text_{code}": DEEP_ISSUE for code in CONTENT_LANGUAGES})
    Session.objects.filter(pk=session.pk).update(**deep_backgrounds)
    Roundtable.objects.filter(pk=session.roundtable_id).update(**deep_backgrounds)
    search_index_rebuild(forum=athens)  # update() sends no signals: the search index is written anew, as it must be
    return Session.objects.select_related("roundtable__forum").get(pk=session.pk)


def _pdf_text(response):
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


def test_session_page_shows_deep_texts_as_escaped_plain_text(client, deep_session):
    response = client.get(deep_session.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert f"<p>{'&gt;' * 3000} Quoted</p>" in html
    assert f"<p>{DEEP_ISSUE}</p>" in html


def test_forum_calendar_carries_deep_texts_as_plain_text(client, deep_session):
    response = client.get(reverse("sessions:forum-calendar", kwargs={"forum": "athens-2009"}))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "- - - - -" in response.content.decode().replace("\r\n ", "")


@pytest.mark.parametrize("word", ["Quoted", "deepest"])
def test_search_snippets_of_deep_texts_answer(client, deep_session, word):
    response = client.get(reverse("roundtables:search"), {"q": word})

    assert response.status_code == 200
    assert f"<mark>{word}</mark>" in response.content.decode()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_session_and_roundtable_handouts_render_deep_texts(client, deep_session, language):
    roundtable = deep_session.roundtable
    session_url = f"/{language}/forums/athens-2009/roundtables/{roundtable.slug}/{deep_session.slug}/handout.pdf"
    roundtable_url = f"/{language}/forums/athens-2009/roundtables/{roundtable.slug}/handout.pdf"

    session_pdf = client.get(session_url)
    roundtable_pdf = client.get(roundtable_url)

    assert (session_pdf.status_code, roundtable_pdf.status_code) == (200, 200)
    assert "- - - - - deepest" in _pdf_text(session_pdf)
    assert ">>>>> Quoted" in _pdf_text(roundtable_pdf)


def test_french_booklet_renders_deep_texts(client, deep_session):
    response = client.get("/fr/forums/athens-2009/programme.pdf")

    assert response.status_code == 200
    assert "- - - - - deepest" in _pdf_text(response)


def test_person_page_shows_a_deep_biography_as_escaped_plain_text(client, deep_session):
    person = make_person(name="Ana Núñez", biography=DEEP_ISSUE)
    make_participation(session=deep_session, person=person, role="chair")

    response = client.get(person.get_absolute_url())

    assert response.status_code == 200
    assert f'<div class="prose"><p>{DEEP_ISSUE}</p></div>' in response.content.decode()
