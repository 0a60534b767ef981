import hashlib
import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from programme.archive import forum_export, forum_import
from roundtables.models import Forum, Roundtable, Theme
from sessions.models import Document, DocumentFile, Issue, Organisation, Participation, Person, Room, Session
from tests.factories import make_document, make_organisation, make_participation, make_person, make_user


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
    second, second_data = _export(imported.forum)

    first_data.pop("exported_at")
    second_data.pop("exported_at")
    assert second_data == first_data
    assert _files(second) == first_files
    assert Session.objects.count() == 8
    assert Issue.objects.count() == 76
    assert Participation.objects.count() == 2
    assert Person.objects.get(slug="zoe-nunez").organisation.name == "Migrants’ Network «Ágora»"
    assert Session.objects.get(roundtable__number=2, number=1).documents.get().files.get().file.read() == (
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
    names = sorted(entry["name"] for item in data["documents"] for entry in item["files"])
    _wipe()
    settings.MEDIA_ROOT = tmp_path / "fresh-media"

    forum_import(fileobj=archive)

    assert sorted(DocumentFile.objects.values_list("file", flat=True)) == names
    assert all((tmp_path / "fresh-media" / name).exists() for name in names)


def _archive(source, *, edit=None, replace=None, add=None):
    """A copy of the archive ``source``: its forum.json changed in place by ``edit``, members' contents
    replaced from ``replace`` and members added from ``add`` (name: bytes)."""
    source.seek(0)
    target = io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for name in old.namelist():
            content = old.read(name)
            if name == "forum.json" and edit:
                data = json.loads(content)
                edit(data)
                content = json.dumps(data).encode()
            new.writestr(name, (replace or {}).get(name, content))
        for name, content in (add or {}).items():
            new.writestr(name, content)
    target.seek(0)
    return target


def _declaring_size(source, name, size):
    """A copy of the archive ``source`` whose headers say the member ``name`` holds ``size`` bytes, as a
    crafted zip can say whatever it likes."""
    raw, encoded = bytearray(source.getvalue()), name.encode()
    for signature, name_at, length_at, size_at in [(b"PK\x03\x04", 30, 26, 22), (b"PK\x01\x02", 46, 28, 24)]:
        position = raw.find(signature)
        while position != -1:
            length = int.from_bytes(raw[position + length_at : position + length_at + 2], "little")
            if raw[position + name_at : position + name_at + length] == encoded:
                raw[position + size_at : position + size_at + 4] = size.to_bytes(4, "little")
            position = raw.find(signature, position + 4)
    return io.BytesIO(bytes(raw))


@pytest.fixture
def fresh_portal(settings, tmp_path):
    """Call it to empty the database of programme records and to point media storage at an empty
    folder (returned): the portal an archive is then imported into."""

    def empty():
        _wipe()
        settings.MEDIA_ROOT = tmp_path / "fresh-media"
        return settings.MEDIA_ROOT

    return empty


def _import_command(archive, tmp_path):
    path = tmp_path / "archive.zip"
    path.write_bytes(archive.getvalue())
    with pytest.raises(CommandError) as error:
        call_command("import_forum", str(path))
    return str(error.value).splitlines()


def _nothing_imported(media):
    return (Forum.objects.count(), Session.objects.count(), Document.objects.count(), Person.objects.count()) == (
        0,
        0,
        0,
        0,
    ) and not [path for path in media.rglob("*") if path.is_file()]


def _member(data, title):
    return next(item["files"][0]["path"] for item in data["documents"] if item["title"] == title)


def test_import_refuses_a_member_declaring_a_huge_size_without_reading_it(full_forum, tmp_path, fresh_portal):
    archive, data = _export(full_forum)
    path = _member(data, "Session paper")
    crafted = _declaring_size(archive, path, 1536 * 1024 * 1024)
    fresh_media = fresh_portal()

    lines = _import_command(crafted, tmp_path)

    assert lines == [
        f"Nothing was imported from {tmp_path / 'archive.zip'}:",
        f"- {path} is 1.5\xa0GB; the largest accepted is 20.0\xa0MB. It was not read.",
    ]
    assert _nothing_imported(fresh_media)


def test_import_refuses_a_compressible_member_over_the_upload_limit(full_forum, tmp_path, fresh_portal, settings):
    archive, data = _export(full_forum)
    path = _member(data, "Session paper")
    content = b"%PDF-1.4\n" + b"0" * 100_000
    digest = hashlib.sha256(content).hexdigest()

    def point_to_new_content(data):
        next(item for item in data["documents"] if item["files"][0]["path"] == path)["files"][0]["sha256"] = digest

    bomb = _archive(archive, edit=point_to_new_content, replace={path: content})
    settings.DOCUMENT_MAX_UPLOAD_BYTES = 50_000  # the other files are smaller
    fresh_media = fresh_portal()

    lines = _import_command(bomb, tmp_path)

    assert zipfile.ZipFile(bomb).getinfo(path).compress_size < 1000
    assert lines[1:] == [f"- {path} is 97.7\xa0KB; the largest accepted is 48.8\xa0KB. It was not read."]
    assert _nothing_imported(fresh_media)


def test_import_refuses_a_member_whose_header_understates_its_size(full_forum, tmp_path, fresh_portal):
    archive, data = _export(full_forum)
    path = _member(data, "Session paper")
    crafted = _declaring_size(archive, path, 4)
    fresh_media = fresh_portal()

    lines = _import_command(crafted, tmp_path)

    assert lines[1:] == [f"- {path} cannot be read from the archive: Bad CRC-32 for file '{path}'."]
    assert _nothing_imported(fresh_media)


@pytest.mark.parametrize("name", ["../../x", "/etc/x", "files/../../x", "C:/x", "files\\..\\x"])
def test_import_refuses_a_member_with_an_unsafe_name(full_forum, tmp_path, fresh_portal, name):
    archive, _ = _export(full_forum)
    crafted = _archive(archive, add={name: b"%PDF-1.4 x"})
    fresh_media = fresh_portal()

    lines = _import_command(crafted, tmp_path)

    assert lines[1:] == [f"- The archive holds “{name}”: absolute names and names with “..” are refused."]
    assert _nothing_imported(fresh_media)


def test_import_refuses_a_file_to_be_stored_outside_the_documents_folder(full_forum, tmp_path, fresh_portal):
    archive, _ = _export(full_forum)

    def store_elsewhere(data):
        data["documents"][0]["files"][0]["name"] = "documents/../../settings.py"
        data["documents"][1]["files"][0]["name"] = "static/x.pdf"

    crafted = _archive(archive, edit=store_elsewhere)
    titles = [item["title"] for item in json.loads(zipfile.ZipFile(crafted).read("forum.json"))["documents"]]
    fresh_media = fresh_portal()

    lines = _import_command(crafted, tmp_path)

    assert lines[1:] == [
        f"- The document “{titles[0]}” would be stored as “documents/../../settings.py”, outside documents/.",
        f"- The document “{titles[1]}” would be stored as “static/x.pdf”, outside documents/.",
    ]
    assert _nothing_imported(fresh_media)


def test_import_refuses_themes_null_with_the_place_in_forum_json(full_forum, tmp_path, fresh_portal):
    archive, _ = _export(full_forum)

    def break_shape(data):
        data["themes"] = None
        data["roundtables"][1]["sessions"][0]["issues"] = "none"
        del data["rooms"][0]["name"]

    crafted = _archive(archive, edit=break_shape)
    fresh_media = fresh_portal()

    lines = _import_command(crafted, tmp_path)

    assert lines[1:] == [
        "- forum.json, themes: None is not of type 'array'.",
        "- forum.json, rooms[0]: 'name' is a required property.",
        "- forum.json, roundtables[1].sessions[0].issues: 'none' is not of type 'array'.",
    ]
    assert _nothing_imported(fresh_media)


def test_import_refuses_values_their_fields_refuse_and_references_the_archive_lacks(full_forum, tmp_path, fresh_portal):
    archive, _ = _export(full_forum)

    def break_values(data):
        session = data["roundtables"][1]["sessions"][0]
        session["starts_at"] = "tomorrow"
        session["slug"] = "../up"
        session["themes"] = ["no-such-theme"]
        session["participations"][0]["person"] = "nobody"
        data["roundtables"][2]["number"] = data["roundtables"][0]["number"]

    crafted = _archive(archive, edit=break_values)
    fresh_media = fresh_portal()

    lines = _import_command(crafted, tmp_path)

    assert lines[1:] == [
        "- forum.json, roundtables[1].sessions[0].slug: Enter a valid “slug” consisting of letters, numbers, "
        "underscores or hyphens.",
        "- forum.json, roundtables[1].sessions[0].starts_at: “tomorrow” value has an invalid format. "
        "It must be in YYYY-MM-DD HH:MM[:ss[.uuuuuu]][TZ] format.",
        "- forum.json: roundtable 1 is given twice.",
        "- forum.json: session 1 of roundtable 2 has the theme “no-such-theme”, not in the archive.",
        "- forum.json: session 1 of roundtable 2 names the person “nobody”, not in the archive.",
        "- forum.json: the document “Concept Note: Roundtable Themes for the Civil Society Days” is attached to a "
        "roundtable not in the archive.",
    ]
    assert _nothing_imported(fresh_media)


def test_import_refuses_a_file_of_the_wrong_type(full_forum, tmp_path, fresh_portal):
    archive, data = _export(full_forum)
    path = _member(data, "Session paper")
    page = b"<!DOCTYPE html><script>alert(1)</script>"

    def point_to_new_content(data):
        next(item for item in data["documents"] if item["files"][0]["path"] == path)["files"][0]["sha256"] = (
            hashlib.sha256(page).hexdigest()
        )

    crafted = _archive(archive, edit=point_to_new_content, replace={path: page})
    fresh_media = fresh_portal()

    lines = _import_command(crafted, tmp_path)

    assert lines[1:] == [f"- {path}: “s.pdf” is not a PDF document: its content does not start like one."]
    assert _nothing_imported(fresh_media)


def test_import_lists_every_problem_at_once(full_forum, tmp_path, fresh_portal):
    archive, data = _export(full_forum)
    paper, report = _member(data, "Session paper"), _member(data, "Roundtable report")

    def break_things(data):
        data["themes"] = None

    crafted = _declaring_size(
        _archive(archive, edit=break_things, replace={report: b"\x00\x01binary"}, add={"../../x": b"x"}),
        paper,
        1536 * 1024 * 1024,
    )
    fresh_media = fresh_portal()

    lines = _import_command(crafted, tmp_path)

    assert lines[1:] == [
        "- The archive holds “../../x”: absolute names and names with “..” are refused.",
        "- forum.json, themes: None is not of type 'array'.",
    ]
    assert _nothing_imported(fresh_media)

    def fix_shape(data):
        data["themes"] = []
        for roundtable in data["roundtables"]:
            for session in roundtable["sessions"]:
                session["themes"] = []

    lines = _import_command(
        _declaring_size(
            _archive(archive, edit=fix_shape, replace={report: b"\x00\x01binary"}, add={"../../x": b"x"}),
            paper,
            1536 * 1024 * 1024,
        ),
        tmp_path,
    )

    assert lines[1:] == [
        "- The archive holds “../../x”: absolute names and names with “..” are refused.",
        f"- {paper} is 1.5\xa0GB; the largest accepted is 20.0\xa0MB. It was not read.",
        f"- The file {report} is damaged in this archive (its checksum differs).",
    ]
    assert _nothing_imported(fresh_media)


def test_import_refuses_what_is_not_a_forum_archive(db, tmp_path):
    not_zip = io.BytesIO(b"%PDF-1.4 not an archive")
    no_data = io.BytesIO()
    with zipfile.ZipFile(no_data, "w") as archive:
        archive.writestr("files/0001/a.pdf", b"%PDF-1.4")
    bad_json = io.BytesIO()
    with zipfile.ZipFile(bad_json, "w") as archive:
        archive.writestr("forum.json", b"{not json")

    assert [_import_command(archive, tmp_path)[1:] for archive in [not_zip, no_data, bad_json]] == [
        ["- This is not a forum archive: the file is not a zip archive."],
        ["- This is not a forum archive: forum.json is missing."],
        [
            "- forum.json is not valid JSON: "
            "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)."
        ],
    ]


def test_a_failed_import_removes_the_files_it_wrote(full_forum, tmp_path, fresh_portal, monkeypatch):
    from django.core.files.storage import FileSystemStorage

    archive, _ = _export(full_forum)
    fresh_media = fresh_portal()
    save, saved = FileSystemStorage.save, []

    def disk_full_at_the_second_file(self, name, content, max_length=None):
        if saved:
            raise OSError(28, "No space left on device")
        saved.append(save(self, name, content, max_length=max_length))
        return saved[-1]

    monkeypatch.setattr(FileSystemStorage, "save", disk_full_at_the_second_file)

    lines = _import_command(archive, tmp_path)

    assert lines[1:] == ["- A file could not be written to the media storage: [Errno 28] No space left on device"]
    assert len(saved) == 1
    assert _nothing_imported(fresh_media)


def test_round_trip_keeps_the_roundtables_coordinators(full_forum, fresh_portal):
    alice, bob = make_user(username="alice", is_staff=True), make_user(username="bob", is_staff=True)
    full_forum.roundtables.get(number=1).coordinators.set([alice, bob])
    full_forum.roundtables.get(number=2).coordinators.set([bob])
    archive, data = _export(full_forum)
    fresh_portal()

    imported = forum_import(fileobj=archive)

    assert [item["coordinators"] for item in data["roundtables"]] == [["alice", "bob"], ["bob"], []]
    assert {
        roundtable.number: sorted(user.username for user in roundtable.coordinators.all())
        for roundtable in imported.forum.roundtables.all()
    } == {1: ["alice", "bob"], 2: ["bob"], 3: []}
    assert imported.notes == []


def test_import_names_the_coordinators_this_portal_lacks(full_forum, tmp_path, fresh_portal, capsys):
    alice, bob = make_user(username="alice", is_staff=True), make_user(username="bob", is_staff=True)
    carol = make_user(username="carol", is_staff=True)
    full_forum.roundtables.get(number=1).coordinators.set([alice, bob, carol])
    path = tmp_path / "athens.zip"
    call_command("export_forum", "athens-2009", str(path))
    fresh_portal()
    bob.delete()
    carol.is_staff = False
    carol.save()

    call_command("import_forum", str(path))

    assert list(Roundtable.objects.get(number=1).coordinators.all()) == [alice]
    assert capsys.readouterr().err.splitlines() == [
        "Roundtable 1: no staff account “bob” here, so it is not among its coordinators.",
        "Roundtable 1: no staff account “carol” here, so it is not among its coordinators.",
    ]


def test_import_reads_an_archive_written_before_coordinators_were_exported(full_forum, fresh_portal):
    archive, _ = _export(full_forum)

    def as_before(data):
        for roundtable in data["roundtables"]:
            del roundtable["coordinators"]

    older = _archive(archive, edit=as_before)
    fresh_portal()

    imported = forum_import(fileobj=older)

    assert (imported.forum.slug, imported.notes, imported.forum.roundtables.count()) == ("athens-2009", [], 3)


def test_import_reads_a_version_1_archive_of_one_file_and_one_place_per_document(full_forum, fresh_portal):
    archive, _ = _export(full_forum)

    def as_version_1(data):
        data["version"] = 1
        for item in data["documents"]:
            sessions, roundtables, files = item.pop("sessions"), item.pop("roundtables"), item.pop("files")
            if sessions:
                item["attached_to"] = {"session": sessions[0]}
            elif roundtables:
                item["attached_to"] = {"roundtable": roundtables[0]}
            else:
                item["attached_to"] = {"forum": True}
            item["language"] = files[0].pop("language")
            files[0].pop("size")
            item["file"] = files[0]

    crafted = _archive(archive, edit=as_version_1)
    fresh_portal()

    forum = forum_import(fileobj=crafted).forum

    documents = {
        document.title: (
            [session.code for session in document.sessions.all()],
            [roundtable.number for roundtable in document.roundtables.all()],
            [(file.language, file.file.read()[:8]) for file in document.files.all()],
        )
        for document in forum.documents.all()
    }
    assert documents == {
        "Concept Note: Roundtable Themes for the Civil Society Days": ([], [1], [("en", b"jeudi 22")]),
        "Session paper": (["2.1"], [], [("en", b"%PDF-1.4")]),
        "Roundtable report": ([], [2], [("en", b"%PDF-1.4")]),
    }
