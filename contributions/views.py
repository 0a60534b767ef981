from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView, TemplateView

from . import selectors, services, throttle
from .forms import ContributionForm, GoodPracticeFormSet, LibraryFilterForm, formset_with_one_more

PRACTICES_PREFIX = "practices"


class ContributionSubmitView(View):
    """The public form. A valid submission is recorded pending review; a robot's is dropped quietly."""

    template_name = "contributions/contribution_form.html"
    limited_template_name = "contributions/contribution_limited.html"

    def get(self, request):
        form = ContributionForm(forums=selectors.forums_for_contribution_form(), target_hint=request.GET)
        return self.render(form, GoodPracticeFormSet(prefix=PRACTICES_PREFIX))

    def post(self, request):
        address = throttle.client_address(request)
        if throttle.submissions_exhausted(address):
            return render(request, self.limited_template_name, status=429)
        forums = selectors.forums_for_contribution_form()

        if "add_practice" in request.POST:
            data = formset_with_one_more(request.POST, PRACTICES_PREFIX)
            form = ContributionForm(data, forums=forums, display_only=True)
            formset = GoodPracticeFormSet(data, prefix=PRACTICES_PREFIX, display_only=True)
            return self.render(form, formset, file_dropped="document" in request.FILES)

        form = ContributionForm(request.POST, request.FILES, forums=forums)
        formset = GoodPracticeFormSet(request.POST, prefix=PRACTICES_PREFIX)
        if form.is_valid() and formset.is_valid():
            if not form.is_spam:
                try:
                    services.contribution_submit(
                        **form.submission(),
                        practices=formset.practices(),
                        base_url=request.build_absolute_uri("/"),
                    )
                except ValidationError as error:
                    form.add_error(None, error.messages)
                    form.note_file_dropped(request.FILES)
                    return self.render(form, formset)
            # Only a stored submission (or a robot's, dropped as if stored) spends one of the address's slots.
            throttle.submission_record(address)
            return redirect("contributions:thanks")
        form.note_file_dropped(request.FILES)
        return self.render(form, formset)

    def render(self, form, formset, file_dropped=False):
        context = {"form": form, "formset": formset, "file_dropped": file_dropped}
        return render(self.request, self.template_name, context)


class ContributionThanksView(TemplateView):
    template_name = "contributions/contribution_thanks.html"


class LibraryView(ListView):
    """The good-practices library: published contributions, searchable and filtered by GET."""

    template_name = "contributions/contribution_library.html"
    context_object_name = "contributions"
    paginate_by = 10

    def get(self, request, *args, **kwargs):
        choices = selectors.library_filter_choices()
        self.filter_form = LibraryFilterForm(request.GET, **choices)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.contributions_for_library(**self.filter_form.filters())

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter_form=self.filter_form, **kwargs)


class ContributionDetailView(TemplateView):
    template_name = "contributions/contribution_detail.html"

    def get_context_data(self, **kwargs):
        contribution = selectors.contribution_for_page(slug=self.kwargs["slug"], user=self.request.user)
        return super().get_context_data(
            contribution=contribution,
            practices=contribution.practices.all(),
            themes=contribution.themes.all(),
            organisation=selectors.organisation_for_contribution(contribution),
            **kwargs,
        )


def contribution_document(request, slug):
    """Serve a contribution's PDF, inline, never sniffed as anything else."""
    contribution = selectors.contribution_for_download(slug=slug, user=request.user)
    try:
        handle = contribution.document.open("rb")
    except FileNotFoundError as error:
        raise Http404(_("The file is missing.")) from error
    response = FileResponse(handle, content_type="application/pdf", filename=f"{contribution.slug}.pdf")
    response["X-Content-Type-Options"] = "nosniff"
    return response
