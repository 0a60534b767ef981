"""How a document is offered to a delegate: the file in the page's language, else English, else any;
the other languages it exists in; each file's format and size ("PDF, 1.2 MB").

Everything here works on a document whose files are prefetched (``prefetch_related("files")``, as the
selectors do): it never queries.
"""

import dataclasses

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.text import capfirst
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext as _

from .models import LANGUAGE_ORDER, Document, DocumentFile


def page_language(language=None):
    return (language or get_language() or settings.LANGUAGE_CODE).split("-")[0].lower()


def _order(file):
    return (LANGUAGE_ORDER.index(file.language) if file.language in LANGUAGE_ORDER else len(LANGUAGE_ORDER), file.pk)


def document_files(document):
    """The document's (prefetched) files, in the order of ``Document.Language``: English, French, Spanish."""
    return sorted(document.files.all(), key=_order)


def file_choice(files, language):
    """The file a reader of ``language`` gets: in that language, else English, else the first there is."""
    files = sorted(files, key=_order)
    by_language = {file.language: file for file in files}
    return (
        by_language.get(page_language(language))
        or by_language.get(Document.Language.ENGLISH)
        or next(iter(files), None)
    )


def format_label(file: DocumentFile):
    return "PDF" if file.is_pdf else _("Plain text")


def format_and_size(file: DocumentFile):
    """“PDF, 1.2 MB”; just the format when the size is unknown."""
    if file.size is None:
        return format_label(file)
    return f"{format_label(file)}, {filesizeformat(file.size)}"


def language_name(code):
    """A language named in itself (Français, Español), as a reader of that language looks for it."""
    return capfirst(get_language_info(code)["name_local"])


@dataclasses.dataclass(frozen=True)
class OtherLanguage:
    file: DocumentFile
    name: str  # in that language

    @property
    def code(self):
        return self.file.language


@dataclasses.dataclass(frozen=True)
class DocumentOffer:
    """What a page shows of a document for a reader of ``language``."""

    document: Document
    language: str
    file: DocumentFile | None
    others: list
    for_roundtable: bool = False

    @property
    def is_other_language(self):
        """Whether the file offered is not in the page's language (no such file yet)."""
        return self.file is not None and self.file.language != self.language

    @property
    def file_language(self):
        return self.file.get_language_display() if self.file else ""

    @property
    def format_and_size(self):
        return format_and_size(self.file) if self.file else ""


def document_offer(document, language=None, *, for_roundtable=False):
    language = page_language(language)
    files = sorted(document.files.all(), key=_order)
    chosen = file_choice(files, language)
    others = [OtherLanguage(file=file, name=language_name(file.language)) for file in files if file is not chosen]
    return DocumentOffer(
        document=document, language=language, file=chosen, others=others, for_roundtable=for_roundtable
    )
