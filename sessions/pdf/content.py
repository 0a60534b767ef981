"""What a programme PDF shows: which booklet or handout, in which language, and the programme it reads.

An ``Export`` names one PDF: its kind (the forum's booklet, a roundtable's or a session's handout),
its record and its language, and whether it is a staff preview that shows unpublished content.
``export_for`` chooses it for a user; ``template_context`` reads the programme it shows through the
selectors, with each session's issues and people grouped by the presenters as its page groups them.
``document`` turns that into the data of the layout, and ``render`` lays it out.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.permissions import can_preview
from roundtables.models import ProgrammeStamp, Status

from .. import presenters, qr
from ..changes import programme_as_of
from ..documents import document_files, language_name, session_documents
from ..listings import programme_days, sessions_for_listing
from ..models import Issue, Session

BOOKLET, ROUNDTABLE, SESSION = "booklet", "roundtable", "session"
KINDS = (BOOKLET, ROUNDTABLE, SESSION)


class PdfUnavailable(Exception):
    """No PDF can be served for now."""


@dataclass(frozen=True)
class Export:
    """One PDF to produce: what (kind, obj), in which language, and whether it may show drafts.

    ``preview`` is set only when a staff member asks for a scope that holds unpublished content;
    such an export is rendered for its request and never cached.
    """

    kind: str
    obj: object = field(compare=False)
    language: str
    preview: bool = False
    user: object = field(default=None, compare=False, repr=False)

    @property
    def forum(self):
        if self.kind == BOOKLET:
            return self.obj
        if self.kind == ROUNDTABLE:
            return self.obj.forum
        return self.obj.roundtable.forum

    @property
    def filename(self):
        slug = self.forum.slug
        if self.kind == BOOKLET:
            stem = f"{slug}-programme"
        elif self.kind == ROUNDTABLE:
            stem = f"{slug}-roundtable-{self.obj.number}"
        else:
            stem = f"{slug}-session-{self.obj.code}"
        return f"{stem}{'-preview' if self.preview else ''}-{self.language}.pdf"


# Choosing what to export ----------------------------------------------------------------------


def _has_unpublished(kind, obj):
    if not Export(kind=kind, obj=obj, language="").forum.is_published:
        return True
    if kind == SESSION:
        return not obj.is_published
    sessions = Session.objects.in_forum(obj) if kind == BOOKLET else obj.sessions.all()
    return sessions.exclude(status=Status.PUBLISHED).exists()


def export_for(kind, obj, *, user=None, language=None):
    """The export of ``obj`` that ``user`` may see, in ``language`` (default: the active one).

    Visitors get the public PDF. Staff get the same public PDF unless the scope holds unpublished
    content, in which case they get an uncached preview that shows it, marked as a draft.
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown PDF kind {kind!r}.")
    preview = can_preview(user) and _has_unpublished(kind, obj)
    return Export(
        kind=kind,
        obj=obj,
        language=language or translation.get_language() or settings.LANGUAGE_CODE,
        preview=preview,
        user=user if preview else None,
    )


# Reading the programme ------------------------------------------------------------------------


def _sessions(export, forum):
    """The sessions the export shows, with everything a session page shows already fetched."""
    issues = Issue.objects.filter(parent__isnull=True).prefetch_related(
        Prefetch("points", queryset=Issue.objects.order_by("position", "id"))
    )
    sessions = (
        sessions_for_listing(forum=forum, user=export.user if export.preview else None, with_organisations=True)
        .prefetch_related(Prefetch("issues", queryset=issues.order_by("position", "id"), to_attr="top_issues"))
        .order_by("roundtable__number", "number")
    )
    if export.kind == ROUNDTABLE:
        sessions = sessions.filter(roundtable=export.obj)
    elif export.kind == SESSION:
        sessions = sessions.filter(pk=export.obj.pk)
    sessions = session_documents(sessions=sessions, user=export.user if export.preview else None)
    for session in sessions:
        _annotate_session(session)
    return sessions


def _annotate_session(session):
    """Group a session's people by role and its issues by kind as its page does (``presenters``), in the
    active language (the PDF's), for the layout."""
    session.people_by_role = presenters.people_by_role(session.participations.all())
    session.issue_groups = presenters.issue_groups(session.top_issues)
    for _heading, issues in session.issue_groups:
        for issue in issues:
            issue.pdf_points = list(issue.points.all())
    session.theme_list = list(session.themes.all())
    # Its papers and its roundtable's, each with the languages it exists in (named in themselves).
    session.pdf_documents = [
        (document, for_roundtable, [language_name(file.language) for file in document_files(document)])
        for document, for_roundtable in session.documents_shown
    ]


def portal_address(path):
    """The full address of ``path`` on the public portal (``PORTAL_URL``), or "" when it is not known."""
    return f"{settings.PORTAL_URL}{path}" if settings.PORTAL_URL else ""


def template_context(export):
    """What ``export`` shows (forum, roundtables, sessions, days…), read in the active language.

    Raises PdfUnavailable for a public export of a draft forum or a draft session.
    """
    forum = export.forum
    if not export.preview and not forum.is_published:  # the views never ask for it; belt and braces
        raise PdfUnavailable("A draft forum has no public PDF.")
    sessions = _sessions(export, forum)
    if export.kind == SESSION and not sessions:
        raise PdfUnavailable("A draft session has no public PDF.")
    if export.kind == BOOKLET:
        roundtables = list(forum.roundtables.order_by("number"))
    else:
        roundtables = [export.obj if export.kind == ROUNDTABLE else export.obj.roundtable]
    for roundtable in roundtables:
        # Plenaries, breaks and receptions show in the booklet's timetable only ("at a glance").
        roundtable.pdf_sessions = [s for s in sessions if s.roundtable_id == roundtable.pk and s.is_session]
        if roundtable.pdf_sessions and not roundtable.background:  # no rule between heading and first session
            roundtable.pdf_sessions[0].pdf_first = True
    # Each session's page on the portal, printed under its time and room; handouts add a QR code of it.
    for session in sessions:
        session.portal_url = portal_address(session.get_absolute_url())
        if session.portal_url and export.kind != BOOKLET:
            session.portal_qr = qr.qr_svg(session.portal_url, title=_("QR code of this session's page"), scale=2)
    stamp = ProgrammeStamp.objects.filter(pk=1).values_list("changed_at", flat=True).first()
    return {
        "export": export,
        "forum": forum,
        "roundtables": roundtables,
        "roundtable": roundtables[0] if export.kind != BOOKLET else None,
        "session": sessions[0] if export.kind == SESSION and sessions else None,
        "sessions": sessions,
        "days": programme_days(sessions=sessions, forum=forum) if export.kind == BOOKLET else [],
        "themes": sorted({theme.name for s in sessions for theme in s.theme_list}),
        "preview": export.preview,
        "created_at": timezone.now(),
        "modified_at": max(filter(None, [stamp, forum.updated_at])),
        "programme_as_of": programme_as_of(forum) if export.kind == BOOKLET and not export.preview else None,
    }
