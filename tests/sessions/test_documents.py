"""Documents as the GFMD uses them: one paper with a file per language, attached to any number of
sessions and roundtables, shown on their pages, handouts and the booklet, in the reader's language."""

import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from programme.archive import forum_export, forum_import
from roundtables.models import Forum, Status
from sessions.models import Document
from tests.admin_forms import admin_change_data, admin_form_data, admin_url
from tests.factories import make_document, make_forum, make_roundtable, make_session

PDF = b"%PDF-1.4\n% an action paper\n"


@pytest.fixture
def dhaka(db):
    """A published forum of two themes of two working sessions each."""
    forum = make_forum(name="Civil Society Days, Dhaka 2016", slug="dhaka-2016")
    first = make_roundtable(forum=forum, number=1, title="Protecting migrant workers", slug="protecting")
    second = make_roundtable(forum=forum, number=2, title="Mobility and development", slug="mobility")
    sessions = [
        make_session(roundtable=first, number=1, title="Recruitment", slug="recruitment"),
        make_session(roundtable=first, number=2, title="Wages", slug="wages"),
        make_session(roundtable=second, number=1, title="Remittances", slug="remittances"),
        make_session(roundtable=second, number=2, title="Skills", slug="skills"),
    ]
    return SimpleNamespace(forum=forum, first=first, second=second, sessions=sessions)


def _three_languages(name="action-paper"):
    return {language: (f"{name}-{language}.pdf", PDF + language.encode()) for language in ("en", "fr", "es")}


def _pdf_text(response):
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


def _documents_section(html):
    start = html.index('<section aria-labelledby="documents-heading">')
    return html[start : html.index("</section>", start)]


# Pages ------------------------------------------------------------------------------------------


def test_an_action_paper_of_two_sessions_shows_on_both_session_pages(client, dhaka):
    recruitment, _wages, remittances, skills = dhaka.sessions
    paper = make_document(
        title="Action paper: fair recruitment", kind=Document.Kind.ACTION_PAPER, sessions=[recruitment, remittances]
    )

    pages = {session.title: client.get(session.get_absolute_url()) for session in (recruitment, remittances, skills)}

    for title in ("Recruitment", "Remittances"):
        assert [d for d, _shared in pages[title].context["session"].documents_shown] == [paper]
        assert (
            f'<a href="/en/documents/{paper.pk}/en/" hreflang="en" type="application/pdf">'
            "Action paper: fair recruitment</a>"
        ) in pages[title].content.decode()
    assert pages["Skills"].context["session"].documents_shown == []
    assert "Action paper" not in pages["Skills"].content.decode()


def test_a_session_page_shows_its_own_documents_then_its_roundtables_each_once(client, dhaka):
    recruitment, wages, remittances, _skills = dhaka.sessions
    both = make_document(title="Concept note", kind=Document.Kind.CONCEPT_NOTE, sessions=[recruitment, wages])
    both.roundtables.set([dhaka.first, dhaka.second])  # also the roundtable's: shown once, as the session's own
    shared = make_document(title="Roundtable paper", roundtables=[dhaka.first, dhaka.second])
    other = make_document(title="Wages paper", sessions=[wages, remittances])  # another session's only

    session = client.get(recruitment.get_absolute_url()).context["session"]

    assert (session.own_documents, session.roundtable_documents) == ([both], [shared])
    assert session.documents_shown == [(both, False), (shared, True)]
    assert other not in [document for document, _shared in session.documents_shown]


def test_an_action_paper_of_two_sessions_is_in_both_handouts(client, dhaka):
    recruitment, wages, remittances, _skills = dhaka.sessions
    make_document(title="Fair recruitment paper", kind=Document.Kind.ACTION_PAPER, sessions=[recruitment, remittances])

    texts = {
        s.title: _pdf_text(client.get(f"{s.get_absolute_url()}handout.pdf")) for s in (recruitment, wages, remittances)
    }

    assert "Fair recruitment paper (Action paper · English)" in texts["Recruitment"]
    assert "Fair recruitment paper (Action paper · English)" in texts["Remittances"]
    assert "Fair recruitment paper" not in texts["Wages"]


def test_a_roundtable_paper_shows_on_its_sessions_pages_marked_as_the_roundtables(client, dhaka):
    recruitment, wages, remittances, _skills = dhaka.sessions
    paper = make_document(title="Theme 1 action paper", kind=Document.Kind.ACTION_PAPER, roundtable=dhaka.first)
    own = make_document(title="Wages background", session=wages)

    pages = {session.title: client.get(session.get_absolute_url()) for session in (recruitment, wages, remittances)}

    assert pages["Recruitment"].context["session"].documents_shown == [(paper, True)]
    assert pages["Wages"].context["session"].documents_shown == [(own, False), (paper, True)]
    assert pages["Remittances"].context["session"].documents_shown == []
    section = _documents_section(pages["Wages"].content.decode())
    assert (
        section.index("Wages background")
        < section.index("For all the sessions of")
        < section.index("Theme 1 action paper")
    )
    roundtable_page = client.get(dhaka.first.get_absolute_url())
    assert roundtable_page.context["roundtable"].public_documents == [paper]


def test_a_paper_of_a_roundtable_and_one_of_its_sessions_is_listed_once_as_the_sessions(client, dhaka):
    recruitment = dhaka.sessions[0]
    paper = make_document(title="Shared paper", session=recruitment, roundtable=dhaka.first)

    response = client.get(recruitment.get_absolute_url())

    assert response.context["session"].documents_shown == [(paper, False)]
    assert _documents_section(response.content.decode()).count("Shared paper") == 1


def test_the_booklet_lists_a_roundtable_paper_under_each_of_its_sessions(client, dhaka):
    make_document(title="Theme one paper", kind=Document.Kind.ACTION_PAPER, roundtable=dhaka.first)

    text = _pdf_text(client.get("/en/forums/dhaka-2016/programme.pdf"))

    parts = text.split("Theme one paper (Action paper · English · for all the sessions of Roundtable 1)")
    assert len(parts) == 3  # under 1.1 Recruitment and 1.2 Wages, not under the second theme's sessions
    assert "Recruitment" in parts[0]
    assert "Wages" in parts[1]
    assert "Remittances" in parts[2]


def test_a_french_page_links_the_french_file_and_offers_english_and_spanish(client, dhaka):
    recruitment = dhaka.sessions[0]
    paper = make_document(title="Action paper", session=recruitment, files=_three_languages())

    html = client.get(recruitment.get_absolute_url().replace("/en/", "/fr/", 1)).content.decode()

    section = _documents_section(html)
    assert (  # the title has no French version: it shows in English, so marked
        f'<a href="/fr/documents/{paper.pk}/fr/" hreflang="fr" type="application/pdf" lang="en">Action paper</a>'
    ) in section
    assert (
        f'<a href="/fr/documents/{paper.pk}/en/" hreflang="en" lang="en">English</a>, '
        f'<a href="/fr/documents/{paper.pk}/es/" hreflang="es" lang="es">Español</a></span>'
    ) in section
    assert section.count("/documents/") == 3


def test_a_spanish_page_links_the_english_file_of_a_paper_with_only_english(client, dhaka):
    recruitment = dhaka.sessions[0]
    paper = make_document(title="Action paper", session=recruitment, filename="paper.pdf", content=PDF)

    html = client.get(recruitment.get_absolute_url().replace("/en/", "/es/", 1)).content.decode()

    section = _documents_section(html)
    assert (
        f'<a href="/es/documents/{paper.pk}/en/" hreflang="en" type="application/pdf" lang="en">Action paper</a>'
    ) in section
    assert "document-languages" not in section  # no other language to offer


def test_each_language_of_a_paper_is_served_as_its_own_file_and_the_page_language_picks_one(client, dhaka):
    paper = make_document(title="Action paper", session=dhaka.sessions[0], files=_three_languages())

    french = client.get(f"/en/documents/{paper.pk}/fr/")
    negotiated = client.get(f"/es/documents/{paper.pk}/")
    missing = client.get(f"/en/documents/{paper.pk}/de/")

    assert b"".join(french.streaming_content) == PDF + b"fr"
    assert (french["Content-Language"], french["X-Content-Type-Options"]) == ("fr", "nosniff")
    assert french["Content-Disposition"] == 'inline; filename="action-paper-fr.pdf"'
    assert b"".join(negotiated.streaming_content) == PDF + b"es"
    assert missing.status_code == 404


def test_a_text_file_is_served_as_a_plain_text_download_never_sniffed(client, dhaka):
    paper = make_document(session=dhaka.sessions[0], files={"en": ("note.txt", b"A plain note.\n")})

    response = client.get(f"/en/documents/{paper.pk}/en/")

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="note.txt"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_size_and_format_of_each_file_are_shown(client, dhaka):
    recruitment = dhaka.sessions[0]
    make_document(
        title="Long paper",
        session=recruitment,
        files={"en": ("long.pdf", PDF + b"x" * 1_250_000), "fr": ("note.txt", b"Une note.\n")},
    )

    section = _documents_section(client.get(recruitment.get_absolute_url()).content.decode())

    assert "(Background paper · PDF, 1.2\xa0MB)" in section
    assert 'hreflang="fr" lang="fr">Français</a>' in section


def test_documents_of_a_draft_forum_are_not_public(client, db):
    forum = make_forum(status=Status.DRAFT)
    paper = make_document(forum=forum, title="Secret note")

    assert client.get(f"/en/documents/{paper.pk}/").status_code == 404
    assert client.get(f"/en/documents/{paper.pk}/en/").status_code == 404


@pytest.mark.parametrize("count", [1, 3])
def test_session_page_queries_stay_flat_with_documents_and_their_files(client, django_assert_num_queries, dhaka, count):
    recruitment = dhaka.sessions[0]
    for n in range(count):
        make_document(title=f"Own {n}", session=recruitment, files=_three_languages(f"own-{n}"))
        make_document(title=f"Shared {n}", roundtable=dhaka.first, files=_three_languages(f"shared-{n}"))

    # the session page's queries, of which two for documents: those of the session or its roundtable, their files
    with django_assert_num_queries(10):
        response = client.get(recruitment.get_absolute_url())

    assert len(response.context["session"].documents_shown) == 2 * count


@pytest.mark.parametrize("count", [1, 3])
def test_forum_documents_page_queries_stay_flat(client, django_assert_num_queries, dhaka, count):
    for n in range(count):
        make_document(
            title=f"Paper {n}", sessions=dhaka.sessions[:2], roundtables=[dhaka.second], files=_three_languages()
        )

    with django_assert_num_queries(6):
        response = client.get("/en/forums/dhaka-2016/documents/")

    assert len(response.context["documents"]) == count


# Admin ------------------------------------------------------------------------------------------


def test_the_committee_enters_a_paper_with_three_languages_attached_to_two_sessions(organiser_client, dhaka):
    recruitment, _wages, remittances, _skills = dhaka.sessions
    url = admin_url(Document, "add") + f"?forum={dhaka.forum.pk}"
    data = admin_form_data(
        organiser_client.get(url),
        title="Action paper: recruitment",
        kind="action_paper",
        sessions=[str(recruitment.pk), str(remittances.pk)],
    )
    for index, language in enumerate(["en", "fr", "es"]):
        data[f"files-{index}-language"] = language
        data[f"files-{index}-file"] = SimpleUploadedFile(f"paper-{language}.pdf", PDF, content_type="application/pdf")

    response = organiser_client.post(url, data)

    assert response.status_code == 302, response.context["errors"] if response.context else response
    paper = Document.objects.get(title="Action paper: recruitment")
    assert paper.forum == dhaka.forum
    assert sorted(paper.sessions.values_list("pk", flat=True)) == sorted([recruitment.pk, remittances.pk])
    assert sorted(paper.files.values_list("language", "size")) == [("en", 27), ("es", 27), ("fr", 27)]


def test_a_file_of_the_wrong_type_is_refused_with_its_reason_and_the_typed_values_kept(organiser_client, dhaka):
    url = admin_url(Document, "add") + f"?forum={dhaka.forum.pk}"
    data = admin_form_data(
        organiser_client.get(url),
        title="Action paper typed in full",
        description="Three paragraphs the organiser typed.",
        kind="action_paper",
        sessions=[str(dhaka.sessions[0].pk)],
    )
    data["files-0-file"] = SimpleUploadedFile("paper.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    data["files-1-file"] = SimpleUploadedFile("papier.pdf", PDF, content_type="application/pdf")

    response = organiser_client.post(url, data)

    assert response.status_code == 200
    assert Document.objects.count() == 0
    files = response.context["inline_admin_formsets"][0].formset.forms
    assert files[0].errors["file"] == ["“paper.pdf” is not a PDF document: its content does not start like one."]
    assert files[1].errors["file"] == [
        "This file was not kept because the form needs corrections: please choose it again."
    ]
    form = response.context["adminform"].form
    assert (form["title_en"].value(), form["description_en"].value(), form["kind"].value()) == (
        "Action paper typed in full",
        "Three paragraphs the organiser typed.",
        "action_paper",
    )
    assert [str(pk) for pk in form["sessions"].value()] == [str(dhaka.sessions[0].pk)]


def test_sessions_of_another_forum_are_neither_offered_nor_accepted(organiser_client, dhaka):
    elsewhere = make_session(roundtable=make_roundtable(forum=make_forum(name="Dhaka 2017")))
    paper = make_document(title="Paper", session=dhaka.sessions[0])
    page = organiser_client.get(admin_url(paper))

    offered = {choice.pk for choice in page.context["adminform"].form.fields["sessions"].queryset}
    data = admin_form_data(page, sessions=[str(dhaka.sessions[0].pk), str(elsewhere.pk)])
    response = organiser_client.post(admin_url(paper), data)

    assert offered == {session.pk for session in dhaka.sessions}
    assert response.status_code == 200
    assert "sessions" in response.context["adminform"].form.errors
    assert list(paper.sessions.all()) == [dhaka.sessions[0]]


@pytest.fixture
def coordinator_of_first(coordinator, dhaka):
    dhaka.first.coordinators.add(coordinator)
    return coordinator


def test_a_coordinator_cannot_attach_a_document_to_another_roundtables_session(client, coordinator_of_first, dhaka):
    client.force_login(coordinator_of_first)
    url = admin_url(Document, "add") + f"?forum={dhaka.forum.pk}"
    page = client.get(url)
    offered = {choice.pk for choice in page.context["adminform"].form.fields["sessions"].queryset}
    data = admin_form_data(
        page, title="Coordinator's paper", kind="background_paper", sessions=[str(dhaka.sessions[2].pk)]
    )
    data["files-0-file"] = SimpleUploadedFile("paper.pdf", PDF, content_type="application/pdf")

    response = client.post(url, data)

    assert offered == {dhaka.sessions[0].pk, dhaka.sessions[1].pk}
    assert response.status_code == 200
    assert "sessions" in response.context["adminform"].form.errors
    assert Document.objects.count() == 0


def test_a_coordinator_attaches_a_document_to_their_own_session(client, coordinator_of_first, dhaka):
    client.force_login(coordinator_of_first)
    url = admin_url(Document, "add") + f"?forum={dhaka.forum.pk}"
    data = admin_form_data(
        client.get(url), title="Coordinator's paper", kind="background_paper", sessions=[str(dhaka.sessions[1].pk)]
    )
    data["files-0-file"] = SimpleUploadedFile("paper.pdf", PDF, content_type="application/pdf")

    response = client.post(url, data)

    assert response.status_code == 302
    assert list(Document.objects.get().sessions.all()) == [dhaka.sessions[1]]


def test_a_coordinator_cannot_change_a_document_of_another_roundtable(client, coordinator_of_first, dhaka):
    theirs = make_document(title="Other theme's paper", session=dhaka.sessions[2])
    shared = make_document(title="Shared paper", sessions=[dhaka.sessions[0], dhaka.sessions[2]])
    mine = make_document(title="My paper", session=dhaka.sessions[0])
    client.force_login(coordinator_of_first)

    responses = {
        d.title: client.post(admin_url(d), admin_change_data(client, d, title="Changed"))
        for d in (theirs, shared, mine)
    }

    assert {title: r.status_code for title, r in responses.items()} == {
        "Other theme's paper": 403,
        "Shared paper": 403,
        "My paper": 302,
    }
    assert sorted(Document.objects.values_list("title", flat=True)) == [
        "Changed",
        "Other theme's paper",
        "Shared paper",
    ]


# Archive ----------------------------------------------------------------------------------------


def test_archive_round_trip_keeps_files_per_language_and_attachments(dhaka, settings, tmp_path):
    paper = make_document(
        title="Action paper",
        sessions=[dhaka.sessions[0], dhaka.sessions[2]],
        roundtables=[dhaka.second],
        files=_three_languages(),
    )
    make_document(title="Concept note", forum=dhaka.forum, files={"fr": ("note.txt", b"Note conceptuelle.\n")})
    archive = io.BytesIO()
    forum_export(forum=dhaka.forum, fileobj=archive)
    dhaka.forum.documents.all().delete()
    for session in dhaka.sessions:
        session.delete()
    dhaka.forum.roundtables.all().delete()
    dhaka.forum.delete()
    settings.MEDIA_ROOT = tmp_path / "fresh-media"

    forum = forum_import(fileobj=archive).forum

    documents = {d.title: d for d in forum.documents.prefetch_related("files", "sessions__roundtable", "roundtables")}
    assert sorted(documents) == ["Action paper", "Concept note"]
    action = documents["Action paper"]
    assert sorted(s.code for s in action.sessions.all()) == ["1.1", "2.1"]
    assert [r.number for r in action.roundtables.all()] == [2]
    assert {f.language: f.file.read() for f in action.files.all()} == {
        "en": PDF + b"en",
        "fr": PDF + b"fr",
        "es": PDF + b"es",
    }
    assert [(f.language, f.size) for f in documents["Concept note"].files.all()] == [("fr", 19)]
    assert (documents["Concept note"].sessions.count(), documents["Concept note"].roundtables.count()) == (0, 0)
    assert action.pk != paper.pk
    assert Forum.objects.count() == 1
