import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from roundtables.archive import forum_export, forum_import
from roundtables.models import Forum, Roundtable, Theme
from sessions.models import Document, Issue, Organisation, Participation, Person, Room, Session
from tests.factories import make_document, make_organisation, make_participation, make_person


@pytest.fixture
def full_forum(athens):
    """Athens 2009 with people in roles and documents at every level."""
    roundtable = athens.roundtables.get(number=2)
    session = roundtable.sessions.get(number=1)
    organisation = make_organisation(name="Migrants’ Network «Ágora»", slug="agora", kind="diaspora")
    chair = make_person(name="Zoë Ñúñez", slug="zoe-nunez", organisation=organisation, biography="Line one.\n\nTwo.")
    make_participation(session=session, person=chair, role="chair", position=1)
    make_participation(session=session, person=make_person(slug="rapporteur"), role="rapporteur", position=2)
    make_document(session=session, title="Session paper", content=b"%PDF-1.4 session paper", filename="s.pdf")
    make_document(roundtable=roundtable, title="Roundtable report", kind="report", filename="r.pdf")
    return athens


def _export(forum):
    buffer = io.BytesIO()
    data = forum_export(forum=forum, fileobj=buffer)
    buffer.seek(0)
    return buffer, data


def _files(buffer):
    buffer.seek(0)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist() if name.startswith("files/")}


def _wipe():
    for model in [Participation, Document, Issue, Session, Room, Roundtable, Forum, Person, Organisation, Theme]:
        model.objects.all().delete()


def test_forum_round_trip_through_an_empty_database_loses_nothing(full_forum):
    first, first_data = _export(full_forum)
    first_files = _files(first)
    _wipe()

    imported = forum_import(fileobj=first)
    second, second_data = _export(imported)

    first_data.pop("exported_at")
    second_data.pop("exported_at")
    assert second_data == first_data
    assert _files(second) == first_files
    assert Session.objects.count() == 8
    assert Issue.objects.count() == 76
    assert Participation.objects.count() == 2
    assert Person.objects.get(slug="zoe-nunez").organisation.name == "Migrants’ Network «Ágora»"
    assert Session.objects.get(roundtable__number=2, number=1).documents.get().file.read() == (
        b"%PDF-1.4 session paper"
    )


def test_import_refuses_a_forum_that_already_exists(full_forum):
    archive, _ = _export(full_forum)

    with pytest.raises(ValidationError):
        forum_import(fileobj=archive)

    assert Forum.objects.count() == 1


def test_import_refuses_a_damaged_file_and_imports_nothing(full_forum):
    archive, _ = _export(full_forum)
    archive.seek(0)
    tampered = io.BytesIO()
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(tampered, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            target.writestr(name, b"%PDF-1.4 altered" if name.startswith("files/") else content)
    _wipe()
    tampered.seek(0)

    with pytest.raises(ValidationError):
        forum_import(fileobj=tampered)

    assert Forum.objects.count() == 0
    assert Session.objects.count() == 0


def test_export_and_import_commands(full_forum, tmp_path, capsys):
    path = tmp_path / "athens.zip"

    call_command("export_forum", "athens-2009", str(path))
    _wipe()
    call_command("import_forum", str(path))

    output = capsys.readouterr().out
    assert "3 roundtables, 8 sessions, 2 people, 3 documents" in output
    assert "Imported Civil Society Days, Athens 2009 (athens-2009)." in output
    assert json.loads(zipfile.ZipFile(path).read("forum.json"))["forum"]["slug"] == "athens-2009"


def test_import_into_empty_storage_puts_files_back_under_their_names(full_forum, settings, tmp_path):
    archive, data = _export(full_forum)
    names = sorted(item["file"]["name"] for item in data["documents"])
    _wipe()
    settings.MEDIA_ROOT = tmp_path / "fresh-media"

    forum_import(fileobj=archive)

    assert sorted(Document.objects.values_list("file", flat=True)) == names
    assert all((tmp_path / "fresh-media" / name).exists() for name in names)
