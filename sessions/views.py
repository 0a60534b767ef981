import mimetypes
from pathlib import Path

from django.http import FileResponse, Http404
from django.views.generic import TemplateView

from roundtables import selectors as programme
from roundtables.views import ForumPageMixin

from . import selectors


class SessionDetailView(ForumPageMixin, TemplateView):
    template_name = "sessions/session_detail.html"

    def get_context_data(self, **kwargs):
        session = programme.session_for_page(
            forum=self.forum,
            roundtable_slug=self.kwargs["roundtable"],
            slug=self.kwargs["slug"],
            user=self.request.user,
        )
        previous, following = programme.session_neighbours(session=session, user=self.request.user)
        kwargs.update(session=session, roundtable=session.roundtable, previous=previous, following=following)
        return super().get_context_data(**kwargs)


class PersonDetailView(TemplateView):
    template_name = "sessions/person_detail.html"

    def get_context_data(self, **kwargs):
        person = selectors.person_for_page(slug=self.kwargs["slug"], user=self.request.user)
        return super().get_context_data(person=person, participations=person.public_participations, **kwargs)


def document_download(request, pk):
    """Serve a document's file: PDFs inline, anything else as a download, never as HTML."""
    document = selectors.document_for_download(pk=pk, user=request.user)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as error:
        raise Http404("The file is missing.") from error
    name = Path(document.file.name).name
    content_type = "application/pdf" if name.lower().endswith(".pdf") else "text/plain; charset=utf-8"
    if content_type.startswith("text/") and mimetypes.guess_type(name)[0] not in {"text/plain", None}:
        content_type = "application/octet-stream"
    response = FileResponse(
        handle, content_type=content_type, as_attachment=not name.lower().endswith(".pdf"), filename=name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
