"""A forum's texts for translators as an XLIFF 1.2 file, and their translations read back.

XLIFF 1.2 is the exchange format that translation tools (OmegaT, memoQ, Trados, Weblate) read and
write. ``forum_xliff_export`` writes every English text of one forum for one target language, French
or Spanish: the forum's own texts, its roundtables, sessions, issues and sub-points, the themes its
sessions use, its rooms and documents, and the organisations and people of its sessions. Each text
is a ``<trans-unit>``:

- its ``id`` names the record and the field, ``programme_sessions.session.12.title``, and stays the
  same in every export (the record's primary key, not its code or title);
- ``<source>`` is the English text exactly as stored, Markdown marks and line breaks included;
  ``<target>`` is the translation the portal has (``state="translated"``) or is empty
  (``state="needs-translation"``);
- its notes and context group say where the text is read (roundtable, session code, field) and how
  long it may be (also ``maxwidth``, in characters), and one note holds a fingerprint of the English
  text (``source-sha256:…``), by which the import tells which texts changed in English since.

``forum_xliff_import`` reads such a file back, filled in by a translator. A file may come from
anywhere, so it is checked before anything is written: an XML document with a DTD or entity
declarations is refused outright (no entity is ever expanded, no network access), as is anything but
XLIFF 1.2 from this portal, a file of a forum this portal does not have, or of another forum or
language than the one it is uploaded for. Then, for each unit, only the column of the file's target
language is written (``title_fr``), never English or the other language. An empty target leaves the
text as it is; a unit of a record the forum no longer has, or of another forum's record, is refused
and named in the report. Every target is checked against the limits of its column (length, Markdown
depth, unique names), and every problem is reported at once, with nothing written; the texts are
written in one transaction, as one revision of the history.

Longer than 400 lines: the export and the import of one file format, which share its names (unit ids,
the forum's texts, the fingerprint) and are read and changed together.
"""

import dataclasses
import datetime
import hashlib
import re
from collections import Counter, defaultdict
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override
from lxml import etree

from core.text import validate_markdown
from core.translated import (
    CONTENT_LANGUAGES,
    SOURCE_LANGUAGE,
    set_text,
    stored_text,
    translated_fields,
    translation_column,
)
from core.versions import revision
from roundtables.models import Forum, Roundtable, Theme
from sessions.models import Document, Issue, Organisation, Participation, Person, Room, Session

XLIFF_NS = "urn:oasis:names:tc:xliff:document:1.2"
XML_NS = "http://www.w3.org/XML/1998/namespace"
TOOL_ID = "gfmd-portal"
TOOL_NAME = "GFMD Roundtable Portal"
ORIGINAL_PREFIX = "gfmd-portal/forums/"  # + the forum's slug: the file's ``original``
TARGET_LANGUAGES = tuple(code for code in CONTENT_LANGUAGES if code != SOURCE_LANGUAGE)
FINGERPRINT_PREFIX = "source-sha256:"
FORUM_ID_PREFIX = "forum-id:"
# The 300-session synthetic forum's file is about 2 MB; this leaves ample room.
MAX_FILE_BYTES = 20 * 1024 * 1024
# The elements a translation tool may put inside a target around plain text: segment marks and
# paired placeholders hold the text itself. Anything else stands for code the portal never wrote.
TEXT_MARKUP = {"mrk", "g"}
# Characters XML 1.0 cannot hold (control characters, lone surrogates, U+FFFE and U+FFFF).
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _x(tag):
    return f"{{{XLIFF_NS}}}{tag}"


def language_name(code):
    """French or Spanish (translated), for messages."""
    return {"en": _("English"), "fr": _("French"), "es": _("Spanish")}.get(code, code)


def fingerprint(text):
    """The fingerprint of an English text recorded in the file: its SHA-256 in hexadecimal."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclasses.dataclass
class Text:
    """One translated field of one record of the forum, with where delegates read it."""

    record: object
    field: str
    place: str  # "Session 1.2: Title", in English, as the translator and the committee know it
    context: tuple = ()  # (context-type, value) pairs: roundtable, session code…
    within: str = ""  # "Roundtable 1: Title", where the place is

    @property
    def unit_id(self):
        return unit_id(self.record, self.field)

    @property
    def label(self):
        """“Session 1.2: Title (background)”, for reports."""
        return f"{self.place} ({self.field})"


@dataclasses.dataclass
class Section:
    """A group of texts in the file: the forum, a roundtable, a session, the rooms…"""

    key: str
    title: str
    texts: list
    sections: list = dataclasses.field(default_factory=list)

    def all_texts(self):
        yield from self.texts
        for section in self.sections:
            yield from section.all_texts()


def unit_id(record, field):
    """The stable id of a text: ``<app label>.<model>.<primary key>.<field>``."""
    return f"{record._meta.label_lower}.{record.pk}.{field}"


def _texts(record, place, context=(), within=""):
    return [Text(record, field, place, tuple(context), within) for field in translated_fields(record)]


# The forum's records whose texts the file carries, model by model. Themes, organisations and people
# are shared between forums: the file holds those its sessions use.
def _scopes(forum):
    sessions = Session.objects.filter(roundtable__forum=forum)
    people = Person.objects.filter(pk__in=Participation.objects.filter(session__in=sessions).values("person"))
    return {
        Forum: Forum.objects.filter(pk=forum.pk),
        Roundtable: Roundtable.objects.filter(forum=forum),
        Session: sessions,
        Issue: Issue.objects.filter(session__roundtable__forum=forum),
        Theme: Theme.objects.filter(pk__in=sessions.values("themes")),
        Room: Room.objects.filter(forum=forum),
        Document: Document.objects.filter(forum=forum),
        Organisation: Organisation.objects.filter(pk__in=people.values("organisation")),
        Person: people,
    }


SCOPED_MODELS = (Forum, Roundtable, Session, Issue, Theme, Room, Document, Organisation, Person)


def forum_sections(forum, *, lock=False):
    """Every translated text of ``forum``, in the order of its programme, grouped as in the file.

    With ``lock``, the records are locked for update until the transaction ends (PostgreSQL).
    """
    scopes = _scopes(forum)
    if lock:
        scopes = {model: records.select_for_update(of=("self",)) for model, records in scopes.items()}
    forum = scopes[Forum].get()
    with override(SOURCE_LANGUAGE):
        roundtables = list(scopes[Roundtable].order_by("number"))
        sessions = defaultdict(list)
        for session in scopes[Session].select_related("roundtable").order_by("roundtable__number", "number"):
            sessions[session.roundtable_id].append(session)
        issues = defaultdict(list)
        for issue in scopes[Issue].order_by("session_id", "position", "id"):
            issues[issue.session_id].append(issue)

        def english(record, field):
            return stored_text(record, field, SOURCE_LANGUAGE)

        sections = [Section("forum", forum.name, _texts(forum, f"Forum “{english(forum, 'name')}”"))]
        for roundtable in roundtables:
            rt_label = forum.group_label(roundtable.number, english(roundtable, "title"), language=SOURCE_LANGUAGE)
            rt_context = [("x-roundtable", rt_label)]
            section = Section(f"roundtable-{roundtable.number}", rt_label, _texts(roundtable, rt_label, rt_context))
            for session in sessions[roundtable.pk]:
                s_label = forum.session_label(session.code, english(session, "title"), language=SOURCE_LANGUAGE)
                s_context = [*rt_context, ("x-session-code", session.code)]
                texts = _texts(session, s_label, s_context, rt_label)
                texts += _issue_texts(issues[session.pk], s_label, s_context, rt_label)
                section.sections.append(Section(f"session-{session.code}", s_label, texts))
            sections.append(section)
        for model, key, title, name_of in [
            (Room, "rooms", "Rooms", lambda room: f"Room “{english(room, 'name')}”"),
            (Theme, "themes", "Cross-cutting themes", lambda theme: f"Theme “{english(theme, 'name')}”"),
            (Document, "documents", "Documents", lambda document: f"Document “{english(document, 'title')}”"),
            (Organisation, "organisations", "Organisations", lambda org: f"Organisation “{english(org, 'name')}”"),
            (Person, "people", "People", lambda person: f"Person “{person.name}”"),
        ]:
            records = scopes[model].order_by(*model._meta.ordering, "pk")
            texts = [text for record in records for text in _texts(record, name_of(record))]
            if texts:
                sections.append(Section(key, title, texts))
    return sections


def _issue_texts(issues, session_label, context, within):
    """A session's issues and their sub-points, numbered as read: “Main issue 2”, “Sub-point 2.1”."""
    texts, counts, numbers, points = [], Counter(), {}, Counter()
    for issue in issues:
        if issue.parent_id is None:
            counts[issue.kind] += 1
            numbers[issue.pk] = f"{issue.get_kind_display()} {counts[issue.kind]}"
    for issue in issues:
        if issue.parent_id is None:
            name = numbers[issue.pk]
        else:
            points[issue.parent_id] += 1
            name = f"Sub-point {points[issue.parent_id]} of {numbers.get(issue.parent_id, 'an issue')}"
        texts += _texts(issue, f"{session_label}, {name}", [*context, ("x-issue", name)], within)
    return texts


def forum_texts(forum, *, lock=False):
    """Every translated text of ``forum``, by unit id."""
    return {text.unit_id: text for section in forum_sections(forum, lock=lock) for text in section.all_texts()}


def length_limit(field):
    """The most characters a text field holds (its ``MaxLengthValidator``), or None."""
    limits = [validator.limit_value for validator in field.validators if isinstance(validator, MaxLengthValidator)]
    return min(limits, default=None)


def _xml_text(text):
    """``text`` as XML can hold it. The forms accept control characters such as a vertical tab pasted
    from a word processor, which XML 1.0 forbids: each becomes U+FFFD, so the export never fails."""
    return _NOT_XML.sub("\ufffd", text)


def _note(parent, text, **attributes):
    note = etree.SubElement(parent, _x("note"), {"from": TOOL_ID, **attributes})
    note.text = _xml_text(text)
    return note


def _field_note(text, limit):
    model_field = text.record._meta.get_field(text.field)
    with override(SOURCE_LANGUAGE):
        name = str(model_field.verbose_name)
    where = f"{text.place} ({text.within})" if text.within else text.place
    parts = [f"{where}. Field: {name}."]
    if validate_markdown in model_field.validators:
        parts.append("Markdown: keep its marks (*emphasis*, **bold**, lists, [links](…)) and line breaks as they are.")
    if limit:
        parts.append(f"At most {limit:,} characters.")
    return " ".join(parts)


def _write_unit(body, text, language):
    record, field = text.record, text.field
    source = stored_text(record, field, SOURCE_LANGUAGE)
    target = stored_text(record, field, language)
    limit = length_limit(record._meta.get_field(field))
    attributes = {"id": text.unit_id, "resname": text.unit_id, f"{{{XML_NS}}}space": "preserve"}
    if limit:
        attributes.update({"maxwidth": str(limit), "size-unit": "char"})
    unit = etree.SubElement(body, _x("trans-unit"), attributes)
    etree.SubElement(unit, _x("source"), {f"{{{XML_NS}}}lang": SOURCE_LANGUAGE}).text = _xml_text(source)
    element = etree.SubElement(
        unit,
        _x("target"),
        {"state": "translated" if target else "needs-translation", f"{{{XML_NS}}}lang": language},
    )
    element.text = _xml_text(target) if target else None
    group = etree.SubElement(unit, _x("context-group"), {"purpose": "information"})
    context = [
        ("database", record._meta.label_lower),
        ("record", str(record.pk)),
        ("recordtitle", text.place),
        ("element", field),
        *text.context,
    ]
    for context_type, value in context:
        etree.SubElement(group, _x("context"), {"context-type": context_type}).text = _xml_text(value)
    _note(unit, _field_note(text, limit), **{f"{{{XML_NS}}}lang": "en"})
    _note(unit, f"{FINGERPRINT_PREFIX}{fingerprint(source)}", annotates="source")


def _write_section(parent, section, language):
    texts = [text for text in section.texts if stored_text(text.record, text.field, SOURCE_LANGUAGE)]
    children = []
    group = etree.Element(_x("group"), {"id": section.key, "resname": section.key})
    _note(group, _xml_text(section.title), **{f"{{{XML_NS}}}lang": "en"})
    for text in texts:
        _write_unit(group, text, language)
        children.append(text)
    for subsection in section.sections:
        if _write_section(group, subsection, language):
            children.append(subsection)
    if children:
        parent.append(group)
    return bool(children)


def target_language(language):
    """``language`` as one of ``TARGET_LANGUAGES`` ("fr-FR" is "fr"); ValidationError for any other."""
    code = str(language or "").strip().lower().replace("_", "-").split("-")[0]
    if code not in TARGET_LANGUAGES:
        raise ValidationError(
            _("“%(language)s” is not a language the programme is translated into: choose %(languages)s.")
            % {"language": language, "languages": ", ".join(TARGET_LANGUAGES)}
        )
    return code


def export_filename(forum, language):
    return f"{forum.slug}-{language}.xlf"


def forum_xliff_export(*, forum, language):
    """The forum's English texts, with their translations into ``language`` ("fr" or "es") where the
    portal has them, as an XLIFF 1.2 document (UTF-8 bytes)."""
    language = target_language(language)
    exported_at = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    date = exported_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    sections = forum_sections(forum)
    root = etree.Element(_x("xliff"), {"version": "1.2"}, nsmap={None: XLIFF_NS})
    file_element = etree.SubElement(
        root,
        _x("file"),
        {
            "original": f"{ORIGINAL_PREFIX}{forum.slug}",
            "source-language": SOURCE_LANGUAGE,
            "target-language": language,
            "datatype": "plaintext",
            "tool-id": TOOL_ID,
            "date": date,
            "product-name": TOOL_NAME,
        },
    )
    header = etree.SubElement(file_element, _x("header"))
    etree.SubElement(header, _x("tool"), {"tool-id": TOOL_ID, "tool-name": TOOL_NAME})
    _note(header, f"forum: {forum.slug}")
    _note(header, f"{FORUM_ID_PREFIX} {forum.pk}")
    _note(header, f"exported-at: {date}")
    with override(SOURCE_LANGUAGE):
        target_name = {"fr": "French", "es": "Spanish"}[language]
    _note(
        header,
        f"{stored_text(forum, 'name', SOURCE_LANGUAGE)}: the programme's texts in English, to translate into "
        f"{target_name}. Type each translation in its target; leave a target empty to keep the English text "
        f"for now. Markdown marks and line breaks stay as in the English text. The portal reads back only "
        f"the targets of this file, for this forum and this language.",
        **{f"{{{XML_NS}}}lang": "en"},
    )
    body = etree.SubElement(file_element, _x("body"))
    for section in sections:
        _write_section(body, section, language)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# Import


@dataclasses.dataclass
class TranslationImport:
    """What ``forum_xliff_import`` did: texts written, texts already as the file has them, empty
    targets left alone, texts whose English changed since the export (written, to be checked), and
    units refused (each with its reason)."""

    forum: Forum
    language: str
    filename: str
    updated: list = dataclasses.field(default_factory=list)
    unchanged: int = 0
    empty: int = 0
    source_changed: list = dataclasses.field(default_factory=list)
    refused: list = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class _Unit:
    unit_id: str
    line: int
    source: str
    target: str | None
    fingerprint: str | None


def _read(fileobj):
    data = fileobj.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError(
            _("The file is larger than %(count)d MB: it is not a translation file of one forum.")
            % {"count": MAX_FILE_BYTES // 2**20}
        )
    if isinstance(data, str):
        data = data.encode("utf-8")
    return data


_UNSAFE = _(
    "The file declares a DTD or entities (<!DOCTYPE …>, <!ENTITY …>), which a translation file never needs: "
    "it is refused for safety. Export the file again from the portal."
)


def _parse(data):
    """The root element of ``data``, parsed without DTDs, entities or network access."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ValidationError(_UNSAFE)
    parser = etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise ValidationError(
            _("The file is not a well-formed XML document (%(error)s).") % {"error": error.msg}
        ) from error
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise ValidationError(_UNSAFE)  # declared in an encoding the byte search above does not read
    return root


def _file_element(root):
    if root.tag == "{urn:oasis:names:tc:xliff:document:2.0}xliff":
        raise ValidationError(_("This is an XLIFF 2.0 file: save it as XLIFF 1.2, the format the portal exports."))
    if root.tag != _x("xliff") or root.get("version") != "1.2":
        raise ValidationError(
            _("This is not an XLIFF 1.2 file (its root element is <%(tag)s>): upload the file the portal exported.")
            % {"tag": etree.QName(root).localname}
        )
    files = root.findall(_x("file"))
    if len(files) != 1:
        raise ValidationError(
            _("The file holds %(count)d <file> elements; a translation file of the portal holds one, for one forum.")
            % {"count": len(files)}
        )
    return files[0]


def _header_notes(file_element):
    return [(note.text or "").strip() for note in file_element.findall(f"{_x('header')}/{_x('note')}")]


def _file_forum(file_element, forum):
    """The forum the file is for, checked against ``forum`` when given."""
    original = file_element.get("original", "")
    if not original.startswith(ORIGINAL_PREFIX) or not original[len(ORIGINAL_PREFIX) :]:
        raise ValidationError(
            _("This file was not exported by the portal (its original is “%(original)s”).") % {"original": original}
        )
    slug = original[len(ORIGINAL_PREFIX) :]
    found = Forum.objects.filter(slug=slug).first()
    if forum is not None and (found is None or found.pk != forum.pk):
        named = f"“{found.name}” ({slug})" if found else f"“{slug}”"
        raise ValidationError(
            _(
                "This file holds the texts of the forum %(file_forum)s, not of “%(forum)s” (%(slug)s): "
                "nothing was imported. Import it on that forum's page, or export the file of “%(forum)s”."
            )
            % {"file_forum": named, "forum": forum.name, "slug": forum.slug}
        )
    if found is None:
        raise ValidationError(
            _("This file holds the texts of the forum “%(slug)s”, which this portal does not have.") % {"slug": slug}
        )
    for note in _header_notes(file_element):
        if note.startswith(FORUM_ID_PREFIX) and note[len(FORUM_ID_PREFIX) :].strip() != str(found.pk):
            raise ValidationError(
                _(
                    "This file was exported from another copy of the forum “%(forum)s” (another portal or an "
                    "earlier import of its archive), whose records are numbered differently: export the file "
                    "again from this portal."
                )
                % {"forum": found.name}
            )
    return found


def _file_language(file_element, language):
    source = file_element.get("source-language", "")
    if source.lower().split("-")[0] != SOURCE_LANGUAGE:
        raise ValidationError(
            _("The file's texts are translated from “%(language)s”; the portal's texts are in English.")
            % {"language": source}
        )
    given = file_element.get("target-language", "")
    try:
        code = target_language(given)
    except ValidationError:
        raise ValidationError(
            _("The file's target language is “%(language)s”; the programme is translated into French and Spanish.")
            % {"language": given}
        ) from None
    if language is not None and code != target_language(language):
        raise ValidationError(
            _(
                "This file holds %(file_language)s translations, not %(language)s: nothing was imported. "
                "Choose %(file_language)s, or use the %(language)s file."
            )
            % {"file_language": language_name(code), "language": language_name(target_language(language))}
        )
    return code


def _units(file_element, language, problems):
    units = []
    for element in file_element.iter(_x("trans-unit")):
        uid = element.get("id", "")
        source = element.find(_x("source"))
        target = element.find(_x("target"))
        text = None
        if target is not None:
            lang = target.get(f"{{{XML_NS}}}lang")
            if lang and lang.lower().split("-")[0] != language:
                problems.append(
                    _("Unit %(id)s: its target is marked as “%(lang)s”, the file's language is %(language)s.")
                    % {"id": uid, "lang": lang, "language": language_name(language)}
                )
            markup = sorted({etree.QName(child).localname for child in target.iter() if child is not target})
            if set(markup) - TEXT_MARKUP:
                problems.append(
                    _(
                        "Unit %(id)s: its target holds markup the portal never writes (%(tags)s): type the "
                        "translation as plain text, Markdown marks included."
                    )
                    % {"id": uid, "tags": ", ".join(f"<{tag}>" for tag in markup)}
                )
            text = "".join(target.itertext())
        marks = [
            (note.text or "").strip()[len(FINGERPRINT_PREFIX) :]
            for note in element.findall(_x("note"))
            if (note.text or "").strip().startswith(FINGERPRINT_PREFIX)
        ]
        units.append(
            _Unit(
                unit_id=uid,
                line=element.sourceline,
                source="".join(source.itertext()) if source is not None else "",
                target=text,
                fingerprint=marks[0].strip() if marks else None,
            )
        )
    counts = Counter(unit.unit_id for unit in units)
    for uid, count in counts.items():
        if count > 1:
            problems.append(_("Unit %(id)s appears %(count)d times in the file.") % {"id": uid, "count": count})
    return units


def _refusal_reasons(units, texts, forum):
    """Why each unit of the file that is not one of ``texts`` (the forum's) is refused."""
    models = {model._meta.label_lower: model for model in SCOPED_MODELS}
    wanted = defaultdict(set)
    parsed = {}
    for unit in units:
        if unit.unit_id in texts:
            continue
        parts = unit.unit_id.rsplit(".", 2)
        model = models.get(parts[0]) if len(parts) == 3 else None
        if model is None or parts[2] not in translated_fields(model) or not parts[1].isdigit():
            parsed[unit.unit_id] = None
            continue
        parsed[unit.unit_id] = (model, int(parts[1]))
        wanted[model].add(int(parts[1]))
    existing = {
        model: set(model.objects.filter(pk__in=pks).values_list("pk", flat=True)) for model, pks in wanted.items()
    }
    reasons = {}
    for uid, key in parsed.items():
        if key is None:
            reasons[uid] = _("not a text of the portal")
        elif key[1] in existing[key[0]]:
            reasons[uid] = _("a text of another forum, not of “%(forum)s”") % {"forum": forum.name}
        else:
            reasons[uid] = _("its record no longer exists (deleted since the export)")
    return reasons


def _validate(record, columns):
    """The problems of the new texts of ``record`` in ``columns``: their fields' validators, then the
    unique names and database checks on them (other fields are not checked: they are not changed)."""
    problems = []
    for column in columns:
        value = getattr(record, column)
        if value is None:
            continue
        try:
            record._meta.get_field(column).run_validators(value)
        except ValidationError as error:
            problems.append((column, error.messages))
    if problems:
        return problems
    unchanged = [
        field.name
        for field in record._meta.concrete_fields
        if field.name not in columns and not (field.is_relation and field.many_to_one)
    ]
    try:
        record.validate_unique(exclude=unchanged)
        record.validate_constraints(exclude=unchanged)
    except ValidationError as error:
        for column, messages in error.message_dict.items():
            problems.append((column, messages))
    return problems


def forum_xliff_import(*, fileobj, forum=None, language=None, user=None, filename=None):
    """Write the translations of an XLIFF 1.2 file made by ``forum_xliff_export``.

    ``forum`` and ``language``, when given, are what the file must be for. Returns a TranslationImport;
    raises ValidationError with every problem found, having written nothing.
    """
    name = filename or PurePath(str(getattr(fileobj, "name", "") or "")).name or _("the file")
    root = _parse(_read(fileobj))
    file_element = _file_element(root)
    forum = _file_forum(file_element, forum)
    language = _file_language(file_element, language)
    problems = []
    units = _units(file_element, language, problems)
    if problems:
        raise ValidationError(problems)
    report = TranslationImport(forum=forum, language=language, filename=name)
    with transaction.atomic():
        texts = forum_texts(forum, lock=True)
        reasons = _refusal_reasons(units, texts, forum)
        changed = defaultdict(list)  # record -> columns
        labels = {}
        for unit in units:
            if unit.unit_id in reasons:
                report.refused.append(f"{unit.unit_id}: {reasons[unit.unit_id]}")
                continue
            text = texts[unit.unit_id]
            if unit.target is None or not unit.target.strip():
                report.empty += 1
                continue
            english = stored_text(text.record, text.field, SOURCE_LANGUAGE)
            was = unit.fingerprint if unit.fingerprint else fingerprint(unit.source)
            if was != fingerprint(english):
                report.source_changed.append(text.label)
            if unit.target == stored_text(text.record, text.field, language):
                report.unchanged += 1
                continue
            set_text(text.record, text.field, language, unit.target)
            changed[text.record].append(translation_column(text.field, language))
            labels[(text.record, translation_column(text.field, language))] = text
            report.updated.append(text.label)
        for record, columns in changed.items():
            for column, messages in _validate(record, columns):
                text = labels.get((record, column))
                where = f"{text.label} ({text.unit_id})" if text else f"{record._meta.label_lower}.{record.pk}"
                problems += [f"{where}: {message}" for message in messages]
        if problems:
            raise ValidationError(problems)
        if changed:
            comment = ngettext(
                "Imported %(language)s translations from %(file)s: %(count)d text.",
                "Imported %(language)s translations from %(file)s: %(count)d texts.",
                len(report.updated),
            ) % {
                "language": language_name(language),
                "file": name,
                "count": len(report.updated),
            }
            try:
                with revision(user=user, comment=comment), transaction.atomic():
                    for record, columns in changed.items():
                        stamps = [field.name for field in record._meta.concrete_fields if getattr(field, "auto_now", 0)]
                        record.save(update_fields=[*columns, *stamps])
            except DatabaseError as error:
                raise ValidationError(
                    _("The database refused the translations, so nothing was imported: %(error)s") % {"error": error}
                ) from error
    return report
