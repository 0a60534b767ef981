"""Forms of the committee's admin for forums and roundtables: a forum's time zone, the next edition."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from core.edit_forms import EditTokenForm
from core.text import drop_maxlength
from roundtables.models import NAMING_FIELDS, TIME_ZONE_CHOICES, Forum, Roundtable

from .services import sessions_without_local_time_in


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
