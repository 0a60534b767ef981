"""The admin's model form that cannot overwrite someone else's edit (``core.versions`` edit tokens)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .versions import edit_conflict, edit_token


class EditTokenField(forms.CharField):
    """The hidden edit token: never a change of the record itself."""

    widget = forms.HiddenInput

    def has_changed(self, initial, data):
        return False


class EditTokenForm(forms.ModelForm):
    """A model form that refuses to save over changes someone else made since it was opened.

    The form carries the record's edit token (a fingerprint of the record and of the rows edited
    with it); on save, a record that changed meanwhile is not overwritten: the form comes back with
    what the editor typed, who changed what, and a fresh token, so that a second save after merging
    goes through.
    """

    edit_token = EditTokenField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.is_bound:
            self.initial["edit_token"] = edit_token(self.instance)

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is not None:
            conflict = edit_conflict(self.instance, self.data.get(self.add_prefix("edit_token"), ""))
            if conflict is not None:
                self._refuse(conflict)
        return cleaned_data

    def _refuse(self, conflict):
        data = self.data.copy()
        data[self.add_prefix("edit_token")] = conflict.fresh_token
        self.data = data
        if not conflict.changed:
            raise ValidationError(
                _("This form is out of date: open the page again before saving. Nothing was saved."),
                code="stale",
            )
        who = ", ".join(conflict.editors)
        when = (
            formats.date_format(timezone.localtime(conflict.changed_at), "DATETIME_FORMAT")
            if conflict.changed_at
            else ""
        )
        others = []
        for name, (label, value) in zip(conflict.changed, conflict.values(), strict=True):
            if name in self.fields and name != "edit_token":
                self.add_error(name, _("Changed meanwhile by %(who)s to: %(value)s") % {"who": who, "value": value})
            else:
                others.append(_("%(label)s, now: %(value)s") % {"label": label, "value": value})
        values = {
            "who": capfirst(who),
            "record": self.instance._meta.verbose_name,
            "when": when,
            "fields": ", ".join(conflict.labels()),
        }
        if when:
            message = _(
                "%(who)s saved this %(record)s at %(when)s, while you were editing it, and changed: %(fields)s."
            )
        else:
            message = _("%(who)s saved this %(record)s while you were editing it, and changed: %(fields)s.")
        advice = _(
            "Nothing of yours has been saved yet, and what you typed is still in the form: compare it with "
            "their values shown below, keep what you want and save again."
        )
        raise ValidationError([f"{message % values} {advice}", *others], code="conflict")
