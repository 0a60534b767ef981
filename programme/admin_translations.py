"""The forum admin's files for translators: a forum's texts as XLIFF 1.2 for French or Spanish, and the
filled file uploaded back (programme/xliff.py).

Both need the change permission on the forum: the committee, not the roundtable coordinators, who see
forums read-only. An upload writes only the translations in the file's language, all of them or none,
and reports what it did with the admin's messages.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from . import xliff

LANGUAGE_CHOICES = [("fr", _("French")), ("es", _("Spanish"))]
# How many texts a message names before it says “and N more”.
NAMED_MAX = 10


class TranslationUploadForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language"), choices=LANGUAGE_CHOICES, widget=forms.RadioSelect, help_text=_("The file's language.")
    )
    file = forms.FileField(
        label=_("Translation file"),
        help_text=_("The XLIFF file (.xlf) exported from this forum for that language, with the targets filled in."),
    )


def _named(items):
    shown = "; ".join(items[:NAMED_MAX])
    if len(items) > NAMED_MAX:
        shown += " " + gettext("and %(count)d more") % {"count": len(items) - NAMED_MAX}
    return shown


def report_messages(report):
    """The import's report as (level, message) pairs for the admin."""
    language = xliff.language_name(report.language)
    found = [
        (
            messages.SUCCESS,
            ngettext(
                "Imported %(language)s translations from %(file)s: %(count)d text updated",
                "Imported %(language)s translations from %(file)s: %(count)d texts updated",
                len(report.updated),
            )
            % {"language": language, "file": report.filename, "count": len(report.updated)}
            + "; "
            + gettext("%(unchanged)d unchanged, %(empty)d empty targets left as they were.")
            % {"unchanged": report.unchanged, "empty": report.empty},
        )
    ]
    if report.source_changed:
        found.append(
            (
                messages.WARNING,
                gettext("The English text changed since the export, check these translations: %(texts)s")
                % {"texts": _named(report.source_changed)},
            )
        )
    if report.refused:
        found.append(
            (
                messages.WARNING,
                ngettext(
                    "%(count)d unit was refused: %(units)s",
                    "%(count)d units were refused: %(units)s",
                    len(report.refused),
                )
                % {"count": len(report.refused), "units": _named(report.refused)},
            )
        )
    return found


class ForumTranslationsAdminMixin:
    """Adds ``<forum>/translations/<language>.xlf`` and ``<forum>/translations/import/`` to the forum admin."""

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "<path:object_id>/translations/<str:language>.xlf",
                self.admin_site.admin_view(self.translations_export_view),
                name=f"{prefix}_translations",
            ),
            path(
                "<path:object_id>/translations/import/",
                self.admin_site.admin_view(self.translations_import_view),
                name=f"{prefix}_translations_import",
            ),
            *super().get_urls(),
        ]

    def _translations_forum(self, request, object_id):
        forum = self.get_object(request, unquote(object_id))
        if forum is None:
            raise Http404
        if not self.has_change_permission(request, forum):
            raise PermissionDenied
        return forum

    def translations_export_view(self, request, object_id, language):
        """The forum's texts for translators into ``language``, as an XLIFF 1.2 download."""
        forum = self._translations_forum(request, object_id)
        if language not in xliff.TARGET_LANGUAGES:
            raise Http404
        response = HttpResponse(
            xliff.forum_xliff_export(forum=forum, language=language), content_type="application/x-xliff+xml"
        )
        response["Content-Disposition"] = f'attachment; filename="{xliff.export_filename(forum, language)}"'
        return response

    def translations_import_view(self, request, object_id):
        """Upload a filled translation file; its translations are written at once, or nothing is."""
        forum = self._translations_forum(request, object_id)
        language = request.GET.get("language")
        form = TranslationUploadForm(initial={"language": language if language in xliff.TARGET_LANGUAGES else None})
        if request.method == "POST":
            form = TranslationUploadForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                try:
                    report = xliff.forum_xliff_import(
                        fileobj=upload,
                        forum=forum,
                        language=form.cleaned_data["language"],
                        user=request.user,
                        filename=upload.name,
                    )
                except ValidationError as error:
                    form.add_error("file", gettext("Nothing was imported."))
                    for message in error.messages:
                        form.add_error("file", message)
                else:
                    for level, message in report_messages(report):
                        self.message_user(request, message, level)
                    return redirect("admin:roundtables_forum_change", forum.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Import translations into “%(forum)s”") % {"forum": forum},
            "subtitle": None,
            "opts": self.opts,
            "original": forum,
            "form": form,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/programme/forum_translations_import.html", context)
