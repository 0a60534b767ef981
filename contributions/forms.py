from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Fieldset, Layout
from django import forms
from django.conf import settings
from django.forms.utils import ErrorDict
from django.template.defaultfilters import filesizeformat
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.text import drop_maxlength
from roundtables.models import Theme

from .models import Contribution, GoodPractice

MAX_PRACTICES = 10
SINGLE_LINE_FIELDS = ["title", "organisation_name", "country", "contact_name"]


def _one_line(value):
    return " ".join(value.split())


class DisplayOnlyMixin:
    """A bound form shown again exactly as typed, without validating it (after "add another")."""

    def __init__(self, *args, display_only=False, **kwargs):
        self.display_only = display_only
        super().__init__(*args, **kwargs)

    def full_clean(self):
        if self.display_only:
            self._errors = ErrorDict()
            self.cleaned_data = {}
            return
        super().full_clean()


def _helper(*layout, method="post"):
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.form_method = method
    helper.layout = Layout(*layout)
    return helper


class ContributionForm(DisplayOnlyMixin, forms.ModelForm):
    """The public form: where the contribution goes, who sends it, what it says.

    The page renders it in two parts around the good practices: ``helper`` and ``helper_after``.
    """

    target = forms.ChoiceField(
        label=_("Forum, roundtable or session"),
        help_text=_("Send it to a forum as a whole, or to one of its roundtables or sessions."),
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Cross-cutting themes"),
        queryset=Theme.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Tick the themes your contribution touches."),
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = Contribution
        fields = [
            "title",
            "organisation_name",
            "organisation_kind",
            "country",
            "contact_name",
            "contact_email",
            "summary",
            "recommendations",
            "themes",
            "language",
            "document",
        ]
        labels = {
            "organisation_name": _("Name of your organisation"),
            "organisation_kind": _("Kind of organisation"),
            "country": _("Country where your organisation is based"),
            "contact_name": _("Your name"),
            "contact_email": _("Your e-mail address"),
            "language": _("Language of your contribution"),
            "document": _("PDF document"),
        }
        help_texts = {
            "contact_name": _("Kept private: only the organising committee sees it."),
            "contact_email": _(
                "Kept private: the organising committee writes to you here when your contribution has been reviewed."
            ),
            "summary": _("What your organisation does and what it wants the forum to hear. Plain text."),
            "recommendations": _("What policymakers should do. Plain text; one recommendation per paragraph."),
        }
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 8}),
            "recommendations": forms.Textarea(attrs={"rows": 6}),
            "document": forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        }

    def __init__(self, *args, forums=(), target_hint=None, **kwargs):
        super().__init__(*args, **kwargs)
        drop_maxlength(self.fields.values())  # a too long text comes back whole, with a message
        self.targets = {}
        groups = []
        for forum in forums:
            options = [self._target(("forum", forum.pk), (forum, None, None), _("The forum as a whole"))]
            for roundtable in forum.open_roundtables:
                label = forum.group_label(roundtable.number, roundtable.title)
                options.append(self._target(("roundtable", roundtable.pk), (forum, roundtable, None), label))
                for session in roundtable.open_sessions:
                    label = forum.session_label(session.code, session.title)
                    options.append(self._target(("session", session.pk), (forum, roundtable, session), "— " + label))
            groups.append((forum.name, options))
        self.fields["target"].choices = [("", _("Choose…")), *groups]
        if not self.is_bound:
            self.initial["target"] = self._hinted_target(target_hint or {})
            self.initial["organisation_kind"] = ""
            if get_language() in Contribution.Language.values:
                self.initial["language"] = get_language()

        kinds = [(value, label) for value, label in Contribution.Kind.choices if value != Contribution.Kind.GOVERNMENT]
        self.fields["organisation_kind"].choices = [("", _("Choose…")), *kinds]
        for name in ["country", "contact_name", "contact_email"]:
            self.fields[name].required = True
        self.fields["document"].help_text = _("Optional. A PDF document of at most %(limit)s.") % {
            "limit": filesizeformat(settings.CONTRIBUTION_MAX_UPLOAD_BYTES)
        }

        self.helper = _helper(
            Fieldset(_("Where your contribution goes"), "target", "language"),
            Fieldset(_("Your organisation"), "organisation_name", "organisation_kind", "country"),
            Fieldset(_("How the committee can reach you"), "contact_name", "contact_email"),
            Fieldset(_("Your contribution"), "title", "summary"),
        )
        self.helper_after = _helper(
            Fieldset(_("Recommendations and themes"), "recommendations", "themes"),
            Fieldset(_("Attachment"), "document"),
            Field("website", wrapper_class="hp-field"),
        )

    def _target(self, key, resolved, label):
        value = f"{key[0]}:{key[1]}"
        self.targets[value] = resolved
        return value, label

    def _hinted_target(self, hint):
        """The choice matching ?forum=…&roundtable=…&session=… (slugs), as links from programme pages give."""
        best = ""
        for value, (forum, roundtable, session) in self.targets.items():
            if forum.slug != hint.get("forum"):
                continue
            if session is not None:
                if session.slug == hint.get("session") and roundtable.slug == hint.get("roundtable"):
                    return value
            elif roundtable is not None:
                if roundtable.slug == hint.get("roundtable"):
                    best = value
            elif not best:
                best = value
        return best

    def clean_target(self):
        return self.targets[self.cleaned_data["target"]]

    def clean(self):
        cleaned_data = super().clean()
        for name in SINGLE_LINE_FIELDS:
            if cleaned_data.get(name):
                cleaned_data[name] = _one_line(cleaned_data[name])
        return cleaned_data

    @property
    def is_spam(self):
        """A filled honeypot: a robot, whose submission is dropped while looking accepted."""
        return bool(self.cleaned_data.get("website"))

    def note_file_dropped(self, files):
        """Files are not kept when the form comes back for corrections: say so on the field."""
        if files.get("document") and not self.has_error("document"):
            self.add_error(
                "document", _("Your PDF was not kept because the form needs corrections: please attach it again.")
            )

    def submission(self):
        """The keyword arguments of services.contribution_submit (without the practices)."""
        data = self.cleaned_data
        forum, roundtable, session = data["target"]
        values = {name: data[name] for name in self.Meta.fields if name != "document"}
        return {**values, "forum": forum, "roundtable": roundtable, "session": session, "document": data["document"]}


class GoodPracticeForm(DisplayOnlyMixin, forms.ModelForm):
    class Meta:
        model = GoodPractice
        fields = ["country", "actors", "description", "lesson"]
        labels = {"country": _("Country where it took place")}
        help_texts = {
            "actors": _("Who took part: organisations, authorities, communities."),
            "lesson": _("What others can learn from it."),
        }
        widgets = {
            "actors": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 5}),
            "lesson": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        drop_maxlength(self.fields.values())  # a too long text comes back whole, with a message
        self.helper = _helper("country", "actors", "description", "lesson")

    def clean_country(self):
        return _one_line(self.cleaned_data["country"])


class BaseGoodPracticeFormSet(forms.BaseFormSet):
    """The good practices of a contribution: at least one; blank ones are skipped, wherever they are."""

    default_error_messages = {
        "too_few_forms": _("Share at least one good practice."),
        "too_many_forms": _("A contribution can share at most %(num)d good practices."),
    }

    def __init__(self, *args, display_only=False, **kwargs):
        self.display_only = display_only
        super().__init__(*args, form_kwargs={"display_only": display_only}, **kwargs)

    def _construct_form(self, i, **kwargs):
        return super()._construct_form(i, empty_permitted=True, **kwargs)

    def full_clean(self):
        if self.display_only:
            self._errors = []
            self._non_form_errors = self.error_class(error_class="nonform", renderer=self.renderer)
            return
        super().full_clean()

    @property
    def can_add(self):
        return self.total_form_count() < MAX_PRACTICES

    def practices(self):
        """The filled-in practices, in order, for services.contribution_submit."""
        return [form.cleaned_data for form in self.forms if form.has_changed() and form.cleaned_data]


GoodPracticeFormSet = forms.formset_factory(
    GoodPracticeForm,
    formset=BaseGoodPracticeFormSet,
    extra=1,
    min_num=1,
    validate_min=True,
    max_num=MAX_PRACTICES,
    validate_max=True,
    absolute_max=MAX_PRACTICES,
)


def formset_with_one_more(data, prefix):
    """The POSTed data with room for one more good practice."""
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    try:
        total = int(data.get(key, 0))
    except ValueError:
        total = 0
    data[key] = str(max(0, min(total + 1, MAX_PRACTICES)))
    return data


class LibraryFilterForm(forms.Form):
    """The library's filters, sent by GET; choices come from published contributions."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200, widget=forms.SearchInput)
    country = forms.ChoiceField(label=_("Country"), required=False)
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    kind = forms.ChoiceField(label=_("Kind of actor"), required=False)

    def __init__(self, *args, countries=(), themes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("All countries")), *((c, c) for c in countries)]
        self.fields["theme"].choices = [("", _("All themes")), *themes]
        self.fields["kind"].choices = [("", _("All kinds")), *Contribution.Kind.choices]
        self.helper = _helper("q", "country", "theme", "kind", method="get")

    def filters(self):
        """The filters to apply; one that is not valid (an unknown country, say) is left out."""
        self.is_valid()
        cleaned = self.cleaned_data
        return {
            "query": cleaned.get("q", ""),
            "country": cleaned.get("country", ""),
            "theme": cleaned.get("theme", ""),
            "kind": cleaned.get("kind", ""),
        }
