"""Checks on uploaded documents: by content, not by the name a browser sends."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

ALLOWED_DOCUMENT_EXTENSIONS = {".pdf", ".txt"}


def detect_document_type(head):
    """Return 'pdf', 'txt' or None for the first bytes of a file."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if b"\x00" in head:
        return None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character may be cut at the end of the sample.
        if error.start < len(head) - 3:
            return None
    lowered = head.lstrip().lower()
    if lowered.startswith((b"<!doctype", b"<html", b"<script", b"<svg", b"<?xml")):
        return None
    return "txt"


def validate_document_file(file):
    """Refuse files that are too large or whose content does not match their extension."""
    extension = Path(file.name).suffix.lower()
    if extension not in ALLOWED_DOCUMENT_EXTENSIONS:
        raise ValidationError(
            _("Only PDF documents (.pdf) and plain text files (.txt) can be attached; “%(name)s” is neither."),
            params={"name": Path(file.name).name},
            code="extension",
        )
    if file.size > settings.DOCUMENT_MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is %(size)s; the largest accepted is %(limit)s."),
            params={
                "size": filesizeformat(file.size),
                "limit": filesizeformat(settings.DOCUMENT_MAX_UPLOAD_BYTES),
            },
            code="size",
        )
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(2048)
    file.seek(position)
    detected = detect_document_type(head)
    if detected != extension.lstrip("."):
        if extension == ".pdf":
            message = _("“%(name)s” is not a PDF document: its content does not start like one.")
        else:
            message = _("“%(name)s” is not a plain text file.")
        raise ValidationError(message, params={"name": Path(file.name).name}, code="content")
