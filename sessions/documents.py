"""How a document is offered to a delegate: the file in the page's language, else English, else any;
the other languages it exists in; each file's format and size ("PDF, 1.2 MB").

Everything here works on a document whose files are prefetched (``prefetch_related("files")``, as the
selectors do): it never queries.
"""

import dataclasses

from django.conf import settings
from django.db.models import F, Prefetch, Q, QuerySet, prefetch_related_objects
from django.template.defaultfilters import filesizeformat
from django.utils.text import capfirst
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext as _

from roundtables.models import Roundtable

from . import compiled_reads
from .models import LANGUAGE_ORDER, Document, DocumentFile, Session


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


# Reads of documents for pages, PDFs and search; what the visitor sees is Document.objects.visible_to(user).


def _document_places(user):
    """Prefetches of a document's sessions (those the visitor may see) and roundtables, for links to them."""
    return (
        Prefetch(
            "sessions",
            queryset=Session.objects.visible_to(user)
            .select_related("roundtable__forum")
            .order_by("roundtable__number", "number"),
        ),
        Prefetch("roundtables", queryset=Roundtable.objects.select_related("forum").order_by("number")),
    )


def documents_for_forum_page(*, forum, user=None):
    """All the forum's documents the visitor may see, by kind, with their files and places (four queries)."""
    return (
        Document.objects.visible_to(user)
        .filter(forum=forum)
        .prefetch_related("files", *_document_places(user))
        .by_kind()
    )


def documents_for_forum_home(*, forum, user=None):
    """The documents of the whole forum (attached to no session or roundtable), with their files."""
    return (
        Document.objects.visible_to(user)
        .filter(forum=forum, sessions=None, roundtables=None)
        .prefetch_related("files")
        .by_kind()
    )


def documents_for_roundtable(*, roundtable, user=None):
    return Document.objects.visible_to(user).filter(roundtables=roundtable).prefetch_related("files").by_kind()


def session_documents(*, sessions, user=None):
    """Give each of ``sessions`` the documents the visitor may see: ``own_documents`` (attached to it),
    ``roundtable_documents`` (attached to its roundtable, leaving out those already among its own), and
    ``documents_shown``, both together as (document, for_roundtable) pairs. Each document has its files.

    Three queries whatever the number of sessions: the links to the sessions, the links to their
    roundtables (each with its document), and the documents' files.
    """
    sessions = list(sessions)
    visible = Document.objects.visible_to(user).values("pk")
    own_links = (
        Document.sessions.through.objects.filter(session__in=[s.pk for s in sessions], document__in=visible)
        .select_related("document")
        .order_by("pk")
    )
    shared_links = (
        Document.roundtables.through.objects.filter(
            roundtable__in={s.roundtable_id for s in sessions}, document__in=visible
        )
        .select_related("document")
        .order_by("pk")
    )
    own, shared, documents = {}, {}, {}
    for link in own_links:
        document = documents.setdefault(link.document_id, link.document)
        own.setdefault(link.session_id, []).append(document)
    for link in shared_links:
        document = documents.setdefault(link.document_id, link.document)
        shared.setdefault(link.roundtable_id, []).append(document)
    prefetch_related_objects(list(documents.values()), "files")
    for session in sessions:
        mine = own.get(session.pk, [])
        seen = {document.pk for document in mine}
        session.own_documents = _by_kind(mine)
        session.roundtable_documents = [
            document for document in _by_kind(shared.get(session.roundtable_id, [])) if document.pk not in seen
        ]
        session.documents_shown = [(document, False) for document in session.own_documents] + [
            (document, True) for document in session.roundtable_documents
        ]
    return sessions


def session_documents_for_page(*, session, user=None):
    """``session_documents`` for one session, in two queries (their SQL compiled once per process:
    ``compiled_reads``): the documents the visitor may see that are attached to the session or to its
    roundtable (each row saying which), then their files."""

    def linked_documents(session, roundtable):
        return (
            Document.objects.visible_to(user)
            .filter(Q(sessions=session) | Q(roundtables=roundtable))
            .annotate(link_session=F("sessions"), link_roundtable=F("roundtables"))
            .order_by()  # sorted below (``_by_kind``)
        )

    def linked_files(session, roundtable):  # of the documents linked, visible or not: kept for those shown
        return DocumentFile.objects.filter(
            Q(document__sessions=session) | Q(document__roundtables=roundtable)
        ).order_by()

    link = {"session": session.pk, "roundtable": session.roundtable_id}
    documents, own, shared = {}, {}, {}
    for row in compiled_reads.read("session documents", linked_documents, user=user, **link):
        document = documents.setdefault(row.pk, row)
        if row.link_session == session.pk:
            own[row.pk] = document
        if row.link_roundtable == session.roundtable_id:
            shared[row.pk] = document
    if documents:
        files = {pk: {} for pk in documents}
        for file in compiled_reads.read("session document files", linked_files, user=user, **link):
            if file.document_id in files:  # sorted where shown
                files[file.document_id][file.pk] = file
        for pk, document in documents.items():
            prefetched(document, "files", list(files[pk].values()))
    session.own_documents = _by_kind(own.values())
    session.roundtable_documents = [document for document in _by_kind(shared.values()) if document.pk not in own]
    session.documents_shown = [(document, False) for document in session.own_documents] + [
        (document, True) for document in session.roundtable_documents
    ]
    return session


def prefetched(instance, relation, objects):
    """Let ``instance.<relation>.all()`` answer ``objects`` (a queryset, run here, or a list) without a further
    query, as ``prefetch_related`` does."""
    queryset = QuerySet(instance._meta.get_field(relation).related_model)
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[relation] = queryset


def _by_kind(documents):
    kinds = Document.Kind.values
    return sorted(
        documents,
        key=lambda d: (kinds.index(d.kind) if d.kind in kinds else len(kinds), d.position, d.title, d.pk),
    )
