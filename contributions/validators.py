"""The check on PDFs attached to contributions: by content, not by the name a browser sends."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from sessions.validators import detect_document_type


def validate_contribution_pdf(file):
    """Accept a PDF document (.pdf, content starting like one) no larger than the configured limit."""
    name = Path(file.name).name
    if Path(name).suffix.lower() != ".pdf":
        raise ValidationError(
            _("Only PDF documents (.pdf) can be attached; “%(name)s” is not one."),
            params={"name": name},
            code="extension",
        )
    limit = settings.CONTRIBUTION_MAX_UPLOAD_BYTES
    if file.size > limit:
        raise ValidationError(
            _("The file is %(size)s; the largest accepted is %(limit)s."),
            params={"size": filesizeformat(file.size), "limit": filesizeformat(limit)},
            code="size",
        )
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(2048)
    file.seek(position)
    if detect_document_type(head) != "pdf":
        raise ValidationError(
            _("“%(name)s” is not a PDF document: its content does not start like one."),
            params={"name": name},
            code="content",
        )
