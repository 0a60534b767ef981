"""The forum admin's spreadsheet pages: the committee's export (drafts included) and the import with its preview.

Who may do what:

- exporting needs the view permission on forums and sessions: the committee and the roundtable
  coordinators, who see the whole programme read-only in the admin anyway;
- importing needs the change permission on sessions. The committee changes any session; a coordinator
  uploads the same file, and a row that would change a session of a roundtable they do not coordinate is
  refused (rows that change nothing pass), so that nothing is applied until the file changes only their
  own sessions.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from roundtables.selectors import roundtable_ids_editable_by
from sessions import spreadsheets


class SpreadsheetUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("An .xlsx or .csv file with the columns of the programme spreadsheet; the first row names them."),
    )


class ForumSpreadsheetAdminMixin:
    """Adds ``<forum>/programme.xlsx``, ``<forum>/programme.csv`` and ``<forum>/import/`` to the forum admin."""

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "<path:object_id>/programme.<str:fmt>",
                self.admin_site.admin_view(self.spreadsheet_export_view),
                name=f"{prefix}_spreadsheet",
            ),
            path(
                "<path:object_id>/import/",
                self.admin_site.admin_view(self.spreadsheet_import_view),
                name=f"{prefix}_spreadsheet_import",
            ),
            *super().get_urls(),
        ]

    def _spreadsheet_forum(self, request, object_id):
        forum = self.get_object(request, unquote(object_id))
        if forum is None:
            raise Http404
        if not (self.has_view_permission(request, forum) and request.user.has_perm("programme_sessions.view_session")):
            raise PermissionDenied
        return forum

    def spreadsheet_export_view(self, request, object_id, fmt):
        """Every session of the forum, drafts included, as the committee's spreadsheet."""
        if fmt not in spreadsheets.CONTENT_TYPES:
            raise Http404
        forum = self._spreadsheet_forum(request, object_id)
        return spreadsheets.spreadsheet_response(forum=forum, fmt=fmt, user=request.user, filename_suffix="-committee")

    def spreadsheet_import_view(self, request, object_id):
        """Upload a spreadsheet, see what each row would change or why it is refused, then apply it all at once."""
        forum = self._spreadsheet_forum(request, object_id)
        if not request.user.has_perm("programme_sessions.change_session"):
            raise PermissionDenied
        if roundtable_ids_editable_by(request.user) == frozenset():
            raise PermissionDenied  # a coordinator of no roundtable could only ever be refused
        form = SpreadsheetUploadForm()
        plan, payload, filename = None, "", ""
        if request.method == "POST" and "payload" in request.POST:
            try:
                rows, filename, digest = spreadsheets.import_payload_read(request.POST["payload"], forum=forum)
            except (signing.BadSignature, KeyError, TypeError, ValueError):
                self.message_user(
                    request, gettext("The preview has expired or is not valid: upload the file again."), messages.ERROR
                )
                return redirect("admin:roundtables_forum_spreadsheet_import", forum.pk)
            try:
                plan = spreadsheets.import_apply(
                    forum=forum, rows=rows, user=request.user, filename=filename, digest=digest
                )
            except spreadsheets.ImportNotApplied as error:
                plan = error.plan
                message = (
                    gettext("The programme changed since the preview: nothing was applied. Check the new preview.")
                    if error.outdated
                    else gettext("Nothing was applied: some rows are refused.")
                )
                self.message_user(request, message, messages.ERROR)
                if plan.can_apply:
                    payload = spreadsheets.import_payload(forum=forum, rows=rows, filename=filename, plan=plan)
            except ValidationError as error:
                self.message_user(
                    request,
                    gettext("Nothing was applied: %(error)s") % {"error": " ".join(error.messages)},
                    messages.ERROR,
                )
                return redirect("admin:roundtables_forum_spreadsheet_import", forum.pk)
            else:
                codes = ", ".join(row.code for row in plan.changed)
                self.message_user(
                    request,
                    ngettext(
                        "Imported %(file)s: changed %(count)d session (%(codes)s).",
                        "Imported %(file)s: changed %(count)d sessions (%(codes)s).",
                        len(plan.changed),
                    )
                    % {"file": filename, "count": len(plan.changed), "codes": codes},
                    messages.SUCCESS,
                )
                return redirect("admin:roundtables_forum_change", forum.pk)
        elif request.method == "POST":
            form = SpreadsheetUploadForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                filename = upload.name
                try:
                    if upload.size > spreadsheets.MAX_UPLOAD_BYTES:
                        raise spreadsheets.SpreadsheetError(
                            gettext("The file is larger than %(count)d MB.")
                            % {"count": spreadsheets.MAX_UPLOAD_BYTES // 2**20}
                        )
                    rows = spreadsheets.spreadsheet_read(name=upload.name, content=upload.read())
                except spreadsheets.SpreadsheetError as error:
                    form.add_error("file", str(error))
                else:
                    plan = spreadsheets.import_plan(forum=forum, rows=rows, user=request.user)
                    if plan.can_apply:
                        payload = spreadsheets.import_payload(forum=forum, rows=rows, filename=filename, plan=plan)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Import a spreadsheet into “%(forum)s”") % {"forum": forum},
            "subtitle": None,
            "opts": self.opts,
            "original": forum,
            "form": form,
            "plan": plan,
            "payload": payload,
            "filename": filename,
            "columns": spreadsheets.COLUMNS,
            "ignored_columns": spreadsheets.IGNORED_COLUMNS,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/programme/forum_spreadsheet_import.html", context)
