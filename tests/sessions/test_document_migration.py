"""The migration of documents to one record with a file per language and many places (0003–0005).

django-test-migrations is not installed, so the database is taken back to the schema before the
change with Django's own migration executor, old rows are written with the historical models, and
the migrations are applied forward (and back) over them.
"""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("programme_sessions", "0002_text_limits")]


def _migrate(targets):
    """Migrate ``targets`` (other apps stay as they are) and return the historical models of the database."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    applied = [node for node in executor.loader.applied_migrations if node in executor.loader.graph.nodes]
    return executor.loader.project_state(applied).apps


def _latest():
    """Every migration applied (the real models then match the database)."""
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def old_schema(transactional_db):
    apps = _migrate(BEFORE)
    yield apps
    _latest()


def _old_programme(apps):
    Forum = apps.get_model("roundtables", "Forum")
    Roundtable = apps.get_model("roundtables", "Roundtable")
    Session = apps.get_model("programme_sessions", "Session")
    forum = Forum.objects.create(
        name="Lisbon 2099",
        slug="lisbon-2099",
        city="Lisbon",
        country="Portugal",
        starts_on=datetime.date(2099, 5, 4),
        ends_on=datetime.date(2099, 5, 5),
        time_zone="Europe/Lisbon",
        status="published",
    )
    roundtable = Roundtable.objects.create(forum=forum, number=1, title="Decent work", slug="decent-work")
    session = Session.objects.create(roundtable=roundtable, number=1, title="Recruitment", slug="recruitment")
    return forum, roundtable, session


def test_old_rows_become_documents_of_their_forum_with_one_file_in_their_language(old_schema):
    Document = old_schema.get_model("programme_sessions", "Document")
    forum, roundtable, session = _old_programme(old_schema)
    paper_name = default_storage.save("documents/2099/paper.pdf", ContentFile(b"%PDF-1.4 a session paper"))
    session_paper = Document.objects.create(
        title="Session paper", kind="background_paper", file=paper_name, language="fr", session=session
    )
    roundtable_paper = Document.objects.create(
        title="Roundtable report", kind="report", file="documents/2099/report.pdf", roundtable=roundtable
    )
    forum_note = Document.objects.create(
        title="Concept note", kind="concept_note", file="documents/2099/note.txt", forum=forum
    )
    Document.objects.filter(pk=session_paper.pk).update(updated_at=datetime.datetime(2099, 1, 2, tzinfo=datetime.UTC))

    _latest()

    from sessions.models import Document as NewDocument

    documents = {
        document.title: document
        for document in NewDocument.objects.prefetch_related("files", "sessions", "roundtables")
    }
    assert sorted(documents) == ["Concept note", "Roundtable report", "Session paper"]
    assert {title: document.forum_id for title, document in documents.items()} == dict.fromkeys(documents, forum.pk)
    assert [s.pk for s in documents["Session paper"].sessions.all()] == [session.pk]
    assert list(documents["Session paper"].roundtables.all()) == []
    assert [r.pk for r in documents["Roundtable report"].roundtables.all()] == [roundtable.pk]
    assert list(documents["Roundtable report"].sessions.all()) == []
    assert (list(documents["Concept note"].sessions.all()), list(documents["Concept note"].roundtables.all())) == (
        [],
        [],
    )
    files = {
        title: [(file.language, file.file.name, file.size) for file in document.files.all()]
        for title, document in documents.items()
    }
    assert files == {
        "Session paper": [("fr", "documents/2099/paper.pdf", 24)],
        "Roundtable report": [("en", "documents/2099/report.pdf", None)],  # missing from the storage
        "Concept note": [("en", "documents/2099/note.txt", None)],
    }
    assert documents["Session paper"].pk == session_paper.pk
    assert documents["Session paper"].updated_at == datetime.datetime(2099, 1, 2, tzinfo=datetime.UTC)
    assert {documents["Roundtable report"].pk, documents["Concept note"].pk} == {roundtable_paper.pk, forum_note.pk}


def test_going_back_gives_one_old_row_per_place_and_file(old_schema):
    forum, roundtable, session = _old_programme(old_schema)
    _latest()
    from sessions.models import Document as NewDocument
    from sessions.models import DocumentFile

    paper = NewDocument.objects.create(forum_id=forum.pk, title="Action paper", kind="action_paper")
    paper.sessions.add(session.pk)
    paper.roundtables.add(roundtable.pk)
    DocumentFile.objects.bulk_create(
        [
            DocumentFile(document=paper, language="es", file="documents/2099/action-es.pdf"),
            DocumentFile(document=paper, language="en", file="documents/2099/action-en.pdf"),
        ]
    )
    NewDocument.objects.create(forum_id=forum.pk, title="Forum note", kind="concept_note")

    apps = _migrate(BEFORE)

    Document = apps.get_model("programme_sessions", "Document")
    rows = sorted(
        Document.objects.values_list("title", "kind", "session_id", "roundtable_id", "forum_id", "language", "file"),
        key=lambda row: tuple(
            (value is not None, value or 0) if not isinstance(value, str) else value for value in row
        ),
    )
    assert rows == [
        ("Action paper", "action_paper", None, roundtable.pk, None, "en", "documents/2099/action-en.pdf"),
        ("Action paper", "action_paper", None, roundtable.pk, None, "es", "documents/2099/action-es.pdf"),
        ("Action paper", "action_paper", session.pk, None, None, "en", "documents/2099/action-en.pdf"),
        ("Action paper", "action_paper", session.pk, None, None, "es", "documents/2099/action-es.pdf"),
        ("Forum note", "concept_note", None, None, forum.pk, "en", ""),
    ]
    assert Document.objects.filter(title="Action paper", session_id=session.pk, language="en").get().pk == paper.pk
