"""Spreadsheet files, cell by cell: the rows written as CSV or XLSX, and an uploaded CSV or XLSX read
back as rows of plain cell values.

Files are written and read with openpyxl (XLSX) and the standard ``csv`` module rather than through
django-import-export: the import works on one forum, reads times in that forum's time zone, matches rooms,
people and themes by name, lets a roundtable coordinator change only their own roundtables' sessions,
and shows a row-by-row preview that is then applied all or nothing. import-export's resources and admin
flow are built around one model's rows, looked up one query per row, with its own confirm step that keeps
the upload in temporary storage; fitting these rules into it would take more code than the rules.

The cells read are JSON-safe (None, text, numbers, or {"date"|"time"|"datetime": ISO text}), so that the
preview can carry them, signed, to the confirmation.
"""

import csv
import datetime
import io
import re
import zipfile

from django.utils.translation import gettext as _

from .columns import COLUMNS, FORMULA_STARTS

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000


# Writing -----------------------------------------------------------------------------------------


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


# Reading -----------------------------------------------------------------------------------------


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
