"""A forum's texts for translators as XLIFF 1.2 and back (programme/xliff.py), from the admin and as commands."""

import io
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils.translation import override
from lxml import etree
from reversion.models import Version

from core.translated import stored_text, translated_models
from programme.xliff import (
    XLIFF_NS,
    fingerprint,
    forum_xliff_export,
    forum_xliff_import,
)
from roundtables.models import Forum, Roundtable, Theme
from sessions.models import Document, Issue, Person, Session
from tests.factories import (
    make_forum,
    make_issue,
    make_organisation,
    make_participation,
    make_person,
    make_programme,
    make_roundtable,
    make_session,
    make_theme,
    make_user,
)

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas" / "xliff"
XSD = etree.XMLSchema(etree.parse(str(SCHEMAS / "xliff-core-1.2-strict.xsd")))
NS = {"x": XLIFF_NS}


def valid(data):
    """The parsed file, after checking it against the XLIFF 1.2 strict schema (every error listed on failure)."""
    document = etree.fromstring(data)
    assert XSD.validate(document), [f"line {error.line}: {error.message}" for error in XSD.error_log]
    return document


def units(document):
    """{unit id: trans-unit element} of a file (parsed, or its bytes)."""
    if isinstance(document, bytes):
        document = etree.fromstring(document)
    return {unit.get("id"): unit for unit in document.iterfind(".//x:trans-unit", NS)}


def unit_id(record, field):
    return f"{record._meta.label_lower}.{record.pk}.{field}"


def fill(data, targets):
    """The file ``data`` with the targets of ``targets`` ({unit id: text}) typed in, as a translator's tool
    saves it (state translated)."""
    document = etree.fromstring(data)
    found = units(document)
    for uid, text in targets.items():
        target = found[uid].find("x:target", NS)
        target.text = text
        target.set("state", "translated")
    return etree.tostring(document, xml_declaration=True, encoding="UTF-8")


def import_bytes(data, **kwargs):
    return forum_xliff_import(fileobj=io.BytesIO(data), filename="forum-fr.xlf", **kwargs)


def columns(record, field):
    record.refresh_from_db()
    return {code: stored_text(record, field, code) for code in ("en", "fr", "es")}


@pytest.fixture
def forum():
    """A small forum: a roundtable with a session that has a main issue and a sub-point, a theme and a speaker."""
    forum = make_forum(name="Civil Society Days, Lisbon", slug="lisbon")
    roundtable = make_roundtable(forum=forum, title="Labour mobility", background="Why *labour* matters.")
    session = make_session(
        roundtable=roundtable, title="Decent work", background="First paragraph.\n\n* a point\n* another  \n"
    )
    session.themes.set([make_theme(name="Gender")])
    issue = make_issue(session=session, text="Recruitment fees")
    make_issue(parent=issue, text="Who pays them?")
    person = make_person(position="Director", biography="", organisation=make_organisation(name="Migrants Forum"))
    make_participation(session=session, person=person)
    return forum


# Export -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "es"])
def test_the_athens_export_validates_against_the_xliff_schema(athens, language):
    document = valid(forum_xliff_export(forum=athens, language=language))

    file_element = document.find("x:file", NS)
    assert (file_element.get("original"), file_element.get("source-language"), file_element.get("target-language")) == (
        "gfmd-portal/forums/athens-2009",
        "en",
        language,
    )
    assert file_element.get("datatype") == "plaintext"
    assert [note.text for note in file_element.iterfind("x:header/x:note", NS)][:2] == [
        "forum: athens-2009",
        f"forum-id: {athens.pk}",
    ]
    # The demo is translated whole: every unit carries its translation.
    states = {unit.find("x:target", NS).get("state") for unit in units(document).values()}
    assert states == {"translated"}


def test_each_text_of_the_forum_is_a_unit_with_its_english_source_and_context(forum):
    roundtable = forum.roundtables.get()
    session = roundtable.sessions.get()
    issue, point = session.issues.order_by("position")
    theme = session.themes.get()
    person = Person.objects.get(participations__session=session)

    found = units(valid(forum_xliff_export(forum=forum, language="fr")))

    assert set(found) == {
        unit_id(forum, "name"),
        unit_id(forum, "city"),
        unit_id(forum, "country"),
        unit_id(roundtable, "title"),
        unit_id(roundtable, "background"),
        unit_id(session, "title"),
        unit_id(session, "background"),
        unit_id(issue, "text"),
        unit_id(point, "text"),
        unit_id(theme, "name"),
        unit_id(person.organisation, "name"),
        unit_id(person, "position"),
    }
    unit = found[unit_id(point, "text")]
    assert unit.get("resname") == f"programme_sessions.issue.{point.pk}.text"
    assert unit.find("x:source", NS).text == "Who pays them?"
    target = unit.find("x:target", NS)
    assert (target.text, target.get("state")) == (None, "needs-translation")
    context = {item.get("context-type"): item.text for item in unit.iterfind("x:context-group/x:context", NS)}
    assert context == {
        "database": "programme_sessions.issue",
        "record": str(point.pk),
        "recordtitle": "Session 1.1: Decent work, Sub-point 1 of Main issue 1",
        "element": "text",
        "x-roundtable": "Roundtable 1: Labour mobility",
        "x-session-code": "1.1",
        "x-issue": "Sub-point 1 of Main issue 1",
    }
    assert [note.text for note in unit.iterfind("x:note", NS)] == [
        "Session 1.1: Decent work, Sub-point 1 of Main issue 1 (Roundtable 1: Labour mobility). Field: text. "
        "Markdown: keep its marks (*emphasis*, **bold**, lists, [links](…)) and line breaks as they are. "
        "At most 3,000 characters.",
        f"source-sha256:{fingerprint('Who pays them?')}",
    ]
    assert (unit.get("maxwidth"), unit.get("size-unit")) == ("3000", "char")


def test_the_export_keeps_markdown_and_whitespace_as_stored(forum):
    session = Session.objects.get(roundtable__forum=forum)

    found = units(valid(forum_xliff_export(forum=forum, language="fr")))

    unit = found[unit_id(session, "background")]
    assert unit.get("{http://www.w3.org/XML/1998/namespace}space") == "preserve"
    assert unit.find("x:source", NS).text == "First paragraph.\n\n* a point\n* another  \n"


def test_an_existing_translation_is_the_target_in_its_language_only(forum):
    session = Session.objects.get(roundtable__forum=forum)
    session.title_fr = "Travail décent"
    session.save()

    french = units(forum_xliff_export(forum=forum, language="fr"))[unit_id(session, "title")].find("x:target", NS)
    spanish = units(forum_xliff_export(forum=forum, language="es"))[unit_id(session, "title")].find("x:target", NS)

    assert (french.text, french.get("state")) == ("Travail décent", "translated")
    assert (spanish.text, spanish.get("state")) == (None, "needs-translation")


def test_the_export_leaves_out_empty_english_texts_and_other_forums_records(forum):
    session = Session.objects.get(roundtable__forum=forum)
    session.background = ""
    session.save()
    other = make_session(roundtable=make_roundtable(), themes=[make_theme(name="Remittances")])
    make_participation(session=other, person=make_person(position="Mayor"))

    found = units(forum_xliff_export(forum=forum, language="fr"))

    assert unit_id(session, "background") not in found
    assert {uid.rsplit(".", 2)[0] for uid in found} == {
        "roundtables.forum",
        "roundtables.roundtable",
        "programme_sessions.session",
        "programme_sessions.issue",
        "roundtables.theme",
        "programme_sessions.organisation",
        "programme_sessions.person",
    }
    assert unit_id(other, "title") not in found
    assert unit_id(Theme.objects.get(name_en="Remittances"), "name") not in found
    assert not any(uid.startswith("programme_sessions.person.") and "Mayor" in uid for uid in found)
    assert len([uid for uid in found if uid.startswith("programme_sessions.person.")]) == 1


def test_every_translated_model_is_in_the_file():
    forum = make_programme(roundtables=1, sessions_per_roundtable=1)
    forum.description = "A forum."
    forum.venue = "Centre"
    forum.save()
    Roundtable.objects.update(background_en="Why.")
    Theme.objects.update(description_en="About.")
    Person.objects.update(position_en="Director", biography_en="Born.")
    Document.objects.update(description_en="A paper.")

    found = units(valid(forum_xliff_export(forum=forum, language="es")))

    exported = {(uid.rsplit(".", 2)[0], uid.rsplit(".", 1)[1]) for uid in found}
    assert exported == {
        (model._meta.label_lower, field) for model, fields in translated_models().items() for field in fields
    }


def test_a_control_character_in_a_stored_text_is_exported_as_a_replacement_character(forum):
    session = Session.objects.get(roundtable__forum=forum)
    Session.objects.filter(pk=session.pk).update(title_en="Decent\x0bwork")

    found = units(valid(forum_xliff_export(forum=forum, language="fr")))

    assert found[unit_id(session, "title")].find("x:source", NS).text == "Decent\ufffdwork"


# Import -------------------------------------------------------------------------------------------------------


def test_a_round_trip_changes_the_french_pages_and_leaves_english_and_spanish(client, forum):
    session = Session.objects.get(roundtable__forum=forum)
    session.title_es = "Trabajo decente"
    session.save()
    issue = session.issues.get(parent=None)
    data = forum_xliff_export(forum=forum, language="fr")

    report = import_bytes(
        fill(data, {unit_id(session, "title"): "Travail décent", unit_id(issue, "text"): "Frais de *recrutement*\n"})
    )

    assert sorted(report.updated) == [
        "Session 1.1: Decent work (title)",
        "Session 1.1: Decent work, Main issue 1 (text)",
    ]
    assert (report.unchanged, report.empty, report.source_changed, report.refused) == (0, 10, [], [])
    assert columns(session, "title") == {"en": "Decent work", "fr": "Travail décent", "es": "Trabajo decente"}
    assert columns(issue, "text") == {"en": "Recruitment fees", "fr": "Frais de *recrutement*\n", "es": ""}
    with override("fr"):
        french_page = client.get(session.get_absolute_url())
    with override("en"):
        english_page = client.get(session.get_absolute_url())
    assert "Travail décent" in french_page.content.decode()
    assert "Travail décent" not in english_page.content.decode()
    assert "Decent work" in english_page.content.decode()


def test_a_second_import_of_the_same_file_changes_nothing(forum):
    session = Session.objects.get(roundtable__forum=forum)
    data = fill(forum_xliff_export(forum=forum, language="fr"), {unit_id(session, "title"): "Travail décent"})
    import_bytes(data)
    versions = Version.objects.count()

    report = import_bytes(data)

    assert (report.updated, report.unchanged) == ([], 1)
    assert Version.objects.count() == versions


def test_an_import_is_one_revision_with_its_comment(forum):
    user = make_user(username="translator-lead")
    session = Session.objects.get(roundtable__forum=forum)
    data = fill(forum_xliff_export(forum=forum, language="fr"), {unit_id(session, "title"): "Travail décent"})

    forum_xliff_import(fileobj=io.BytesIO(data), filename="lisbon-fr.xlf", user=user)

    version = Version.objects.get_for_object(session).first()
    assert version.revision.comment == "Imported French translations from lisbon-fr.xlf: 1 text."
    assert version.revision.user == user


def test_an_empty_target_keeps_the_translation_the_portal_has(forum):
    session = Session.objects.get(roundtable__forum=forum)
    session.title_fr = "Travail décent"
    session.save()
    data = fill(forum_xliff_export(forum=forum, language="fr"), {unit_id(session, "title"): "   "})

    report = import_bytes(data)

    assert report.empty == 12
    assert columns(session, "title")["fr"] == "Travail décent"


def test_a_unit_whose_english_changed_since_the_export_is_imported_and_reported(forum):
    session = Session.objects.get(roundtable__forum=forum)
    data = fill(forum_xliff_export(forum=forum, language="fr"), {unit_id(session, "title"): "Travail décent"})
    session.title = "Decent work for all"
    session.save()

    report = import_bytes(data)

    assert report.source_changed == ["Session 1.1: Decent work for all (title)"]
    assert columns(session, "title")["fr"] == "Travail décent"


def test_without_its_fingerprint_a_unit_is_compared_by_its_source(forum):
    session = Session.objects.get(roundtable__forum=forum)
    document = etree.fromstring(
        fill(forum_xliff_export(forum=forum, language="fr"), {unit_id(session, "title"): "Travail décent"})
    )
    for note in document.iterfind(".//x:note[@annotates='source']", NS):
        note.getparent().remove(note)
    session.title = "Decent work for all"
    session.save()

    report = import_bytes(etree.tostring(document))

    assert report.source_changed == ["Session 1.1: Decent work for all (title)"]


def test_units_of_deleted_records_other_forums_and_unknown_texts_are_refused_and_the_rest_imported(forum):
    session = Session.objects.get(roundtable__forum=forum)
    point = Issue.objects.get(session=session, parent__isnull=False)
    other = make_session(roundtable=make_roundtable())
    data = forum_xliff_export(forum=forum, language="fr")
    document = etree.fromstring(data)
    body = document.find(".//x:body", NS)
    for uid in (unit_id(other, "title"), "programme_sessions.session.999999.title", "auth.user.1.password"):
        copy = etree.fromstring(etree.tostring(units(document)[unit_id(session, "title")]))
        copy.set("id", uid)
        body.append(copy)
    data = fill(
        etree.tostring(document),
        {
            unit_id(session, "title"): "Travail décent",
            unit_id(point, "text"): "Qui les paie ?",
            unit_id(other, "title"): "Piratage",
            "programme_sessions.session.999999.title": "Fantôme",
            "auth.user.1.password": "x",
        },
    )
    point_id = point.pk
    point.delete()

    report = import_bytes(data)

    assert report.refused == [
        f"programme_sessions.issue.{point_id}.text: its record no longer exists (deleted since the export)",
        f"programme_sessions.session.{other.pk}.title: a text of another forum, not of “Civil Society Days, Lisbon”",
        "programme_sessions.session.999999.title: its record no longer exists (deleted since the export)",
        "auth.user.1.password: not a text of the portal",
    ]
    assert columns(session, "title")["fr"] == "Travail décent"
    assert columns(other, "title")["fr"] == ""


def test_a_file_for_another_forum_is_refused_naming_both_and_nothing_is_written(forum):
    other = make_forum(name="Civil Society Days, Quito", slug="quito")
    session = Session.objects.get(roundtable__forum=forum)
    data = fill(forum_xliff_export(forum=forum, language="fr"), {unit_id(session, "title"): "Travail décent"})

    with pytest.raises(ValidationError) as error:
        import_bytes(data, forum=other)

    assert error.value.messages == [
        "This file holds the texts of the forum “Civil Society Days, Lisbon” (lisbon), not of “Civil Society Days, "
        "Quito” (quito): nothing was imported. Import it on that forum's page, or export the file of “Civil Society "
        "Days, Quito”."
    ]
    assert columns(session, "title")["fr"] == ""


def test_a_file_for_another_language_is_refused_naming_both_and_nothing_is_written(forum):
    session = Session.objects.get(roundtable__forum=forum)
    data = fill(forum_xliff_export(forum=forum, language="es"), {unit_id(session, "title"): "Trabajo decente"})

    with pytest.raises(ValidationError) as error:
        import_bytes(data, language="fr")

    assert error.value.messages == [
        "This file holds Spanish translations, not French: nothing was imported. Choose Spanish, or use the "
        "French file."
    ]
    assert columns(session, "title") == {"en": "Decent work", "fr": "", "es": ""}


def test_a_file_of_a_forum_the_portal_does_not_have_is_refused(forum):
    data = forum_xliff_export(forum=forum, language="fr").replace(
        b"gfmd-portal/forums/lisbon", b"gfmd-portal/forums/oslo"
    )

    with pytest.raises(ValidationError) as error:
        import_bytes(data)

    assert error.value.messages == ["This file holds the texts of the forum “oslo”, which this portal does not have."]


def test_a_file_of_another_copy_of_the_forum_is_refused(forum):
    data = forum_xliff_export(forum=forum, language="fr").replace(
        f"forum-id: {forum.pk}<".encode(), f"forum-id: {forum.pk + 100}<".encode()
    )

    with pytest.raises(ValidationError) as error:
        import_bytes(data)

    assert error.value.messages == [
        "This file was exported from another copy of the forum “Civil Society Days, Lisbon” (another portal or an "
        "earlier import of its archive), whose records are numbered differently: export the file again from this "
        "portal."
    ]


def test_a_target_language_the_programme_does_not_have_is_refused(forum):
    data = forum_xliff_export(forum=forum, language="fr").replace(b'target-language="fr"', b'target-language="de"')

    with pytest.raises(ValidationError) as error:
        import_bytes(data)

    assert error.value.messages == [
        "The file's target language is “de”; the programme is translated into French and Spanish."
    ]


def test_too_long_targets_are_all_reported_and_nothing_is_written(forum):
    roundtable = Roundtable.objects.get(forum=forum)
    session = Session.objects.get(roundtable__forum=forum)
    issue = session.issues.get(parent=None)
    data = fill(
        forum_xliff_export(forum=forum, language="fr"),
        {
            unit_id(roundtable, "title"): "Mobilité",
            unit_id(session, "title"): "T" * 301,
            unit_id(issue, "text"): "x" * 3001,
        },
    )

    with pytest.raises(ValidationError) as error:
        import_bytes(data)

    assert error.value.messages == [
        f"Session 1.1: Decent work (title) (programme_sessions.session.{session.pk}.title): "
        "Ensure this value has at most 300 characters (it has 301).",
        f"Session 1.1: Decent work, Main issue 1 (text) (programme_sessions.issue.{issue.pk}.text): "
        "Ensure this value has at most 3000 characters (it has 3001).",
    ]
    assert [columns(roundtable, "title")["fr"], columns(session, "title")["fr"], columns(issue, "text")["fr"]] == [
        "",
        "",
        "",
    ]


def test_markdown_nested_too_deep_is_refused_as_in_the_admin(forum):
    session = Session.objects.get(roundtable__forum=forum)
    data = fill(forum_xliff_export(forum=forum, language="fr"), {unit_id(session, "background"): ">" * 12 + " deep"})

    with pytest.raises(ValidationError) as error:
        import_bytes(data)

    assert len(error.value.messages) == 1
    assert error.value.messages[0].startswith("Session 1.1: Decent work (background) (programme_sessions.session.")
    assert columns(session, "background")["fr"] == ""


def test_a_french_theme_name_another_theme_has_is_refused_and_nothing_is_written(forum):
    make_theme(name="Migration", name_fr="Genre")
    theme = Theme.objects.get(name_en="Gender")
    session = Session.objects.get(roundtable__forum=forum)
    data = fill(
        forum_xliff_export(forum=forum, language="fr"),
        {unit_id(theme, "name"): "Genre", unit_id(session, "title"): "Travail décent"},
    )

    with pytest.raises(ValidationError) as error:
        import_bytes(data)

    assert len(error.value.messages) == 1
    assert error.value.messages[0].startswith(f"Theme “Gender” (name) (roundtables.theme.{theme.pk}.name): ")
    assert (columns(theme, "name")["fr"], columns(session, "title")["fr"]) == ("", "")


def test_two_themes_given_the_same_french_name_in_one_file_are_refused_and_nothing_is_written(forum):
    session = Session.objects.get(roundtable__forum=forum)
    session.themes.add(make_theme(name="Women"))
    gender, women = Theme.objects.order_by("name_en")
    data = fill(
        forum_xliff_export(forum=forum, language="fr"),
        {unit_id(gender, "name"): "Femmes", unit_id(women, "name"): "Femmes", unit_id(session, "title"): "Travail"},
    )

    with pytest.raises(ValidationError) as error:
        import_bytes(data)

    assert len(error.value.messages) == 1
    assert error.value.messages[0].startswith("The database refused the translations, so nothing was imported: ")
    assert (columns(gender, "name")["fr"], columns(women, "name")["fr"], columns(session, "title")["fr"]) == (
        "",
        "",
        "",
    )


def test_a_target_with_markup_the_portal_never_writes_is_refused(forum):
    session = Session.objects.get(roundtable__forum=forum)
    data = fill(forum_xliff_export(forum=forum, language="fr"), {unit_id(session, "title"): "Travail décent"})
    data = data.replace(b">Travail d\xc3\xa9cent</target>", b'>Travail <ph id="1">&lt;b&gt;</ph>d\xc3\xa9cent</target>')

    with pytest.raises(ValidationError) as error:
        import_bytes(data)

    assert error.value.messages == [
        f"Unit programme_sessions.session.{session.pk}.title: its target holds markup the portal never writes "
        "(<ph>): type the translation as plain text, Markdown marks included."
    ]


def test_segment_marks_of_a_translation_tool_are_read_as_their_text(forum):
    session = Session.objects.get(roundtable__forum=forum)
    data = fill(forum_xliff_export(forum=forum, language="fr"), {unit_id(session, "title"): "Travail décent"})
    data = data.replace(
        b">Travail d\xc3\xa9cent</target>", b'><mrk mtype="seg" mid="1">Travail d\xc3\xa9cent</mrk></target>'
    )

    import_bytes(data)

    assert columns(session, "title")["fr"] == "Travail décent"


def test_a_unit_twice_in_the_file_is_refused(forum):
    session = Session.objects.get(roundtable__forum=forum)
    document = etree.fromstring(forum_xliff_export(forum=forum, language="fr"))
    unit = units(document)[unit_id(session, "title")]
    unit.getparent().append(etree.fromstring(etree.tostring(unit)))

    with pytest.raises(ValidationError) as error:
        import_bytes(etree.tostring(document))

    assert error.value.messages == [f"Unit programme_sessions.session.{session.pk}.title appears 2 times in the file."]


def test_a_target_marked_in_another_language_is_refused(forum):
    session = Session.objects.get(roundtable__forum=forum)
    data = fill(forum_xliff_export(forum=forum, language="fr"), {unit_id(session, "title"): "Trabajo decente"})
    document = etree.fromstring(data)
    units(document)[unit_id(session, "title")].find("x:target", NS).set(
        "{http://www.w3.org/XML/1998/namespace}lang", "es"
    )

    with pytest.raises(ValidationError) as error:
        import_bytes(etree.tostring(document))

    assert error.value.messages == [
        f"Unit programme_sessions.session.{session.pk}.title: its target is marked as “es”, the file's language is "
        "French."
    ]


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE xliff [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
]>
<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2">&lol2;</xliff>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE xliff [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2">&secret;</xliff>
"""
# Not even well-formed: refused for its declaration before any parser reads it.
BROKEN_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE xliff [<!ENTITY a "unterminated>
<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2"/>
"""
UNSAFE = (
    "The file declares a DTD or entities (<!DOCTYPE …>, <!ENTITY …>), which a translation file never needs: it is "
    "refused for safety. Export the file again from the portal."
)


@pytest.mark.parametrize(
    "data", [BILLION_LAUGHS, EXTERNAL_ENTITY, BROKEN_DTD], ids=["entity-expansion", "external-entity", "broken-dtd"]
)
def test_an_xml_document_with_a_dtd_or_entities_is_refused(forum, data):
    with pytest.raises(ValidationError) as error:
        import_bytes(data)

    assert error.value.messages == [UNSAFE]


def test_a_dtd_in_an_encoding_other_than_utf8_is_refused_too(forum):
    data = EXTERNAL_ENTITY.decode().replace('version="1.0"?>', 'version="1.0" encoding="UTF-16"?>').encode("utf-16")

    with pytest.raises(ValidationError) as error:
        import_bytes(data)

    assert error.value.messages == [UNSAFE]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is not a well-formed XML document (Document is empty, line 1, column 1)."),
        (
            b'<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0"/>',
            "This is an XLIFF 2.0 file: save it as XLIFF 1.2, the format the portal exports.",
        ),
        (
            b"<schedule/>",
            "This is not an XLIFF 1.2 file (its root element is <schedule>): upload the file the portal exported.",
        ),
        (
            b'<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2"><file original="a.txt" '
            b'source-language="en" datatype="plaintext"><body/></file></xliff>',
            "This file was not exported by the portal (its original is “a.txt”).",
        ),
    ],
    ids=["empty", "xliff-2", "not-xliff", "not-the-portals"],
)
def test_a_file_that_is_not_a_translation_file_of_the_portal_is_refused(forum, data, message):
    with pytest.raises(ValidationError) as error:
        import_bytes(data)

    assert error.value.messages == [message]


def test_a_file_larger_than_the_limit_is_refused(forum, monkeypatch):
    monkeypatch.setattr("programme.xliff.MAX_FILE_BYTES", 1000)

    with pytest.raises(ValidationError) as error:
        import_bytes(forum_xliff_export(forum=forum, language="fr"))

    assert error.value.messages == ["The file is larger than 0 MB: it is not a translation file of one forum."]


# Admin --------------------------------------------------------------------------------------------------------


def export_url(forum, language):
    return reverse("admin:roundtables_forum_translations", args=[forum.pk, language])


def import_url(forum):
    return reverse("admin:roundtables_forum_translations_import", args=[forum.pk])


def upload(client, forum, data, language="fr", name="lisbon-fr.xlf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        import_url(forum), {"language": language, "file": SimpleUploadedFile(name, data, "application/x-xliff+xml")}
    )


def test_the_forum_page_links_to_the_translations_page_for_the_committee(organiser_client, forum):
    response = organiser_client.get(reverse("admin:roundtables_forum_change", args=[forum.pk]))

    assert f'href="{import_url(forum)}"' in response.content.decode()


def test_an_organiser_downloads_the_file_for_a_language(organiser_client, forum):
    response = organiser_client.get(export_url(forum, "es"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-xliff+xml"
    assert response["Content-Disposition"] == 'attachment; filename="lisbon-es.xlf"'
    assert valid(response.content).find("x:file", NS).get("target-language") == "es"


def test_the_download_of_a_language_the_programme_lacks_is_not_found(organiser_client, forum):
    assert organiser_client.get(export_url(forum, "de")).status_code == 404


def test_an_organiser_uploads_a_filled_file_and_reads_the_report(organiser_client, forum):
    session = Session.objects.get(roundtable__forum=forum)
    data = fill(organiser_client.get(export_url(forum, "fr")).content, {unit_id(session, "title"): "Travail décent"})
    session.title = "Decent work for all"
    session.save()

    response = upload(organiser_client, forum, data)

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:roundtables_forum_change", args=[forum.pk])
    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        "Imported French translations from lisbon-fr.xlf: 1 text updated; 0 unchanged, 11 empty targets left as "
        "they were.",
        "The English text changed since the export, check these translations: Session 1.1: Decent work for all (title)",
    ]
    assert columns(session, "title")["fr"] == "Travail décent"
    version = Version.objects.get_for_object(session).first()
    assert version.revision.user.username == "committee"


def test_an_upload_for_another_language_is_refused_on_the_page_and_nothing_is_written(organiser_client, forum):
    session = Session.objects.get(roundtable__forum=forum)
    data = fill(organiser_client.get(export_url(forum, "es")).content, {unit_id(session, "title"): "Trabajo decente"})

    response = upload(organiser_client, forum, data, language="fr")

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "Nothing was imported.",
        "This file holds Spanish translations, not French: nothing was imported. Choose Spanish, or use the "
        "French file.",
    ]
    assert columns(session, "title")["es"] == ""


def test_an_upload_of_another_forums_file_is_refused_on_the_page(organiser_client, forum):
    other = make_forum(name="Civil Society Days, Quito", slug="quito")
    data = organiser_client.get(export_url(other, "fr")).content

    response = upload(organiser_client, forum, data)

    assert (
        response.context["form"]
        .errors["file"][1]
        .startswith(
            "This file holds the texts of the forum “Civil Society Days, Quito” (quito), not of “Civil Society Days, "
            "Lisbon” (lisbon)"
        )
    )


@pytest.fixture
def coordinator_client(client, coordinator, forum):
    Roundtable.objects.get(forum=forum).coordinators.add(coordinator)
    client.force_login(coordinator)
    return client


def test_a_coordinator_without_change_rights_on_the_forum_can_neither_download_nor_upload(coordinator_client, forum):
    session = Session.objects.get(roundtable__forum=forum)
    data = fill(forum_xliff_export(forum=forum, language="fr"), {unit_id(session, "title"): "Travail décent"})

    assert coordinator_client.get(export_url(forum, "fr")).status_code == 403
    assert coordinator_client.get(import_url(forum)).status_code == 403
    assert upload(coordinator_client, forum, data).status_code == 403
    assert columns(session, "title")["fr"] == ""
    page = coordinator_client.get(reverse("admin:roundtables_forum_change", args=[forum.pk]))
    assert import_url(forum) not in page.content.decode()


# Commands -----------------------------------------------------------------------------------------------------


def test_the_commands_export_and_import_a_forums_translations(forum, tmp_path):
    session = Session.objects.get(roundtable__forum=forum)
    path = tmp_path / "lisbon-fr.xlf"
    out = io.StringIO()

    call_command("export_translations", "lisbon", "fr", str(path), stdout=out)
    path.write_bytes(fill(path.read_bytes(), {unit_id(session, "title"): "Travail décent"}))
    call_command("import_translations", str(path), stdout=out)

    assert out.getvalue().splitlines() == [
        f"Civil Society Days, Lisbon: 12 texts for translation into fr written to {path}.",
        "Civil Society Days, Lisbon (fr): 1 text updated, 0 unchanged, 11 empty targets skipped, "
        "0 with a changed English source, 0 units refused.",
    ]
    assert columns(session, "title")["fr"] == "Travail décent"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["export_translations", "oslo", "fr", "out.xlf"], "No forum with the slug “oslo”."),
        (
            ["export_translations", "lisbon", "de", "out.xlf"],
            "“de” is not a language the programme is translated into: choose fr, es.",
        ),
        (["import_translations", "missing.xlf"], "No such file: missing.xlf"),
    ],
)
def test_the_commands_refuse_unknown_forums_languages_and_files(forum, arguments, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    with pytest.raises(CommandError) as error:
        call_command(*arguments)

    assert str(error.value) == message


def test_the_import_command_lists_every_problem_and_writes_nothing(forum, tmp_path):
    session = Session.objects.get(roundtable__forum=forum)
    path = tmp_path / "lisbon-es.xlf"
    path.write_bytes(fill(forum_xliff_export(forum=forum, language="es"), {unit_id(session, "title"): "T" * 301}))

    with pytest.raises(CommandError) as error:
        call_command("import_translations", str(path), "--language", "es")

    assert str(error.value) == (
        f"Nothing was imported from {path}:\n- Session 1.1: Decent work (title) "
        f"(programme_sessions.session.{session.pk}.title): Ensure this value has at most 300 characters (it has 301)."
    )
    assert columns(session, "title")["es"] == ""
    assert Forum.objects.count() == 1
