from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Issue
from .services import issue_set_points


class IssueInlineForm(forms.ModelForm):
    """A main issue or proposed theme edited together with its sub-points, one per line."""

    points = forms.CharField(
        label=_("Sub-points"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("One sub-point per line, in order."),
    )

    class Meta:
        model = Issue
        fields = ["kind", "text", "position"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "cols": 50})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            choice for choice in self.fields["kind"].choices if choice[0] != Issue.Kind.POINT
        ]
        if self.instance.pk:
            self.fields["points"].initial = "\n".join(point.text for point in self.instance.points.all())

    def save(self, commit=True):
        issue = super().save(commit=commit)
        if commit and "points" in self.changed_data:
            issue_set_points(issue=issue, texts=self.cleaned_data["points"].splitlines())
        return issue


class PointForm(forms.ModelForm):
    """A sub-point edited under its issue: its kind and session follow the issue."""

    class Meta:
        model = Issue
        fields = ["text", "position"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2, "cols": 80})}

    def clean(self):
        cleaned_data = super().clean()
        self.instance.kind = Issue.Kind.POINT
        if self.instance.parent_id:
            self.instance.session_id = self.instance.parent.session_id
        return cleaned_data
