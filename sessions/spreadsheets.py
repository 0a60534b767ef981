"""The programme as a spreadsheet (CSV and XLSX), and the committee's import of the same columns.

One row per session, with the columns of ``COLUMNS``. The public export (from the forum page) holds the
published sessions of a published forum; the committee's (from the admin) holds the drafts too. Neither
holds private contact data: people appear by name only.

Files are written and read with openpyxl (XLSX) and the standard ``csv`` module rather than through
django-import-export: the import works on one forum, reads times in that forum's time zone, matches rooms,
people and themes by name, lets a roundtable coordinator change only their own roundtables' sessions,
and shows a row-by-row preview that is then applied all or nothing. import-export's resources and admin
flow are built around one model's rows, looked up one query per row, with its own confirm step that keeps
the upload in temporary storage; fitting these rules into it would take more code than the rules.

The import, in three steps:

1. ``spreadsheet_read`` turns the uploaded file into rows of plain cell values (JSON-safe, so that the
   preview can carry them, signed, to the confirmation);
2. ``import_plan`` compares each row with the forum's session of the same code and tells what would change,
   or why the row is refused, without writing anything (a constant number of queries);
3. ``import_apply`` plans again with the sessions locked and, only if that plan is the one previewed and
   refuses no row, writes every change in one transaction, recorded as one revision of the history.

Only the sessions' title, time, room, chair, rapporteur, themes and status are changed. The roundtable and
zone columns are checked (a session changes roundtable in the admin; times are always read in the forum's
zone); documents and % translated are exported for reading and ignored on import.
"""

import csv
import dataclasses
import datetime
import hashlib
import io
import json
import re
import zipfile

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, Prefetch, Q, Value
from django.http import HttpResponse
from django.utils import formats, timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from core.versions import revision
from roundtables.models import Status, Theme
from roundtables.selectors import roundtable_ids_editable_by

from .models import Document, DocumentFile, Participation, Person, Session

COLUMNS = [
    "code",
    "roundtable",
    "title",
    "day",
    "start",
    "end",
    "zone",
    "room",
    "chair",
    "rapporteur",
    "themes",
    "documents",
    "status",
    "% translated",
]
IGNORED_COLUMNS = ("documents", "% translated")  # exported for reading; an import leaves them alone
PEOPLE_COLUMNS = {"chair": Participation.Role.CHAIR, "rapporteur": Participation.Role.RAPPORTEUR}
LIST_SEPARATOR = "; "  # between names in one cell; ";" and line breaks are read back
XLSX, CSV = "xlsx", "csv"
CONTENT_TYPES = {
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    CSV: "text/csv; charset=utf-8",
}
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
PAYLOAD_SALT = "gfmd.sessions.spreadsheet-import"
PAYLOAD_MAX_AGE = 60 * 60  # seconds between the preview and its confirmation
CODE_PATTERN = re.compile(r"^(\d+)\.(\d+)$")
TIME_PATTERN = re.compile(r"^(\d{1,2})[:.h](\d{2})(?::(\d{2}))?$")
# A CSV cell starting with one of these is a formula to a spreadsheet program: it is written with a leading
# apostrophe (which the import removes) so that opening an export never runs text typed into the programme.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# Export ------------------------------------------------------------------------------------------


def translated_share(*, text_count, document_languages, language):
    """The share (0–100) of a session's content that a reader of ``language`` finds in that language.

    Its content is ``text_count`` texts (title, background, issues and sub-points) and one document per item
    of ``document_languages``, each item the set of languages the document has a file in. The portal keeps
    each text once, in the programme's language (``settings.LANGUAGE_CODE``): content is not translated yet,
    so every text counts in that language only, and a document in the languages of its files. A
    content-translation feature extends this by counting each text in every
    language it has been translated into. Rounded down, so that 100 means everything.
    """
    language = (language or settings.LANGUAGE_CODE).split("-")[0].lower()
    source = settings.LANGUAGE_CODE.split("-")[0].lower()
    total = text_count + len(document_languages)
    if total == 0:
        return 100
    available = (text_count if language == source else 0) + sum(1 for item in document_languages if language in item)
    return available * 100 // total


def sessions_for_spreadsheet(*, forum, user=None):
    """The forum's sessions the ``user`` may see (None: the public)."""
    return Session.objects.visible_to(user).filter(roundtable__forum=forum)


def _names(items):
    return LIST_SEPARATOR.join(items)


def _grouped(rows):
    """{session id: [the rest of each row]} from (session id, ...) rows, in their order."""
    grouped = {}
    for session_id, *rest in rows:
        grouped.setdefault(session_id, []).append(rest)
    return grouped


def _session_documents(chosen, user):
    """{session id: [(title, {languages of its files})]}: the documents of each session, then those of its
    roundtable it does not have itself, as its page lists them. Two queries, of plain values."""
    visible = Document.objects.visible_to(user).select_related("forum").values("pk")
    own = (
        Document.sessions.through.objects.filter(session__in=chosen, document__in=visible)
        .order_by()
        .values_list("session_id", "document_id", "document__title", "document__position", Value(0))
    )
    shared = (
        Session.objects.filter(pk__in=chosen, roundtable__documents__in=visible)
        .order_by()
        .values_list(
            "pk", "roundtable__documents", "roundtable__documents__title", "roundtable__documents__position", Value(1)
        )
    )
    rows = sorted(own.union(shared, all=True), key=lambda row: (row[0], row[4], row[3], row[2], row[1]))
    languages = {}
    files = DocumentFile.objects.filter(document__in={row[1] for row in rows}).values_list("document_id", "language")
    for document_id, language in files:
        languages.setdefault(document_id, set()).add(language)
    grouped = {}
    for session_id, document_id, title, _position, _shared in rows:
        listed = grouped.setdefault(session_id, {})
        listed.setdefault(document_id, title)
    return {
        session_id: [(title, languages.get(document_id, set())) for document_id, title in listed.items()]
        for session_id, listed in grouped.items()
    }


def spreadsheet_rows(*, forum, user=None, language=None):
    """One dict per session, keyed by ``COLUMNS``: dates, times and numbers as Python values, the rest text.

    Six queries whatever the size of the forum, each reading plain values (no long texts, no model
    objects): the sessions, then the people in the chair and rapporteur roles, the themes, the documents
    of those sessions and of their roundtables, and the languages of those documents' files, matched by
    subqueries.
    """
    zone = forum.zone
    language = language or translation.get_language()
    visible = sessions_for_spreadsheet(forum=forum, user=user)
    chosen = visible.values("pk")
    people = _grouped(
        Participation.objects.filter(session__in=chosen, role__in=PEOPLE_COLUMNS.values())
        .order_by("session_id", "position", "id")
        .values_list("session_id", "role", "person__name")
    )
    themes = _grouped(
        Session.themes.through.objects.filter(session__in=chosen)
        .order_by("session_id", "theme__name")
        .values_list("session_id", "theme__name")
    )
    documents = _session_documents(chosen, user)
    sessions = (
        visible.annotate(
            issue_total=Count("issues"),
            has_background=ExpressionWrapper(~Q(background=""), output_field=BooleanField()),
        )
        .order_by("roundtable__number", "number")
        .values_list(
            "pk",
            "roundtable__number",
            "number",
            "roundtable__title",
            "title",
            "starts_at",
            "ends_at",
            "room__name",
            "status",
            "issue_total",
            "has_background",
        )
    )
    rows = []
    for pk, rt_number, number, rt_title, title, starts_at, ends_at, room, status, issues, background in sessions:
        start = starts_at.astimezone(zone) if starts_at else None
        end = ends_at.astimezone(zone) if ends_at else None
        roles = people.get(pk, [])
        session_documents = documents.get(pk, [])
        rows.append(
            {
                "code": f"{rt_number}.{number}",
                "roundtable": rt_title,
                "title": title,
                "day": start.date() if start else None,
                "start": start.time().replace(tzinfo=None) if start else None,
                "end": end.time().replace(tzinfo=None) if end else None,
                "zone": forum.time_zone,
                "room": room or "",
                "chair": _names(name for role, name in roles if role == Participation.Role.CHAIR),
                "rapporteur": _names(name for role, name in roles if role == Participation.Role.RAPPORTEUR),
                "themes": _names(name for (name,) in themes.get(pk, [])),
                "documents": _names(document_title for document_title, _languages in session_documents),
                "status": status,
                "% translated": translated_share(
                    text_count=1 + bool(background) + issues,
                    document_languages=[languages for _title, languages in session_documents],
                    language=language,
                ),
            }
        )
    return rows


def _csv_text(value):
    if value is None:
        return ""
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def spreadsheet_csv(rows):
    """The rows as CSV: UTF-8 with a byte order mark (so that spreadsheet programs read the accents right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_csv_text(row[column]) for column in COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")


COLUMN_WIDTHS = {"code": 8, "roundtable": 30, "title": 50, "day": 12, "start": 7, "end": 7, "zone": 16, "room": 18}
NUMBER_FORMATS = {"day": "yyyy-mm-dd", "start": "hh:mm", "end": "hh:mm"}


def spreadsheet_xlsx(rows, *, title):
    """The rows as an XLSX workbook of one sheet: a bold, frozen header; days and times as real dates and
    times; every text stored as text (never read as a formula or a number, so code 1.10 stays 1.10)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=re.sub(r"[\\/*?:\[\]]", "-", title)[:31] or "programme")
    sheet.freeze_panes = "A2"
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = COLUMN_WIDTHS.get(column, 24)
    bold = Font(bold=True)
    header = []
    for column in COLUMNS:
        cell = WriteOnlyCell(sheet, value=column)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        cells = []
        for column in COLUMNS:
            value = row[column]
            if isinstance(value, str):
                # Control characters cannot be stored in an XLSX file: they are left out.
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            if isinstance(value, str) and value.startswith("="):
                value = WriteOnlyCell(sheet, value=value)
                value.data_type = "s"  # text, not a formula
            elif column in NUMBER_FORMATS and value is not None:
                value = WriteOnlyCell(sheet, value=value)
                value.number_format = NUMBER_FORMATS[column]
            cells.append(value)  # other texts stay texts ("1.10" too), numbers numbers
        sheet.append(cells)
    workbook.properties.title = title
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def spreadsheet_response(*, forum, fmt, user=None, filename_suffix=""):
    """The forum's programme as a downloadable spreadsheet (``fmt``: "xlsx" or "csv")."""
    rows = spreadsheet_rows(forum=forum, user=user)
    body = spreadsheet_xlsx(rows, title=forum.slug) if fmt == XLSX else spreadsheet_csv(rows)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    filename = f"{forum.slug}-programme{filename_suffix}.{fmt}"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# Reading a file ----------------------------------------------------------------------------------


class SpreadsheetError(ValueError):
    """The file as a whole cannot be read (its message says why, for the committee)."""


def _cell(value):
    """A cell's value as JSON-safe data: None, text, a number, or {"date"|"time"|"datetime": ISO text}."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime.datetime):
        return {"datetime": value.replace(tzinfo=None).isoformat()}
    if isinstance(value, datetime.date):
        return {"date": value.isoformat()}
    if isinstance(value, datetime.time):
        return {"time": value.replace(tzinfo=None).isoformat()}
    if isinstance(value, datetime.timedelta):  # a duration cell read as such: seconds since midnight
        seconds = int(value.total_seconds())
        return {"time": f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"}
    text = str(value).strip()
    return text or None


def _header(values):
    return [" ".join(str(value or "").split()).lower() for value in values]


def _table(raw_rows):
    """[(row number, {column: cell})] from the rows of a sheet, the first non-empty one being the header."""
    rows = iter(raw_rows)
    header = None
    number = 0
    for values in rows:
        number += 1
        if any(value not in (None, "") for value in values):
            header = _header(values)
            break
    if header is None:
        raise SpreadsheetError(_("The file is empty."))
    named = [name for name in header if name]
    unknown = [name for name in named if name not in COLUMNS]
    if unknown:
        raise SpreadsheetError(
            _("Unknown column “%(name)s”. The columns are: %(columns)s.")
            % {"name": unknown[0], "columns": ", ".join(COLUMNS)}
        )
    repeated = sorted({name for name in named if named.count(name) > 1})
    if repeated:
        raise SpreadsheetError(_("The column “%(name)s” appears twice.") % {"name": repeated[0]})
    if "code" not in named:
        raise SpreadsheetError(_("The file has no “code” column: it tells which session each row changes."))
    table = []
    for values in rows:
        number += 1
        values = list(values) + [None] * (len(header) - len(values))
        cells = {name: _cell(value) for name, value in zip(header, values, strict=False) if name}
        if all(value is None for value in cells.values()):
            continue
        if len(table) >= MAX_ROWS:
            raise SpreadsheetError(_("The file has more than %(count)d rows.") % {"count": MAX_ROWS})
        table.append((number, cells))
    return table


def _read_xlsx(content):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise SpreadsheetError(_("The file could not be read as an XLSX workbook.")) from error
    try:
        sheet = workbook.worksheets[0]
        return _table(sheet.iter_rows(values_only=True))
    except (KeyError, ValueError, TypeError, AttributeError, IndexError) as error:
        raise SpreadsheetError(_("The file could not be read as an XLSX workbook.")) from error
    finally:
        workbook.close()


def _decode(content):
    """CSV text: UTF-8 (with or without a byte order mark), else Windows-1252, as older spreadsheet programs save."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return content.decode("cp1252")
        except UnicodeDecodeError as error:
            raise SpreadsheetError(_("The CSV file is neither UTF-8 nor Windows-1252 text.")) from error


def _csv_cell(text):
    text = text.strip()
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_STARTS):
        text = text[1:]
    return text


def _read_csv(content):
    text = _decode(content)
    if "\x00" in text:
        raise SpreadsheetError(_("The file is not a CSV text file."))
    first_line = text.split("\n", 1)[0]
    # Spreadsheet programs set to French or Spanish save CSV with semicolons.
    delimiter = max([",", ";", "\t"], key=first_line.count)
    try:
        rows = [[_csv_cell(value) for value in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error as error:
        raise SpreadsheetError(_("The CSV file could not be read: %(error)s") % {"error": error}) from error
    return _table(rows)


def spreadsheet_read(*, name, content):
    """The rows of an uploaded .xlsx or .csv file: [(row number, {column: cell})]. Raises SpreadsheetError."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise SpreadsheetError(_("The file is larger than %(count)d MB.") % {"count": MAX_UPLOAD_BYTES // 2**20})
    lowered = (name or "").lower()
    if lowered.endswith(".xlsx") or content.startswith(b"PK\x03\x04"):
        return _read_xlsx(content)
    if lowered.endswith((".csv", ".txt")) or not lowered:
        return _read_csv(content)
    raise SpreadsheetError(_("Upload an .xlsx or a .csv file."))


# Planning an import ------------------------------------------------------------------------------


@dataclasses.dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclasses.dataclass
class RowResult:
    """What one row of the file does: changes a session, leaves it as it is, or is refused (``reasons``)."""

    number: int  # the row's number in the file, as a spreadsheet program shows it
    code: str
    session: Session | None = None
    changes: list = dataclasses.field(default_factory=list)
    reasons: list = dataclasses.field(default_factory=list)
    updates: dict = dataclasses.field(default_factory=dict)  # field name -> new value
    themes: list | None = None  # the new themes, when they change
    people: dict = dataclasses.field(default_factory=dict)  # role -> (people to add, participations to remove)

    @property
    def outcome(self):
        if self.reasons:
            return "refused"
        return "changed" if self.changes else "unchanged"

    @property
    def reason(self):
        return " ".join(self.reasons)


@dataclasses.dataclass
class ImportPlan:
    forum: object
    rows: list

    @property
    def refused(self):
        return [row for row in self.rows if row.outcome == "refused"]

    @property
    def changed(self):
        return [row for row in self.rows if row.outcome == "changed"]

    @property
    def unchanged(self):
        return [row for row in self.rows if row.outcome == "unchanged"]

    @property
    def can_apply(self):
        return bool(self.changed) and not self.refused

    @property
    def digest(self):
        """A fingerprint of what the plan would write, and of the values it would write over."""
        summary = [
            [row.number, row.code, row.outcome, [[c.label, c.old, c.new] for c in row.changes], row.reasons]
            for row in self.rows
        ]
        return hashlib.sha256(json.dumps(summary, sort_keys=True).encode()).hexdigest()


def _text(cell):
    """A cell as text (numbers as written, dates in ISO form)."""
    if cell is None:
        return ""
    if isinstance(cell, dict):
        return next(iter(cell.values()))
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _split(cell):
    return [part.strip() for part in re.split(r"[;\n]", _text(cell)) if part.strip()]


def _parse_code(cell):
    if isinstance(cell, int | float):
        raise ValueError(
            _(
                "The code %(code)s was read as a number, which cannot tell 1.1 from 1.10: "
                "format the code column as text."
            )
            % {"code": _text(cell)}
        )
    match = CODE_PATTERN.match(_text(cell))
    if not match:
        raise ValueError(_("“%(code)s” is not a session code such as 1.2.") % {"code": _text(cell)})
    return int(match[1]), int(match[2])


def _parse_day(cell):
    if isinstance(cell, dict) and ("date" in cell or "datetime" in cell):
        return datetime.date.fromisoformat(cell.get("date") or cell["datetime"][:10])
    try:
        return datetime.date.fromisoformat(_text(cell))
    except ValueError:
        raise ValueError(
            _("The day “%(value)s” is not a date: write it as YYYY-MM-DD, e.g. 2009-11-02.") % {"value": _text(cell)}
        ) from None


def _parse_time(cell, column):
    if isinstance(cell, dict) and "time" in cell:
        return datetime.time.fromisoformat(cell["time"])
    if isinstance(cell, dict) and "datetime" in cell:
        return datetime.datetime.fromisoformat(cell["datetime"]).time()
    match = TIME_PATTERN.match(_text(cell))
    if match:
        hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
        if hour < 24 and minute < 60 and second < 60:
            return datetime.time(hour, minute, second)
    raise ValueError(
        _("The %(column)s time “%(value)s” is not a time: write it as HH:MM, e.g. 09:30.")
        % {"column": column, "value": _text(cell)}
    )


def _local_datetime(day, time, zone):
    """``time`` on ``day`` in ``zone``; a wall-clock time skipped by a change to summer time is refused."""
    value = datetime.datetime.combine(day, time, tzinfo=zone)
    if value.astimezone(datetime.UTC).astimezone(zone).replace(tzinfo=None) != value.replace(tzinfo=None):
        raise ValueError(
            _("%(day)s %(time)s does not exist in %(zone)s (the clocks skip it).")
            % {"day": day.isoformat(), "time": time.strftime("%H:%M"), "zone": zone.key}
        )
    return value


def when_text(starts_at, ends_at, zone):
    """“Mon 2 Nov 2009, 09:30–11:00” in ``zone``, or a dash for a session not scheduled yet."""
    if starts_at is None:
        return "—"
    start = timezone.localtime(starts_at, zone)
    end = timezone.localtime(ends_at, zone)
    # Translators: a date format of Django's “date” filter (D weekday abbreviated, j day, N month abbreviated,
    # Y year, H:i time; a backslash escapes a literal letter).
    return f"{formats.date_format(start, _('D j M Y, H:i'))}–{formats.time_format(end, 'H:i')}"


class _Context:
    """What the rows are checked against, fetched once for the whole file."""

    def __init__(self, *, forum, rows, user, lock):
        sessions = Session.objects.filter(roundtable__forum=forum).select_related("roundtable__forum", "room")
        if lock:
            sessions = sessions.select_for_update(of=("self",))
        sessions = sessions.prefetch_related(
            "themes",
            Prefetch(
                "participations",
                queryset=Participation.objects.select_related("person").order_by("position", "id"),
                to_attr="all_roles",
            ),
        )
        self.forum = forum
        self.sessions = {(s.roundtable.number, s.number): s for s in sessions}
        self.rooms = list(forum.rooms.all())
        people_names = {
            name for _number, cells in rows for column in PEOPLE_COLUMNS for name in _split(cells.get(column))
        }
        self.people = {}
        for person in Person.objects.filter(name__in=people_names).order_by("pk"):
            self.people.setdefault(person.name, []).append(person)
        self.themes = {theme.name.casefold(): theme for theme in Theme.objects.all()}  # a few dozen at most
        self.scope = roundtable_ids_editable_by(user)
        self.may_change_people = user.has_perms(
            ["programme_sessions.add_participation", "programme_sessions.delete_participation"]
        )

    def room(self, name):
        exact = [room for room in self.rooms if room.name == name]
        if exact:
            return exact[0]
        folded = [room for room in self.rooms if room.name.casefold() == name.casefold()]
        if len(folded) == 1:
            return folded[0]
        raise ValueError(
            _("The forum has no room “%(name)s” (its rooms: %(rooms)s).")
            % {"name": name, "rooms": ", ".join(room.name for room in self.rooms) or "—"}
        )

    def person(self, name, holders):
        people = self.people.get(name, [])
        if len(people) == 1:
            return people[0]
        if not people:
            raise ValueError(
                _("Nobody called “%(name)s” is in the programme: add the person in the admin first.") % {"name": name}
            )
        current = [person for person in people if person.pk in holders]
        if len(current) == 1:
            return current[0]
        raise ValueError(
            _("Several people are called “%(name)s”: set this role in the admin, where they can be told apart.")
            % {"name": name}
        )


def _status(cell):
    text = _text(cell).casefold()
    for value, label in Status.choices:
        if text in {value, str(label).casefold()}:
            return value
    raise ValueError(
        _("The status “%(value)s” is neither “%(published)s” nor “%(draft)s”.")
        % {"value": _text(cell), "published": Status.PUBLISHED, "draft": Status.DRAFT}
    )


def _plan_row(context, number, cells, seen):
    forum, zone = context.forum, context.forum.zone
    row = RowResult(number=number, code=_text(cells.get("code")))
    try:
        key = _parse_code(cells.get("code"))
    except ValueError as error:
        row.reasons.append(str(error) if row.code else _("The row has no session code."))
        return row
    row.code = f"{key[0]}.{key[1]}"
    if key in seen:
        row.reasons.append(_("Session %(code)s is already in row %(row)d.") % {"code": row.code, "row": seen[key]})
        return row
    seen[key] = number
    session = context.sessions.get(key)
    if session is None:
        row.reasons.append(
            _("This forum has no session %(code)s: the import changes existing sessions; add new ones in the admin.")
            % {"code": row.code}
        )
        return row
    row.session = session

    roundtable = _text(cells.get("roundtable"))
    if roundtable and roundtable not in {session.roundtable.title, str(session.roundtable.number)}:
        row.reasons.append(
            _("The roundtable column says “%(value)s”, but session %(code)s belongs to “%(roundtable)s”.")
            % {"value": roundtable, "code": row.code, "roundtable": session.roundtable.title}
        )
    zone_name = _text(cells.get("zone"))
    if zone_name and zone_name != forum.time_zone:
        row.reasons.append(
            _("Times are read in the forum's time zone, %(zone)s, not in %(other)s.")
            % {"zone": forum.time_zone, "other": zone_name}
        )

    if "title" in cells:
        title = " ".join(_text(cells["title"]).split())
        max_length = Session._meta.get_field("title").max_length
        if not title:
            row.reasons.append(_("A session needs a title."))
        elif len(title) > max_length:
            row.reasons.append(_("The title is longer than %(count)d characters.") % {"count": max_length})
        elif title != session.title:
            row.updates["title"] = title
            row.changes.append(FieldChange(_("Title"), session.title, title))

    time_columns = [column for column in ("day", "start", "end") if column in cells]
    if time_columns:
        try:
            starts_at, ends_at = _plan_times(cells, time_columns, zone)
        except ValueError as error:
            row.reasons.append(str(error))
        else:
            if (starts_at, ends_at) != (session.starts_at, session.ends_at):
                row.updates.update(starts_at=starts_at, ends_at=ends_at)
                row.changes.append(
                    FieldChange(
                        _("When"),
                        when_text(session.starts_at, session.ends_at, zone),
                        when_text(starts_at, ends_at, zone),
                    )
                )

    if "room" in cells:
        name = _text(cells["room"])
        try:
            room = context.room(name) if name else None
        except ValueError as error:
            row.reasons.append(str(error))
        else:
            if (room.pk if room else None) != session.room_id:
                row.updates["room"] = room
                row.changes.append(
                    FieldChange(_("Room"), session.room.name if session.room else "—", room.name if room else "—")
                )

    for column, role in PEOPLE_COLUMNS.items():
        if column in cells:
            _plan_people(context, row, session, column, role, _split(cells[column]))

    if "themes" in cells:
        themes, missing = [], []
        for name in _split(cells["themes"]):
            theme = context.themes.get(name.casefold())
            if theme is None:
                missing.append(name)
            else:
                themes.append(theme)
        if missing:
            row.reasons.append(_("No cross-cutting theme is called “%(name)s”.") % {"name": missing[0]})
        else:
            current = list(session.themes.all())
            if {theme.pk for theme in themes} != {theme.pk for theme in current}:
                row.themes = themes
                row.changes.append(
                    FieldChange(
                        _("Cross-cutting themes"),
                        _names(sorted(theme.name for theme in current)) or "—",
                        _names(sorted(theme.name for theme in themes)) or "—",
                    )
                )

    if "status" in cells:
        try:
            status = _status(cells["status"])
        except ValueError as error:
            row.reasons.append(str(error))
        else:
            if status != session.status:
                row.updates["status"] = status
                row.changes.append(
                    FieldChange(_("Status"), str(Status(session.status).label), str(Status(status).label))
                )

    if row.changes and not row.reasons:
        _check_scope_and_rules(context, row, session)
    return row


def _plan_times(cells, columns, zone):
    values = {column: cells.get(column) for column in ("day", "start", "end")}
    if len(columns) < 3:
        raise ValueError(_("Give the day, start and end columns together."))
    given = [column for column in ("day", "start", "end") if values[column] is not None]
    if not given:
        return None, None
    if len(given) < 3:
        raise ValueError(
            _("Give the day, the start and the end, or leave all three empty for a session not scheduled yet.")
        )
    day = _parse_day(values["day"])
    starts_at = _local_datetime(day, _parse_time(values["start"], "start"), zone)
    ends_at = _local_datetime(day, _parse_time(values["end"], "end"), zone)
    if ends_at <= starts_at:
        raise ValueError(_("The session must end after it starts."))
    return starts_at, ends_at


def _plan_people(context, row, session, column, role, names):
    holders = [participation for participation in session.all_roles if participation.role == role]
    try:
        wanted = [context.person(name, {p.person_id for p in holders}) for name in names]
    except ValueError as error:
        row.reasons.append(str(error))
        return
    wanted_ids = {person.pk for person in wanted}
    current_ids = {participation.person_id for participation in holders}
    if wanted_ids == current_ids:
        return
    added = [person for person in dict.fromkeys(wanted) if person.pk not in current_ids]
    removed = [participation for participation in holders if participation.person_id not in wanted_ids]
    row.people[role] = (added, removed)
    label = str(Participation.Role(role).label)
    row.changes.append(
        FieldChange(
            label, _names(p.person.name for p in holders) or "—", _names(p.name for p in dict.fromkeys(wanted)) or "—"
        )
    )


def _check_scope_and_rules(context, row, session):
    if context.scope is not None and session.roundtable_id not in context.scope:
        row.reasons.append(
            _("Session %(code)s belongs to roundtable %(number)d, which you do not coordinate.")
            % {"code": row.code, "number": session.roundtable.number}
        )
        return
    if row.people and not context.may_change_people:
        row.reasons.append(_("You may not change who holds a role in a session."))
        return
    changed = Session(**{field.attname: getattr(session, field.attname) for field in Session._meta.concrete_fields})
    changed.roundtable = session.roundtable
    changed.room = session.room
    for name, value in row.updates.items():
        setattr(changed, name, value)
    try:
        # The room is one of the forum's, fetched above: checking that it exists would cost a query per row.
        changed.clean_fields(
            exclude=[f.name for f in Session._meta.fields if f.name not in row.updates or f.name == "room"]
        )
        changed.clean()
    except ValidationError as error:
        row.reasons.extend(message for messages in error.message_dict.values() for message in messages)


@dataclasses.dataclass(frozen=True)
class _Slot:
    pk: int
    code: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    room_id: int | None
    people: frozenset


def _timetable(sessions, changed):
    """The scheduled sessions as they are, or as ``changed`` ({session id: row}) would make them."""
    slots = []
    for session in sessions:
        row = changed.get(session.pk)
        updates = row.updates if row else {}
        starts_at = updates.get("starts_at", session.starts_at)
        ends_at = updates.get("ends_at", session.ends_at)
        if starts_at is None or ends_at is None:
            continue
        room = updates["room"].pk if updates.get("room") else (None if "room" in updates else session.room_id)
        people = {participation.person_id for participation in session.all_roles}
        for added, removed in row.people.values() if row else ():
            people -= {participation.person_id for participation in removed}
            people |= {person.pk for person in added}
        slots.append(_Slot(session.pk, session.code, starts_at, ends_at, room, frozenset(people)))
    return slots


def _clashes(slots):
    """{(kind, first id, second id, room or person id)} for two overlapping sessions sharing a room or a person."""
    found = set()
    slots = sorted(slots, key=lambda slot: (slot.starts_at, slot.ends_at, slot.pk))
    for index, first in enumerate(slots):
        for second in slots[index + 1 :]:
            if second.starts_at >= first.ends_at:
                break
            pair = tuple(sorted([first.pk, second.pk]))
            if first.room_id and first.room_id == second.room_id:
                found.add(("room", *pair, first.room_id))
            found.update(("person", *pair, person) for person in first.people & second.people)
    return found


def _refuse_clashes(context, rows):
    """Refuse the rows that would book a room or a person twice at once, as the session admin does.

    Only clashes the import would create count (two sessions that already overlap are the dashboard's
    business), within the forum.
    """
    changed = {row.session.pk: row for row in rows if row.outcome == "changed"}
    if not changed:
        return
    sessions = list(context.sessions.values())
    new = _clashes(_timetable(sessions, changed)) - _clashes(_timetable(sessions, {}))
    codes = {session.pk: session.code for session in sessions}
    names = {p.person_id: p.person.name for session in sessions for p in session.all_roles}
    names.update(
        {person.pk: person.name for row in changed.values() for added, _ in row.people.values() for person in added}
    )
    rooms = {room.pk: room.name for room in context.rooms}
    for kind, first, second, subject in sorted(new, key=lambda item: (item[1], item[2], item[0], item[3])):
        values = {"first": codes[first], "second": codes[second]}
        if kind == "room":
            message = _("The room “%(room)s” would be booked twice: sessions %(first)s and %(second)s overlap.")
            values["room"] = rooms.get(subject, "—")
        else:
            message = _("%(person)s would be in sessions %(first)s and %(second)s at overlapping times.")
            values["person"] = names.get(subject, "—")
        for pk in (first, second):
            if pk in changed and message % values not in changed[pk].reasons:
                changed[pk].reasons.append(message % values)


def import_plan(*, forum, rows, user, lock=False):
    """What importing ``rows`` (from ``spreadsheet_read``) into ``forum`` would do, row by row. Writes nothing."""
    context = _Context(forum=forum, rows=rows, user=user, lock=lock)
    seen = {}
    planned = [_plan_row(context, number, cells, seen) for number, cells in rows]
    _refuse_clashes(context, planned)
    return ImportPlan(forum=forum, rows=planned)


# Applying an import ------------------------------------------------------------------------------


class ImportNotApplied(Exception):
    """Nothing was written: the file now refuses rows, or the programme changed since the preview."""

    def __init__(self, plan, *, outdated):
        super().__init__("import not applied")
        self.plan = plan
        self.outdated = outdated


def import_payload(*, forum, rows, filename, plan):
    """The signed text a preview form carries to its confirmation: the rows read, and the plan shown."""
    data = {"forum": forum.pk, "rows": rows, "filename": filename, "digest": plan.digest}
    return signing.dumps(data, salt=PAYLOAD_SALT, compress=True)


def import_payload_read(payload, *, forum):
    """(rows, filename, digest) from a preview's signed text; raises signing.BadSignature when it is not one."""
    data = signing.loads(payload, salt=PAYLOAD_SALT, max_age=PAYLOAD_MAX_AGE)
    if data.get("forum") != forum.pk:
        raise signing.BadSignature("The preview was made for another forum.")
    rows = [(int(number), dict(cells)) for number, cells in data["rows"]]
    return rows, str(data.get("filename", "")), str(data["digest"])


@transaction.atomic
def import_apply(*, forum, rows, user, filename, digest):
    """Write the changes of ``rows`` if they are still those previewed (``digest``) and no row is refused.

    Returns the plan applied. Raises ImportNotApplied, having written nothing, otherwise; a change the
    database refuses raises its error and rolls everything back too.
    """
    plan = import_plan(forum=forum, rows=rows, user=user, lock=True)
    if plan.refused or plan.digest != digest:
        raise ImportNotApplied(plan, outdated=plan.digest != digest)
    if not plan.changed:
        return plan
    codes = ", ".join(row.code for row in plan.changed)
    comment = _("Imported from %(file)s: sessions %(codes)s.") % {
        "file": filename or _("a spreadsheet"),
        "codes": codes,
    }
    with revision(user=user, comment=comment):
        for row in plan.changed:
            session = row.session
            for _added, removed in row.people.values():
                Participation.objects.filter(pk__in=[participation.pk for participation in removed]).delete()
            for name, value in row.updates.items():
                setattr(session, name, value)
            session.full_clean()
            session.save()
            if row.themes is not None:
                session.themes.set(row.themes)
            last = max((participation.position for participation in session.all_roles), default=0)
            for role, (added, removed) in row.people.items():
                # A newcomer takes the place of the person they replace, else comes after everyone.
                freed = sorted(participation.position for participation in removed)
                for person in added:
                    if freed:
                        position = freed.pop(0)
                    else:
                        last += 1
                        position = last
                    Participation.objects.create(session=session, person=person, role=role, position=position)
    return plan
