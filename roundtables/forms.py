"""Forms of the committee's admin: edits that cannot overwrite someone else's, and the next edition."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from gfmd_portal.text import drop_maxlength

from .models import NAMING_FIELDS, TIME_ZONE_CHOICES, Forum, Roundtable
from .services import sessions_without_local_time_in
from .versions import edit_conflict, edit_token


# Choices named with their forum: every edition has a "Roundtable 1" and a "Room A".
def roundtable_label(roundtable):
    """“Dhaka 2016 · Roundtable 1: Protection of migrant workers” (fetch the roundtable with its forum)."""
    return f"{roundtable.forum.name} · {roundtable}"


def room_label(room):
    """“Dhaka 2016 · Hall A” (fetch the room with its forum)."""
    return f"{room.forum.name} · {room.name}"


class RoundtableChoiceField(forms.ModelChoiceField):
    """A roundtable among those of several forums; give it a queryset with ``select_related("forum")``."""

    def label_from_instance(self, obj):
        return roundtable_label(obj)


class RoundtableMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Roundtables among those of several forums; give it a queryset with ``select_related("forum")``."""

    def label_from_instance(self, obj):
        return roundtable_label(obj)


class RoomChoiceField(forms.ModelChoiceField):
    """A room among those of several forums; give it a queryset with ``select_related("forum")``."""

    def label_from_instance(self, obj):
        return room_label(obj)


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


def skipped_times_message(missing, time_zone):
    """The error for sessions whose local times the clocks skip in ``time_zone``."""
    sessions = "; ".join(
        _("%(code)s “%(title)s” at %(time)s on %(date)s")
        % {
            "code": session.code,
            "title": session.title,
            "time": formats.time_format(local, "H:i"),
            "date": formats.date_format(local, "DATE_FORMAT"),
        }
        for session, local in missing
    )
    return _(
        "In %(zone)s the clocks skip these local times, so these sessions cannot keep them: %(sessions)s. "
        "Move the sessions first, or choose another time zone. Nothing was saved."
    ) % {"zone": time_zone, "sessions": sessions}


class ForumAdminForm(EditTokenForm):
    """A forum; a new time zone keeps the sessions' local times (roundtables.services.forum_save)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "time_zone" in self.fields:
            self.fields["time_zone"].help_text = _(
                "Times of sessions are entered and shown in this time zone. Changing it keeps each session's "
                "local times: a session at 09:00 stays at 09:00, now in the new zone."
            )

    def clean_time_zone(self):
        time_zone = self.cleaned_data["time_zone"]
        if self.instance.pk is not None and time_zone != self.instance.time_zone:
            missing = sessions_without_local_time_in(forum=self.instance, time_zone=time_zone)
            if missing:
                raise ValidationError(skipped_times_message(missing, time_zone), code="skipped_time")
        return time_zone

    class Meta:
        model = Forum
        fields = [
            "name",
            "slug",
            "status",
            "description",
            "city",
            "country",
            "venue",
            "starts_on",
            "ends_on",
            "time_zone",
            *NAMING_FIELDS,
        ]


class RoundtableAdminForm(EditTokenForm):
    class Meta:
        model = Roundtable
        fields = ["forum", "number", "title", "slug", "background", "coordinators"]


class ForumDuplicateForm(forms.Form):
    """The next edition: its name, web address, place, time zone and first day; the programme is copied from a
    forum."""

    name = forms.CharField(label=_("name"), max_length=Forum._meta.get_field("name").max_length)
    slug = forms.SlugField(
        label=_("slug"),
        max_length=Forum._meta.get_field("slug").max_length,
        help_text=_("Used in web addresses, e.g. athens-2009."),
    )
    city = forms.CharField(label=_("city"), max_length=Forum._meta.get_field("city").max_length)
    country = forms.CharField(label=_("country"), max_length=Forum._meta.get_field("country").max_length)
    venue = forms.CharField(label=_("venue"), max_length=Forum._meta.get_field("venue").max_length, required=False)
    time_zone = forms.ChoiceField(
        label=_("time zone"),
        choices=[("", "---------"), *TIME_ZONE_CHOICES],
        help_text=_("The new edition's local time zone: sessions keep their local times in it."),
    )
    starts_on = forms.DateField(
        label=_("first day"), help_text=_("Sessions move by the same number of days, at the same local time.")
    )
    with_people = forms.BooleanField(
        label=_("Copy who holds which role"),
        required=False,
        initial=True,
        help_text=_("Chairs, rapporteurs, speakers… Untick to start the new edition without people."),
    )

    def __init__(self, *args, forum, **kwargs):
        self.forum = forum
        kwargs.setdefault("initial", self.suggestion(forum))
        super().__init__(*args, **kwargs)
        drop_maxlength(self.fields.values())  # a too long name comes back whole, with a message

    @staticmethod
    def suggestion(forum):
        """Next year's edition, on the same weekday, with a free slug."""
        starts_on = forum.starts_on + datetime.timedelta(weeks=52)
        slug = f"{forum.slug}-next"
        number = 2
        while Forum.objects.filter(slug=slug).exists():
            slug = f"{forum.slug}-next-{number}"
            number += 1
        return {
            "name": _("%(name)s (next edition)") % {"name": forum.name},
            "slug": slug,
            "starts_on": starts_on,
            "with_people": True,
        }

    def clean(self):
        cleaned_data = super().clean()
        time_zone, starts_on = cleaned_data.get("time_zone"), cleaned_data.get("starts_on")
        if time_zone and starts_on:
            days = starts_on - self.forum.starts_on
            missing = sessions_without_local_time_in(forum=self.forum, time_zone=time_zone, days=days)
            if missing:
                self.add_error("time_zone", skipped_times_message(missing, time_zone))
        return cleaned_data

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if Forum.objects.filter(slug=slug).exists():
            raise ValidationError(_("A forum with this slug exists already."), code="unique")
        return slug
