"""The columns of the programme spreadsheet, and how several names share one cell.

One row per session, with the columns of ``COLUMNS`` in that order; the export writes them all and the
import reads those a file has (the code always).
"""

from ..models import Participation

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
# A CSV cell starting with one of these is a formula to a spreadsheet program: it is written with a leading
# apostrophe (which the import removes) so that opening an export never runs text typed into the programme.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def names_cell(items):
    """Several names in one cell: “Ana Ruiz; Omar Haddad”."""
    return LIST_SEPARATOR.join(items)
