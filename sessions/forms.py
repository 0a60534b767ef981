"""Longer than 400 lines: the forms of the session, issue, participation and document admin pages
share their choice fields and validation helpers; each form is short.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from core.edit_forms import EditTokenForm
from core.forum_time import SHORT, when_text
from core.text import mark_markdown

from .models import Document, DocumentFile, Issue, Participation, Session, session_taken_message
from .selectors import clashes_among, person_clashes, room_clashes
from .services import issue_position_next, issue_set_points


class PositionInput(forms.NumberInput):
    """An order number; static/js/admin_reorder.js adds "move up" and "move down" buttons next to it."""

    def __init__(self, attrs=None):
        defaults = {
            "class": "vSmallField reorder-position",
            "min": "0",
            "data-reorder": "position",
            "data-move-up": _("Move up"),
            "data-move-down": _("Move down"),
        }
        super().__init__({**defaults, **(attrs or {})})


def sub_point_lines(text):
    """The sub-points a textarea holds, as issue_set_points stores them: one per non-blank line, spaces collapsed."""
    return [" ".join(line.split()) for line in (text or "").splitlines() if line.strip()]


class SubPointsField(forms.CharField):
    """The sub-points textarea: changed only when the sub-points differ, not the line endings a browser sends
    (CRLF) or the spacing, so that an unchanged save records no change."""

    def has_changed(self, initial, data):
        return sub_point_lines(initial) != sub_point_lines(data)


class NextPositionFormMixin:
    """An issue form whose order field starts empty on a new row: left empty, the issue goes after its
    siblings (services.issue_position_next); a typed order is kept."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        position = self.fields.get("position")
        if position is not None:
            position.required = False
            if self.instance._state.adding:
                position.initial = None
                self.initial.pop("position", None)

    def save(self, commit=True):
        issue = self.instance
        if issue.position is None:
            issue.position = issue_position_next(session_id=issue.session_id, parent_id=issue.parent_id)
        return super().save(commit=commit)


class IssueInlineForm(NextPositionFormMixin, forms.ModelForm):
    """A main issue or proposed theme edited together with its sub-points, one per line."""

    points = mark_markdown(
        SubPointsField(
            label=_("Sub-points"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        ),
        help_text=_("One sub-point per line, in order."),
    )

    class Meta:
        model = Issue
        fields = ["kind", "text", "position"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "cols": 50}), "position": PositionInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            choice for choice in self.fields["kind"].choices if choice[0] != Issue.Kind.POINT
        ]
        if self.instance.pk:
            self.fields["points"].initial = "\n".join(point.text for point in self.instance.points.all())

    def clean_points(self):
        """Each sub-point obeys the rules of an issue's text (length, nesting), as if entered on its own."""
        points = self.cleaned_data["points"]
        text_field = Issue._meta.get_field("text")
        lines = [" ".join(line.split()) for line in points.splitlines() if line.strip()]
        errors = []
        for number, line in enumerate(lines, start=1):
            try:
                text_field.run_validators(line)
            except ValidationError as error:
                errors.extend(
                    _("Sub-point %(number)d: %(error)s") % {"number": number, "error": message}
                    for message in error.messages
                )
        if errors:
            raise ValidationError(errors)
        return points

    def save(self, commit=True):
        issue = super().save(commit=commit)
        if commit and "points" in self.changed_data:
            issue_set_points(issue=issue, texts=self.cleaned_data["points"].splitlines())
        return issue


class PointForm(NextPositionFormMixin, forms.ModelForm):
    """A sub-point edited under its issue: its kind and session follow the issue."""

    class Meta:
        model = Issue
        fields = ["text", "position"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2, "cols": 80}), "position": PositionInput}

    def clean(self):
        cleaned_data = super().clean()
        self.instance.kind = Issue.Kind.POINT
        if self.instance.parent_id:
            self.instance.session_id = self.instance.parent.session_id
        return cleaned_data


class IssueAdminForm(NextPositionFormMixin, EditTokenForm):
    class Meta:
        model = Issue
        fields = ["session", "parent", "kind", "text", "position"]


class ParticipationInlineForm(forms.ModelForm):
    class Meta:
        model = Participation
        fields = ["person", "role", "position"]
        widgets = {"position": PositionInput}


# The timetable: a room is never booked twice at once, and nobody is in two sessions at once.


def session_when(session):
    """“Mon 2 Nov, 09:30–11:00”, in the time zone of the session's forum."""
    return when_text(session.starts_at, session.ends_at, session.roundtable.forum, style=SHORT)


def room_clash_message(room, other):
    return _("%(room)s is already booked at this time for session %(code)s “%(title)s” (%(when)s).") % {
        "room": room,
        "code": other.code,
        "title": other.title,
        "when": session_when(other),
    }


def person_clash_message(person, other, role=None):
    values = {"person": person, "code": other.code, "title": other.title, "when": session_when(other)}
    if role:
        values["role"] = role
        return _("%(person)s is already in session %(code)s “%(title)s” at this time (%(when)s), as %(role)s.") % values
    return _("%(person)s is also in session %(code)s “%(title)s”, at an overlapping time (%(when)s).") % values


class SessionAdminForm(EditTokenForm):
    """A session, refused when its room is booked for another session at an overlapping time."""

    class Meta:
        model = Session
        fields = [
            "roundtable",
            "number",
            "title",
            "slug",
            "kind",
            "status",
            "starts_at",
            "ends_at",
            "room",
            "background",
            "themes",
        ]

    def clean(self):
        cleaned_data = super().clean()
        room, starts_at, ends_at = (cleaned_data.get(name) for name in ("room", "starts_at", "ends_at"))
        if {"room", "starts_at", "ends_at"} & set(self.changed_data) or self.instance.pk is None:
            for other in room_clashes(room=room, starts_at=starts_at, ends_at=ends_at, exclude=[self.instance.pk]):
                self.add_error("room", room_clash_message(room, other))
        return cleaned_data


def _kept_forms(formset):
    """The valid forms of ``formset`` that will be saved (not deleted, not left empty)."""
    return [
        form
        for form in formset.forms
        if form.is_valid() and form.cleaned_data and not formset._should_delete_form(form)
    ]


def _times_changed(session):
    if session.pk is None:
        return True
    saved = Session.objects.filter(pk=session.pk).values_list("starts_at", "ends_at").first()
    return saved != (session.starts_at, session.ends_at)


class SessionParticipationFormSet(BaseInlineFormSet):
    """A session's people in roles, refused when one of them is in another session at the same time."""

    def clean(self):
        super().clean()
        session = self.instance
        if not (session.starts_at and session.ends_at):
            return
        check_all = _times_changed(session)
        forms = [form for form in _kept_forms(self) if form.cleaned_data.get("person")]
        people = {form.cleaned_data["person"].pk for form in forms if check_all or form.has_changed()}
        reported = set()
        for other in person_clashes(
            people=people, starts_at=session.starts_at, ends_at=session.ends_at, exclude=[session.pk]
        ):
            if other.person_id in reported:
                continue
            reported.add(other.person_id)
            form = next(form for form in forms if form.cleaned_data["person"].pk == other.person_id)
            form.add_error("person", person_clash_message(other.person, other.session, other.get_role_display()))


class RoundtableSessionFormSet(BaseInlineFormSet):
    """The sessions of a roundtable, checked as one timetable: rooms and people are not booked twice."""

    def clean(self):
        self._name_taken_numbers()
        super().clean()
        forms = _kept_forms(self)
        sessions = [form.instance for form in forms]
        prefetch_related_objects([s for s in sessions if s.pk], "participations__person")
        in_formset = [form.instance.pk for form in self.forms if form.instance.pk]
        changed = {id(form.instance) for form in forms if form.has_changed()}
        for form in forms:
            session = form.instance
            if id(session) not in changed or not session.starts_at or not session.ends_at:
                continue
            for other in room_clashes(
                room=session.room, starts_at=session.starts_at, ends_at=session.ends_at, exclude=in_formset
            ):
                form.add_error("room", room_clash_message(session.room, other))
            people = [participation.person_id for participation in session.participations.all()] if session.pk else []
            for other in person_clashes(
                people=people, starts_at=session.starts_at, ends_at=session.ends_at, exclude=in_formset
            ):
                form.add_error("starts_at", person_clash_message(other.person, other.session, other.get_role_display()))
        forms_by_session = {id(form.instance): form for form in forms}
        for clash in clashes_among(sessions):
            if id(clash.first) not in changed and id(clash.second) not in changed:
                continue
            form = forms_by_session[id(clash.second if id(clash.second) in changed else clash.first)]
            other = clash.first if form.instance is clash.second else clash.second
            if clash.kind == "room":
                form.add_error("room", room_clash_message(clash.subject, other))
            else:
                form.add_error("starts_at", person_clash_message(clash.subject, other))

    def _name_taken_numbers(self):
        """Two rows with one number (or slug): the row changed is told which session has it, before the
        formset's own check, which would only say “Please correct the duplicate values below.”"""
        for field in ("number", "slug"):
            seen = {}
            for form in _kept_forms(self):
                value = form.cleaned_data.get(field)
                if value is None or value == "":
                    continue
                first = seen.setdefault(value, form)
                if first is not form:
                    blamed, other = (form, first) if form.has_changed() or not first.has_changed() else (first, form)
                    blamed.add_error(field, session_taken_message(field, other.instance))


class PersonParticipationFormSet(BaseInlineFormSet):
    """A person's roles in sessions, refused when two of their sessions overlap."""

    def clean(self):
        super().clean()
        person = self.instance
        roles = [(form, form.cleaned_data["session"]) for form in _kept_forms(self) if form.cleaned_data.get("session")]
        in_formset = [session.pk for _form, session in roles]
        reported = set()
        for form, session in roles:
            if not form.has_changed() or not session.starts_at:
                continue
            for other in person_clashes(
                people=[person.pk], starts_at=session.starts_at, ends_at=session.ends_at, exclude=in_formset
            ):
                form.add_error("session", person_clash_message(person, other.session, other.get_role_display()))
            for _other_form, other in roles:
                pair = frozenset([session.pk, other.pk])
                if other.pk != session.pk and pair not in reported and _overlap(session, other):
                    reported.add(pair)
                    form.add_error("session", person_clash_message(person, other))


def _overlap(first, second):
    return bool(
        first.starts_at and second.starts_at and first.starts_at < second.ends_at and second.starts_at < first.ends_at
    )


class ParticipationAdminForm(EditTokenForm):
    """One person in one role, refused when they are in another session at the same time."""

    class Meta:
        model = Participation
        fields = ["session", "person", "role", "position"]

    def clean(self):
        cleaned_data = super().clean()
        session, person = cleaned_data.get("session"), cleaned_data.get("person")
        if session and person and session.starts_at and {"session", "person"} & set(self.changed_data):
            for other in person_clashes(
                people=[person.pk], starts_at=session.starts_at, ends_at=session.ends_at, exclude=[session.pk]
            ):
                self.add_error("person", person_clash_message(person, other.session, other.get_role_display()))
        return cleaned_data


# Documents ---------------------------------------------------------------------------------------


class SessionsChoiceField(forms.ModelMultipleChoiceField):
    """Sessions to attach a document to; named with their forum while the document's forum is not known.
    Give it a queryset with ``select_related("roundtable__forum")``."""

    show_forum = False

    def label_from_instance(self, obj):
        label = f"{obj.code} {obj.title}"
        return f"{obj.roundtable.forum.name} · {label}" if self.show_forum else label


class RoundtablesChoiceField(forms.ModelMultipleChoiceField):
    """Roundtables to attach a document to; named with their forum while the document's forum is not known."""

    show_forum = False

    def label_from_instance(self, obj):
        return f"{obj.forum.name} · {obj}" if self.show_forum else str(obj)


class DocumentAdminForm(EditTokenForm):
    """A document: its forum, and the sessions and roundtables of that forum it is a paper of.

    ``editable_roundtables`` (set by the admin) is None for the committee; for a coordinator it holds
    the ids of their roundtables, and the document must then be attached to one of their sessions at least.
    """

    editable_roundtables = None

    class Meta:
        model = Document
        fields = "__all__"

    def clean(self):
        cleaned_data = super().clean()
        forum = cleaned_data.get("forum")
        sessions = list(cleaned_data.get("sessions") or [])
        roundtables = list(cleaned_data.get("roundtables") or [])
        if forum is not None:
            elsewhere = [session for session in sessions if session.roundtable.forum_id != forum.pk]
            if elsewhere:
                self.add_error(
                    "sessions",
                    _("Choose sessions of the forum “%(forum)s”; these belong to another forum: %(sessions)s.")
                    % {
                        "forum": forum.name,
                        "sessions": ", ".join(
                            f"{session.code} {session.title} ({session.roundtable.forum.name})" for session in elsewhere
                        ),
                    },
                )
            elsewhere = [roundtable for roundtable in roundtables if roundtable.forum_id != forum.pk]
            if elsewhere:
                self.add_error(
                    "roundtables",
                    _("Choose roundtables of the forum “%(forum)s”; these belong to another forum: %(roundtables)s.")
                    % {
                        "forum": forum.name,
                        "roundtables": ", ".join(f"{item} ({item.forum.name})" for item in elsewhere),
                    },
                )
        if self.editable_roundtables is not None and "sessions" not in self.errors and not sessions:
            self.add_error("sessions", _("Attach the document to at least one session of your roundtables."))
        return cleaned_data


class DocumentFileFormSet(BaseInlineFormSet):
    """A document's files: one per language, at least one. A new document offers a row for each language."""

    def __init__(self, *args, **kwargs):
        instance = kwargs.get("instance")
        if instance is None or instance.pk is None:
            kwargs.setdefault("initial", [{"language": language} for language in Document.Language.values])
        super().__init__(*args, **kwargs)

    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        kept = [
            form
            for form in self.forms
            if not self._should_delete_form(form)
            and (form.instance.pk is not None or (form.has_changed() and form.cleaned_data.get("file")))
        ]
        if not kept:
            raise ValidationError(_("Give the document a file in one language at least."), code="no_file")


class DocumentFileForm(forms.ModelForm):
    class Meta:
        model = DocumentFile
        fields = ["language", "file"]

    def note_file_not_kept(self):
        """After an error anywhere on the page, say that the file chosen in this row must be chosen again:
        a browser never sends a file twice."""
        if self.is_bound and self.files.get(self.add_prefix("file")) and "file" not in self.errors:
            self.add_error(
                "file", _("This file was not kept because the form needs corrections: please choose it again.")
            )
