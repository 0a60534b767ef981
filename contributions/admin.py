from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.text import WholeTextAdminMixin

from . import services
from .models import REASON_MAX, Contribution, GoodPractice


class GoodPracticeInline(WholeTextAdminMixin, admin.StackedInline):
    model = GoodPractice
    fields = ["position", "country", "actors", "description", "lesson"]
    extra = 0


class RejectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejection"),
        validators=[MaxLengthValidator(REASON_MAX)],
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        help_text=_("Sent to each submitter by e-mail."),
    )


class ContributionAdminForm(forms.ModelForm):
    """The change page, with the committee's decision: "Save and approve" or "Save and reject"."""

    review_reason = forms.CharField(
        label=_("Reason for rejection"),
        required=False,
        validators=[MaxLengthValidator(REASON_MAX)],
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text=_("Needed for “Save and reject”: it is sent to the submitter by e-mail."),
    )

    class Meta:
        model = Contribution
        fields = [
            "title",
            "slug",
            "forum",
            "roundtable",
            "session",
            "language",
            "organisation_name",
            "organisation_kind",
            "country",
            "contact_name",
            "contact_email",
            "summary",
            "recommendations",
            "themes",
            "document",
        ]

    def clean(self):
        cleaned_data = super().clean()
        if "_reject" in self.data and not (cleaned_data.get("review_reason") or "").strip():
            self.add_error("review_reason", _("Give the reason the submitter will be told."))
        return cleaned_data


@admin.register(Contribution)
class ContributionAdmin(WholeTextAdminMixin, admin.ModelAdmin):
    form = ContributionAdminForm
    list_display = [
        "title",
        "organisation_name",
        "organisation_kind",
        "forum",
        "status",
        "practice_count",
        "submitted_at",
    ]
    list_filter = ["status", "forum", "organisation_kind", "language", "themes"]
    list_select_related = ["forum"]
    search_fields = ["title", "organisation_name", "country", "contact_name", "contact_email", "summary"]
    date_hierarchy = "submitted_at"
    readonly_fields = ["status", "rejection_reason", "submitted_at", "reviewed_at", "reviewed_by"]
    autocomplete_fields = ["session"]
    filter_horizontal = ["themes"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [GoodPracticeInline]
    actions = ["approve_selected", "reject_selected"]
    fieldsets = [
        (_("Review"), {"fields": ["status", "review_reason", "rejection_reason", "reviewed_at", "reviewed_by"]}),
        (None, {"fields": ["title", "slug", "forum", "roundtable", "session", "language"]}),
        (_("Organisation"), {"fields": ["organisation_name", "organisation_kind", "country"]}),
        (_("Contact (private)"), {"fields": ["contact_name", "contact_email", "submitted_at"]}),
        (_("Contribution"), {"fields": ["summary", "recommendations", "themes", "document"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(practice_total=Count("practices"))

    @admin.display(description=_("good practices"), ordering="practice_total")
    def practice_count(self, contribution):
        return contribution.practice_total

    def get_fieldsets(self, request, obj=None):
        if obj is None:  # a contribution the committee types in itself: reviewed afterwards
            return self.fieldsets[1:]
        return self.fieldsets

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        request._contribution_decision = obj if {"_approve", "_reject"} & set(request.POST) else None

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        contribution = getattr(request, "_contribution_decision", None)
        if contribution is None:
            return
        try:
            if "_approve" in request.POST:
                services.contribution_approve(
                    contribution=contribution, reviewer=request.user, base_url=request.build_absolute_uri("/")
                )
                self.message_user(request, _("“%(title)s” is approved and published.") % {"title": contribution})
            else:
                services.contribution_reject(
                    contribution=contribution, reviewer=request.user, reason=form.cleaned_data["review_reason"]
                )
                self.message_user(request, _("“%(title)s” is rejected.") % {"title": contribution})
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)

    @admin.action(description=_("Approve and publish the selected contributions"), permissions=["change"])
    def approve_selected(self, request, queryset):
        approved = self._decide(
            request, queryset, services.contribution_approve, base_url=request.build_absolute_uri("/")
        )
        if approved:
            self.message_user(
                request,
                ngettext("%(count)d contribution approved.", "%(count)d contributions approved.", approved)
                % {"count": approved},
            )

    @admin.action(description=_("Reject the selected contributions, with a reason"), permissions=["change"])
    def reject_selected(self, request, queryset):
        form = RejectionForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            rejected = self._decide(request, queryset, services.contribution_reject, reason=form.cleaned_data["reason"])
            if rejected:
                self.message_user(
                    request,
                    ngettext("%(count)d contribution rejected.", "%(count)d contributions rejected.", rejected)
                    % {"count": rejected},
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reject contributions"),
            "opts": self.model._meta,
            "form": form,
            "contributions": queryset,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/contributions/contribution/reject_selected.html", context)

    def _decide(self, request, queryset, service, **kwargs):
        done = 0
        for contribution in queryset:
            try:
                service(contribution=contribution, reviewer=request.user, **kwargs)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.WARNING)
            else:
                done += 1
        return done


@admin.register(GoodPractice)
class GoodPracticeAdmin(WholeTextAdminMixin, admin.ModelAdmin):
    list_display = ["country", "contribution", "position"]
    list_filter = ["contribution__status", "country"]
    list_select_related = ["contribution"]
    search_fields = ["country", "actors", "description", "lesson", "contribution__title"]
    autocomplete_fields = ["contribution"]
