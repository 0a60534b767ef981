"""Longer than 400 lines: Django keeps an app's models in one module; these are the sessions app's
records (rooms, organisations, people, sessions, issues, participations, documents and their files),
each with its own constraints.
"""

from pathlib import Path

import reversion
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.forum_time import within_forum_days
from core.permissions import can_preview
from core.text import length_constraint, validate_markdown
from core.translated import translation_length_constraints
from roundtables.models import BACKGROUND_MAX, NAME_MAX, PLACE_MAX, TITLE_MAX, Status

from .validators import validate_document_file

# The longest texts, in characters, checked by the forms and by the database (titles, names and
# places as in roundtables.models). The Athens 2009 concept note's longest session background has
# 3,725 characters, its longest issue 392 and its longest sub-point 1,350.
ROOM_NAME_MAX = 100
BIOGRAPHY_MAX = 5_000  # a speaker's biography: a few paragraphs
ISSUE_TEXT_MAX = 3_000  # an issue, question or sub-point: more than twice the longest sub-point
DOCUMENT_DESCRIPTION_MAX = 2_000  # plain text, one paragraph


@reversion.register()
class Room(models.Model):
    forum = models.ForeignKey(
        "roundtables.Forum", on_delete=models.CASCADE, related_name="rooms", verbose_name=_("forum")
    )
    name = models.CharField(_("name"), max_length=ROOM_NAME_MAX)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True, help_text=_("Seats."))
    position = models.PositiveSmallIntegerField(_("order"), default=0, help_text=_("Column order in the timetable."))

    class Meta:
        ordering = ["forum", "position", "name"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        constraints = [
            models.UniqueConstraint(fields=["forum", "name"], name="room_name_unique_in_forum"),
            length_constraint("name", ROOM_NAME_MAX, "room_name_length"),
            # The same limits in each language's column of the translated texts (translation.py).
            *translation_length_constraints("room", "name", ROOM_NAME_MAX),
        ]

    def __str__(self):
        return self.name


@reversion.register()
class Organisation(models.Model):
    class Kind(models.TextChoices):
        NGO = "ngo", _("Non-governmental organisation")
        DIASPORA = "diaspora", _("Diaspora or migrant organisation")
        TRADE_UNION = "trade_union", _("Trade union")
        BUSINESS = "business", _("Business")
        ACADEMIA = "academia", _("Academia or research")
        LOCAL_AUTHORITY = "local_authority", _("Local authority")
        INTERNATIONAL = "international", _("International organisation")
        GOVERNMENT = "government", _("Government")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=NAME_MAX, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.NGO)
    country = models.CharField(_("country"), max_length=PLACE_MAX, blank=True)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            length_constraint("name", NAME_MAX, "organisation_name_length"),
            length_constraint("country", PLACE_MAX, "organisation_country_length"),
            *translation_length_constraints("organisation", "name", NAME_MAX),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("roundtables:organisation", kwargs={"slug": self.slug})


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user):
        """People with a role in a session ``user`` may see (staff: everyone)."""
        if can_preview(user):
            return self
        roles = Participation.objects.filter(
            person=models.OuterRef("pk"), session__in=Session.objects.visible_to(user).values("pk")
        )
        return self.filter(models.Exists(roles))


@reversion.register()
class Person(models.Model):
    name = models.CharField(_("name"), max_length=NAME_MAX)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("organisation"),
    )
    position = models.CharField(_("position"), max_length=NAME_MAX, blank=True, help_text=_("Job title."))
    country = models.CharField(_("country"), max_length=PLACE_MAX, blank=True)
    biography = models.TextField(
        _("biography"),
        blank=True,
        validators=[MaxLengthValidator(BIOGRAPHY_MAX), validate_markdown],
        help_text=_("Markdown."),
    )
    email = models.EmailField(_("e-mail"), blank=True, help_text=_("Private: never shown on public pages."))

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            length_constraint("name", NAME_MAX, "person_name_length"),
            length_constraint("position", NAME_MAX, "person_position_length"),
            length_constraint("country", PLACE_MAX, "person_country_length"),
            length_constraint("biography", BIOGRAPHY_MAX, "person_biography_length"),
            *translation_length_constraints("person", "position", NAME_MAX),
            *translation_length_constraints("person", "biography", BIOGRAPHY_MAX),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("sessions:person", kwargs={"slug": self.slug})


class SessionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED, roundtable__forum__status=Status.PUBLISHED)

    def visible_to(self, user):
        """What ``user`` may see: published sessions of published forums; staff see drafts too."""
        return self if can_preview(user) else self.published()

    def in_forum(self, forum):
        return self.filter(roundtable__forum=forum)


# A session's versions include its issues (with their sub-points) and its participants.
@reversion.register(follow=["issues", "participations"])
class Session(models.Model):
    class Kind(models.TextChoices):
        """A roundtable session, or an item of the timetable around the sessions."""

        SESSION = "session", _("Session")
        PLENARY = "plenary", _("Plenary")
        BREAK = "break", _("Break")
        RECEPTION = "reception", _("Reception")

    roundtable = models.ForeignKey(
        "roundtables.Roundtable",
        on_delete=models.PROTECT,
        related_name="sessions",
        verbose_name=_("roundtable"),
    )
    number = models.PositiveSmallIntegerField(
        _("number"),
        help_text=_("Number within the roundtable: session 2 of roundtable 1 has the code 1.2."),
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    slug = models.SlugField(_("slug"), max_length=80)
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=Kind.choices,
        default=Kind.SESSION,
        help_text=_(
            "Plenaries, breaks and receptions are shown in the timetable across the row, without a code, "
            "star or handout, and have no issues."
        ),
    )
    background = models.TextField(
        _("background"),
        blank=True,
        validators=[MaxLengthValidator(BACKGROUND_MAX), validate_markdown],
        help_text=_("Markdown."),
    )
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions", verbose_name=_("room")
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        help_text=_("Only published sessions of published forums are visible to the public."),
    )
    themes = models.ManyToManyField(
        "roundtables.Theme", blank=True, related_name="sessions", verbose_name=_("cross-cutting themes")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["roundtable__forum", "roundtable__number", "number"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.UniqueConstraint(fields=["roundtable", "number"], name="session_number_unique_in_roundtable"),
            models.UniqueConstraint(fields=["roundtable", "slug"], name="session_slug_unique_in_roundtable"),
            models.CheckConstraint(condition=Q(number__gte=1), name="session_number_positive"),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True, ends_at__isnull=True)
                | Q(starts_at__isnull=False, ends_at__isnull=False, ends_at__gt=F("starts_at")),
                name="session_ends_after_start",
                violation_error_message=_("A session needs both a start and an end, and must end after it starts."),
            ),
            length_constraint("title", TITLE_MAX, "session_title_length"),
            models.CheckConstraint(
                condition=Q(kind__in=["session", "plenary", "break", "reception"]), name="session_kind_known"
            ),
            length_constraint("background", BACKGROUND_MAX, "session_background_length"),
            *translation_length_constraints("session", "title", TITLE_MAX),
            *translation_length_constraints("session", "background", BACKGROUND_MAX),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse(
            "roundtables:session",
            kwargs={"forum": self.roundtable.forum.slug, "roundtable": self.roundtable.slug, "slug": self.slug},
        )

    @property
    def code(self):
        """The code delegates know the session by, such as 1.2 (unique in its forum)."""
        if self.roundtable_id is None or self.number is None:
            return ""
        return f"{self.roundtable.number}.{self.number}"

    @property
    def is_published(self):
        return self.status == Status.PUBLISHED

    @property
    def is_session(self):
        """A roundtable session (with a code, a star and a handout), not a plenary, break or reception."""
        return self.kind == self.Kind.SESSION

    def unique_error_message(self, model_class, unique_check):
        """Name the session that already has this number (or slug) in the roundtable, as the clash messages do:
        “Session 1.2 “Engaging diasporas” already has this number in Roundtable 1.”"""
        field = tuple(unique_check)[1:] if tuple(unique_check)[:1] == ("roundtable",) else ()
        if model_class is Session and self.roundtable_id and field in {("number",), ("slug",)}:
            other = (
                Session.objects.select_related("roundtable__forum")
                .filter(roundtable_id=self.roundtable_id, **{field[0]: getattr(self, field[0])})
                .exclude(pk=self.pk)
                .first()
            )
            if other is not None:
                return ValidationError(session_taken_message(field[0], other), code="unique_together")
        return super().unique_error_message(model_class, unique_check)

    def clean(self):
        errors = {}
        if bool(self.starts_at) != bool(self.ends_at):
            missing = "ends_at" if self.starts_at else "starts_at"
            errors[missing] = _("Give both the start and the end, or neither.")
        elif self.starts_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The session must end after it starts.")
        if self.roundtable_id and self.starts_at and "ends_at" not in errors:
            forum = self.roundtable.forum
            if not within_forum_days(self.starts_at, self.ends_at, forum):
                errors["starts_at"] = _(
                    "The session must take place during the forum, from %(first)s to %(last)s (%(zone)s)."
                ) % {"first": forum.starts_on, "last": forum.ends_on, "zone": forum.time_zone}
        if self.roundtable_id and self.room_id and self.room.forum_id != self.roundtable.forum_id:
            errors["room"] = _("Choose a room of this session's forum.")
        if self.pk and not self.is_session and self.issues.exists():
            errors["kind"] = _("Only a session has issues: remove its issues first, or keep it a session.")
        if errors:
            raise ValidationError(errors)


def session_taken_message(field, other):
    """“Session 1.2 “Engaging diasporas” already has this number in Roundtable 1.” (``field``: "number" or
    "slug"; ``other``: the session that has it, its roundtable and forum at hand), named as its forum names them."""
    forum = other.roundtable.forum
    values = {
        "session": forum.session_label(other.code),
        "title": other.title,
        "roundtable": forum.group_label(other.roundtable.number),
    }
    if field == "number":
        return _("%(session)s “%(title)s” already has this number in %(roundtable)s.") % values
    return _("%(session)s “%(title)s” already has this slug in %(roundtable)s.") % values


# An issue or a role changed on its own is recorded in its session's history too.
@reversion.register(follow=["session"])
class Issue(models.Model):
    """A main issue, proposed theme or discussion question of a session, or a sub-point of one."""

    class Kind(models.TextChoices):
        MAIN_ISSUE = "main_issue", _("Main issue")
        PROPOSED_THEME = "proposed_theme", _("Proposed theme")
        QUESTION = "question", _("Discussion question")
        POINT = "point", _("Sub-point")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="issues", verbose_name=_("session"))
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="points",
        verbose_name=_("parent issue"),
        help_text=_("Leave empty for a main issue, proposed theme or question; choose one for its sub-point."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MAIN_ISSUE)
    text = models.TextField(
        _("text"), validators=[MaxLengthValidator(ISSUE_TEXT_MAX), validate_markdown], help_text=_("Markdown.")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["session", "position", "id"]
        verbose_name = _("issue")
        verbose_name_plural = _("issues")
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=True, kind__in=["main_issue", "proposed_theme", "question"])
                | Q(parent__isnull=False, kind="point"),
                name="issue_points_have_a_parent",
                violation_error_message=_("A sub-point belongs under an issue; an issue has no parent."),
            ),
            length_constraint("text", ISSUE_TEXT_MAX, "issue_text_length"),
            *translation_length_constraints("issue", "text", ISSUE_TEXT_MAX),
        ]

    def __str__(self):
        text = " ".join(self.text.split())
        return text if len(text) <= 80 else f"{text[:79]}…"

    def clean(self):
        if self.session_id and not self.session.is_session:
            raise ValidationError(_("Only a session has issues, not a plenary, break or reception."))
        if self.parent_id is None:
            if self.kind == self.Kind.POINT:
                raise ValidationError({"parent": _("A sub-point must belong to an issue.")})
            return
        if self.kind != self.Kind.POINT:
            raise ValidationError({"kind": _("An item under an issue is a sub-point.")})
        if self.parent.parent_id is not None:
            raise ValidationError({"parent": _("Sub-points nest one level deep: choose a main issue or theme.")})
        if self.session_id and self.parent.session_id != self.session_id:
            raise ValidationError({"parent": _("The parent issue belongs to another session.")})


@reversion.register(follow=["session"])
class Participation(models.Model):
    """A person's role in a session."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        MODERATOR = "moderator", _("Moderator")
        RAPPORTEUR = "rapporteur", _("Rapporteur")
        SPEAKER = "speaker", _("Speaker")
        RESOURCE_PERSON = "resource_person", _("Resource person")

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="participations", verbose_name=_("session")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="participations", verbose_name=_("person")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["session", "position", "id"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["session", "person", "role"], name="participation_unique_role"),
        ]

    def __str__(self):
        return f"{self.person} ({self.get_role_display()})"


def _public_rule():
    """The condition of ``DocumentQuerySet.with_is_public`` (see there)."""
    published = Status.PUBLISHED
    session_links = Document.sessions.through.objects.filter(document=models.OuterRef("pk"))
    return Q(forum__status=published) & (
        models.Exists(Document.roundtables.through.objects.filter(document=models.OuterRef("pk")))
        | models.Exists(session_links.filter(session__status=published, session__roundtable__forum__status=published))
        | ~models.Exists(session_links)
    )


class DocumentQuerySet(models.QuerySet):
    def in_forum(self, forum):
        return self.filter(forum=forum)

    def with_is_public(self):
        """Each document with ``is_public``, the one rule of what documents the public sees: those of
        published forums, except a document attached only to sessions that are all drafts (attached
        to a roundtable, or to nothing but its forum, it is public with its forum)."""
        return self.annotate(is_public=models.ExpressionWrapper(_public_rule(), output_field=models.BooleanField()))

    def visible_to(self, user):
        """The documents ``user`` may see, each with ``is_public`` (staff see all, drafts' too).

        For the public the rule is a condition only, and ``is_public`` the constant it implies: selecting the
        rule as well would build its three subqueries twice."""
        if can_preview(user):
            return self.with_is_public()
        return self.filter(_public_rule()).annotate(is_public=models.Value(True, output_field=models.BooleanField()))

    def by_kind(self):
        """In the order of ``Document.Kind`` (concept notes first), then by position and title."""
        order = models.Case(
            *(models.When(kind=value, then=index) for index, value in enumerate(Document.Kind.values)),
            default=len(Document.Kind.values),
            output_field=models.IntegerField(),
        )
        return self.order_by(order, "position", "title", "pk")


# A document's versions include its files (one per language); its sessions and roundtables are
# part of the document itself (many-to-many fields).
@reversion.register(follow=["files"])
class Document(models.Model):
    """A paper of a forum (concept note, action paper…): one record with a file per language,
    attached to any number of the forum's sessions and roundtables, or to none (a forum document)."""

    class Kind(models.TextChoices):
        CONCEPT_NOTE = "concept_note", _("Concept note")
        ACTION_PAPER = "action_paper", _("Action paper")
        BACKGROUND_PAPER = "background_paper", _("Background paper")
        RAPPORTEUR_REPORT = "rapporteur_report", _("Rapporteur’s report")
        OUTCOME_DOCUMENT = "outcome_document", _("Outcome document")
        REPORT = "report", _("Report")
        CONTRIBUTION = "contribution", _("Contribution")
        OTHER = "other", _("Other")

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        FRENCH = "fr", _("French")
        SPANISH = "es", _("Spanish")

    forum = models.ForeignKey(
        "roundtables.Forum",
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("forum"),
        help_text=_("The forum the document belongs to; its sessions and roundtables are chosen from this forum."),
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.TextField(
        _("description"), blank=True, validators=[MaxLengthValidator(DOCUMENT_DESCRIPTION_MAX)]
    )
    circulated_on = models.DateField(_("date circulated"), null=True, blank=True)
    sessions = models.ManyToManyField(
        Session,
        blank=True,
        related_name="documents",
        verbose_name=_("sessions"),
        help_text=_("The sessions it is a paper of. It shows on their pages and handouts."),
    )
    roundtables = models.ManyToManyField(
        "roundtables.Roundtable",
        blank=True,
        related_name="documents",
        verbose_name=_("roundtables"),
        help_text=_(
            "The roundtables it is a paper of. It shows on their pages and on the pages of all their sessions."
        ),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["position", "-circulated_on", "title"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "concept_note",
                        "action_paper",
                        "background_paper",
                        "rapporteur_report",
                        "outcome_document",
                        "report",
                        "contribution",
                        "other",
                    ]
                ),
                name="document_kind_known",
            ),
            length_constraint("title", TITLE_MAX, "document_title_length"),
            length_constraint("description", DOCUMENT_DESCRIPTION_MAX, "document_description_length"),
            *translation_length_constraints("document", "title", TITLE_MAX),
            *translation_length_constraints("document", "description", DOCUMENT_DESCRIPTION_MAX),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        """The document in the language of the page (else English, else any): see ``DocumentFile``."""
        return reverse("sessions:document", kwargs={"pk": self.pk})


LANGUAGE_ORDER = list(Document.Language.values)  # English, French, Spanish: how the files are listed


# A file changed on its own is recorded in its document's history too.
@reversion.register(follow=["document"])
class DocumentFile(models.Model):
    """A document in one language: the file the delegate downloads."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="files", verbose_name=_("document"))
    language = models.CharField(
        _("language"), max_length=5, choices=Document.Language.choices, default=Document.Language.ENGLISH
    )
    file = models.FileField(
        _("file"),
        upload_to="documents/%Y/",
        validators=[validate_document_file],
        help_text=_("A PDF document or a plain text file."),
    )
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["document", "language"]
        verbose_name = _("file")
        verbose_name_plural = _("files, one per language")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "language"],
                name="document_file_language_unique",
                violation_error_message=_("The document has a file in this language already."),
            ),
            models.CheckConstraint(condition=Q(language__in=["en", "fr", "es"]), name="document_file_language_known"),
        ]

    def __str__(self):
        language = self.get_language_display()
        return f"{language}: {Path(self.file.name).name}" if self.file else language

    def save(self, *args, **kwargs):
        # The size shown beside the link, read once from the storage rather than on every page.
        if self.file:
            try:
                self.size = self.file.size
            except OSError:
                self.size = None
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("sessions:document-file", kwargs={"pk": self.document_id, "language": self.language})

    @property
    def name(self):
        return Path(self.file.name).name

    @property
    def is_pdf(self):
        return self.file.name.lower().endswith(".pdf")
