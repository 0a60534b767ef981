"""Admin actions that export the programme as PDFs: the forums' booklets and the roundtables' handouts.

One selected record gives its PDF; several give a ZIP file with one PDF each. Staff get the public
PDF (cached) unless the forum or a session in it is still a draft: then an uncached preview that
shows the drafts, marked as such.
"""

import logging

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .pdf.content import BOOKLET, ROUNDTABLE, PdfUnavailable, export_for
from .pdf.responses import download_response

logger = logging.getLogger(__name__)

MAX_EXPORTS = 25  # PDFs one action may produce; beyond, the committee is asked to select fewer


def _download(modeladmin, request, queryset, kind):
    objects = list(queryset)
    if len(objects) > MAX_EXPORTS:
        modeladmin.message_user(
            request,
            _("Select at most %(count)d records to export at once.") % {"count": MAX_EXPORTS},
            messages.WARNING,
        )
        return None
    batch = [export_for(kind, obj, user=request.user) for obj in objects]
    try:
        return download_response(batch)
    except PdfUnavailable:
        logger.exception("PDF export from the admin failed")
        modeladmin.message_user(
            request,
            ngettext(
                "The PDF could not be produced. Please try again in a minute.",
                "The PDFs could not be produced. Please try again in a minute.",
                len(batch),
            ),
            messages.ERROR,
        )
        return None


@admin.action(description=_("Download the programme booklet (PDF; a ZIP file for several forums)"))
def download_booklets(modeladmin, request, queryset):
    return _download(modeladmin, request, queryset.order_by("-starts_on"), BOOKLET)


@admin.action(description=_("Download the roundtable handouts (PDF; a ZIP file for several roundtables)"))
def download_roundtable_handouts(modeladmin, request, queryset):
    return _download(modeladmin, request, queryset.select_related("forum").order_by("forum", "number"), ROUNDTABLE)
