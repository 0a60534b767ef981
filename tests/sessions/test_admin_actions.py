"""The admin's PDF exports: actions on forums and roundtables, and the button on a forum's page."""

import io
import zipfile

from django.contrib.messages import get_messages
from django.urls import reverse
from pypdf import PdfReader

from roundtables.models import Forum, Roundtable, Status
from sessions import admin_actions
from sessions.pdf import content, render
from tests.factories import make_forum, make_roundtable, make_session


def _text(data):
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


def _action(client, model, action, objects):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return client.post(url, {"action": action, "_selected_action": [obj.pk for obj in objects]})


def test_forum_action_returns_the_booklet_of_one_forum(organiser_client):
    roundtable = make_roundtable(title="Labour mobility and decent work", forum=make_forum(slug="lisbon"))
    make_session(roundtable=roundtable, title="Fair recruitment – ¿cómo?")

    response = _action(organiser_client, Forum, "download_booklets", [roundtable.forum])
    text = _text(response.content)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{roundtable.forum.slug}-programme-en.pdf"'
    assert "1.1 Fair recruitment – ¿cómo?" in text
    assert "Roundtable 1: Labour mobility and decent work" in text


def test_forum_action_on_several_forums_returns_a_zip_of_booklets(organiser_client):
    first = make_session(title="First forum's session").roundtable.forum
    second = make_session(title="Second forum's session").roundtable.forum

    response = _action(organiser_client, Forum, "download_booklets", [first, second])
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = sorted(archive.namelist())

    assert response["Content-Type"] == "application/zip"
    assert names == sorted([f"{first.slug}-programme-en.pdf", f"{second.slug}-programme-en.pdf"])
    assert "First forum's session" in _text(archive.read(f"{first.slug}-programme-en.pdf"))
    assert "Second forum's session" in _text(archive.read(f"{second.slug}-programme-en.pdf"))


def test_forum_action_on_a_draft_forum_gives_the_marked_preview(organiser_client):
    session = make_session(title="Still being negotiated", status=Status.DRAFT)
    Forum.objects.filter(pk=session.roundtable.forum_id).update(status=Status.DRAFT)

    response = _action(organiser_client, Forum, "download_booklets", [session.roundtable.forum])
    text = _text(response.content)

    assert response["Content-Disposition"].endswith('-programme-preview-en.pdf"')
    assert "1.1 Still being negotiated Draft" in text
    assert "Preview with unpublished content, not for circulation" in text


def test_roundtable_action_returns_its_handout(organiser_client):
    roundtable = make_roundtable(title="Remittances", sessions=2)

    response = _action(organiser_client, Roundtable, "download_roundtable_handouts", [roundtable])
    text = _text(response.content)

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{roundtable.forum.slug}-roundtable-1-en.pdf"'
    assert "ROUNDTABLE HANDOUT" in text  # the kicker is set in capitals
    assert [f"1.{n} Session title 1.{n}" in text for n in (1, 2)] == [True, True]


def test_action_refuses_too_many_records_with_a_message(organiser_client, monkeypatch):
    monkeypatch.setattr(admin_actions, "MAX_EXPORTS", 1)
    roundtables = [make_roundtable(), make_roundtable()]

    response = _action(organiser_client, Roundtable, "download_roundtable_handouts", roundtables)

    assert response.status_code == 302
    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        "Select at most 1 records to export at once."
    ]


def test_action_reports_a_failed_render(organiser_client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("renderer down")

    monkeypatch.setattr(render, "compile_pdf", broken)
    roundtable = make_roundtable(sessions=1)

    response = _action(organiser_client, Roundtable, "download_roundtable_handouts", [roundtable])

    assert response.status_code == 302
    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        "The PDF could not be produced. Please try again in a minute."
    ]


def test_forum_change_page_links_to_the_booklet(organiser_client):
    forum = make_roundtable().forum

    response = organiser_client.get(reverse("admin:roundtables_forum_change", args=[forum.pk]))

    assert response.status_code == 200
    assert f'href="/en/forums/{forum.slug}/programme.pdf"' in response.content.decode()


def test_export_file_names_say_what_they_hold():
    forum = Forum(slug="athens-2009")
    roundtable = Roundtable(forum=forum, number=2)

    names = [
        content.Export(kind=content.BOOKLET, obj=forum, language="fr").filename,
        content.Export(kind=content.ROUNDTABLE, obj=roundtable, language="es", preview=True).filename,
    ]

    assert names == ["athens-2009-programme-fr.pdf", "athens-2009-roundtable-2-preview-es.pdf"]
