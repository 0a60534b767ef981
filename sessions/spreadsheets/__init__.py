"""The programme as a spreadsheet (CSV and XLSX), and the committee's import of the same columns.

One row per session, with the columns of ``COLUMNS``. The public export (from the forum page) holds the
published sessions of a published forum; the committee's (from the admin) holds the drafts too. Neither
holds private contact data: people appear by name only.

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

The modules, by job:

- ``columns``: the columns, and several names in one cell;
- ``export``: the rows of the export, read from the database, and the download;
- ``files``: the rows written as CSV or XLSX, and an uploaded file read back as rows of cells;
- ``cells``: one cell read as a code, a day, a time in the forum's zone, a status or names;
- ``plan`` and ``clashes``: what each row would change or why it is refused;
- ``apply``: the preview's signed payload and the writes.

This module names what the rest of the portal uses.
"""

from .apply import ImportNotApplied, import_apply, import_payload, import_payload_read
from .columns import COLUMNS, CONTENT_TYPES, CSV, IGNORED_COLUMNS, XLSX
from .export import spreadsheet_response, spreadsheet_rows, translated_share
from .files import MAX_UPLOAD_BYTES, SpreadsheetError, spreadsheet_csv, spreadsheet_read, spreadsheet_xlsx
from .plan import ImportPlan, import_plan

__all__ = [
    "COLUMNS",
    "CONTENT_TYPES",
    "CSV",
    "IGNORED_COLUMNS",
    "MAX_UPLOAD_BYTES",
    "XLSX",
    "ImportNotApplied",
    "ImportPlan",
    "SpreadsheetError",
    "import_apply",
    "import_payload",
    "import_payload_read",
    "import_plan",
    "spreadsheet_csv",
    "spreadsheet_read",
    "spreadsheet_response",
    "spreadsheet_rows",
    "spreadsheet_xlsx",
    "translated_share",
]
