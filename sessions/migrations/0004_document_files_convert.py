# Each document of the old form (one file, one language, attached to exactly one forum, roundtable
# or session) becomes a document of its forum with one file in its language, attached to its
# session or roundtable. Backwards, each document gives one old row per file and place it is
# attached to (copies share the stored file), so nothing is lost either way.

from django.db import migrations

LANGUAGE_ORDER = ["en", "fr", "es"]


def _file_size(field_file):
    try:
        return field_file.size
    except (OSError, ValueError):  # the file is missing from the storage: its size is unknown
        return None


def documents_convert(apps, schema_editor):
    """Old rows to documents with files and attachments."""
    Document = apps.get_model("programme_sessions", "Document")
    DocumentFile = apps.get_model("programme_sessions", "DocumentFile")
    documents = Document.objects.select_related("session__roundtable", "roundtable").order_by("pk")
    for document in documents:
        if document.session_id:
            forum_id = document.session.roundtable.forum_id
            document.sessions.add(document.session_id)
        elif document.roundtable_id:
            forum_id = document.roundtable.forum_id
            document.roundtables.add(document.roundtable_id)
        else:
            forum_id = document.forum_id
        # update(): the document keeps its date of last change.
        Document.objects.filter(pk=document.pk).update(forum_id=forum_id, session=None, roundtable=None)
        if document.file:
            DocumentFile.objects.create(
                document_id=document.pk,
                language=document.language or "en",
                file=document.file.name,
                size=_file_size(document.file),
            )


def documents_unconvert(apps, schema_editor):
    """Documents back to old rows: one per (place, file); the first keeps the document's id."""
    Document = apps.get_model("programme_sessions", "Document")
    DocumentFile = apps.get_model("programme_sessions", "DocumentFile")
    for document in Document.objects.prefetch_related("sessions", "roundtables").order_by("pk"):
        files = sorted(
            DocumentFile.objects.filter(document_id=document.pk),
            key=lambda item: (LANGUAGE_ORDER.index(item.language) if item.language in LANGUAGE_ORDER else 9, item.pk),
        )
        places = [
            {"session_id": session.pk, "roundtable_id": None, "forum_id": None} for session in document.sessions.all()
        ]
        places += [
            {"session_id": None, "roundtable_id": roundtable.pk, "forum_id": None}
            for roundtable in document.roundtables.all()
        ]
        places = places or [{"session_id": None, "roundtable_id": None, "forum_id": document.forum_id}]
        rows = [(place, file) for place in places for file in (files or [None])]
        for index, (place, file) in enumerate(rows):
            values = {
                **place,
                "file": file.file.name if file else "",
                "language": file.language if file else "en",
            }
            if index == 0:
                Document.objects.filter(pk=document.pk).update(**values)
            else:
                copy = Document.objects.create(
                    title=document.title,
                    kind=document.kind,
                    description=document.description,
                    circulated_on=document.circulated_on,
                    position=document.position,
                    **values,
                )
                Document.objects.filter(pk=copy.pk).update(
                    created_at=document.created_at, updated_at=document.updated_at
                )


class Migration(migrations.Migration):
    dependencies = [("programme_sessions", "0003_document_files")]

    operations = [migrations.RunPython(documents_convert, documents_unconvert)]
