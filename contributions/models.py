from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.permissions import can_preview
from core.text import length_constraint
from roundtables.models import Status as ProgrammeStatus
from sessions.models import Document, Organisation

from .validators import validate_contribution_pdf

# Size limits of the texts a submitter types, in characters. The model's validators (so the forms)
# and the database constraints use them; no HTML maxlength cuts a pasted text short unseen.
TITLE_MAX = 300
NAME_MAX = 200
COUNTRY_MAX = 100
SUMMARY_MAX = 5000
RECOMMENDATIONS_MAX = 5000
REASON_MAX = 2000
ACTORS_MAX = 1000
DESCRIPTION_MAX = 4000
LESSON_MAX = 2000


def contribution_document_path(instance, filename):
    """Uploaded PDFs are stored under a name of our own, never the one the browser sent."""
    return f"contributions/{timezone.now():%Y}/{instance.slug or 'contribution'}.pdf"


class ContributionQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Contribution.Status.APPROVED)

    def published(self):
        """Approved contributions to published forums: what the public sees."""
        return self.approved().filter(forum__status=ProgrammeStatus.PUBLISHED)

    def visible_to(self, user):
        """What ``user`` may see: ``published()``; staff see every contribution (``core.permissions``)."""
        return self if can_preview(user) else self.published()


class Contribution(models.Model):
    """A contribution sent by an organisation to a forum, with the good practices it shares."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    Kind = Organisation.Kind
    Language = Document.Language

    forum = models.ForeignKey(
        "roundtables.Forum", on_delete=models.PROTECT, related_name="contributions", verbose_name=_("forum")
    )
    roundtable = models.ForeignKey(
        "roundtables.Roundtable",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contributions",
        verbose_name=_("roundtable"),
    )
    session = models.ForeignKey(
        "programme_sessions.Session",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contributions",
        verbose_name=_("session"),
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    slug = models.SlugField(_("slug"), max_length=80, unique=True, help_text=_("Used in its web address."))
    organisation_name = models.CharField(_("organisation"), max_length=NAME_MAX)
    organisation_kind = models.CharField(
        _("kind of organisation"), max_length=20, choices=Organisation.Kind.choices, default=Organisation.Kind.NGO
    )
    country = models.CharField(
        _("country"), max_length=COUNTRY_MAX, blank=True, help_text=_("Where the organisation is based.")
    )
    contact_name = models.CharField(
        _("contact name"), max_length=NAME_MAX, blank=True, help_text=_("Private: never shown on public pages.")
    )
    contact_email = models.EmailField(
        _("contact e-mail"), blank=True, help_text=_("Private: the submitter is told here of the committee's review.")
    )
    summary = models.TextField(_("summary"), validators=[MaxLengthValidator(SUMMARY_MAX)], help_text=_("Plain text."))
    recommendations = models.TextField(
        _("recommendations for policymakers"),
        blank=True,
        validators=[MaxLengthValidator(RECOMMENDATIONS_MAX)],
        help_text=_("Plain text; one recommendation per paragraph."),
    )
    themes = models.ManyToManyField(
        "roundtables.Theme", blank=True, related_name="contributions", verbose_name=_("cross-cutting themes")
    )
    language = models.CharField(_("language"), max_length=5, choices=Document.Language.choices, default="en")
    document = models.FileField(
        _("PDF document"),
        upload_to=contribution_document_path,
        blank=True,
        validators=[validate_contribution_pdf],
        help_text=_("Optional; a PDF document."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    rejection_reason = models.TextField(
        _("reason for rejection"),
        blank=True,
        validators=[MaxLengthValidator(REASON_MAX)],
        help_text=_("Sent to the submitter."),
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now, editable=False)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ContributionQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "rejected"]), name="contribution_status_known"
            ),
            models.CheckConstraint(
                condition=Q(organisation_kind__in=Organisation.Kind.values), name="contribution_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(language__in=Document.Language.values), name="contribution_language_known"
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="contribution_rejection_has_reason",
                violation_error_message=_("A rejected contribution needs the reason given to its submitter."),
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(reviewed_at__isnull=False),
                name="contribution_review_is_dated",
            ),
            length_constraint("summary", SUMMARY_MAX, "contribution_summary_length"),
            length_constraint("recommendations", RECOMMENDATIONS_MAX, "contribution_recommendations_length"),
            length_constraint("rejection_reason", REASON_MAX, "contribution_rejection_reason_length"),
            length_constraint("title", TITLE_MAX, "contribution_title_length"),
            length_constraint("organisation_name", NAME_MAX, "contribution_organisation_name_length"),
            length_constraint("country", COUNTRY_MAX, "contribution_country_length"),
            length_constraint("contact_name", NAME_MAX, "contribution_contact_name_length"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("contributions:detail", kwargs={"slug": self.slug})

    @property
    def is_published(self):
        return self.status == self.Status.APPROVED

    def clean(self):
        errors = {}
        if self.roundtable_id and self.forum_id and self.roundtable.forum_id != self.forum_id:
            errors["roundtable"] = _("Choose a roundtable of this contribution's forum.")
        if self.session_id:
            if self.session.roundtable.forum_id != self.forum_id:
                errors["session"] = _("Choose a session of this contribution's forum.")
            elif self.roundtable_id and self.session.roundtable_id != self.roundtable_id:
                errors["session"] = _("Choose a session of this contribution's roundtable.")
        if self.status == self.Status.REJECTED and not self.rejection_reason.strip():
            errors["rejection_reason"] = _("Give the reason the submitter will be told.")
        if errors:
            raise ValidationError(errors)


class GoodPractice(models.Model):
    """One good practice shared by a contribution: where, who, what was done, and the lesson."""

    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, related_name="practices", verbose_name=_("contribution")
    )
    country = models.CharField(_("country"), max_length=COUNTRY_MAX)
    actors = models.TextField(_("actors involved"), validators=[MaxLengthValidator(ACTORS_MAX)])
    description = models.TextField(_("what was done"), validators=[MaxLengthValidator(DESCRIPTION_MAX)])
    lesson = models.TextField(_("lesson learned"), validators=[MaxLengthValidator(LESSON_MAX)])
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["contribution", "position", "id"]
        verbose_name = _("good practice")
        verbose_name_plural = _("good practices")
        constraints = [
            length_constraint("actors", ACTORS_MAX, "practice_actors_length"),
            length_constraint("description", DESCRIPTION_MAX, "practice_description_length"),
            length_constraint("lesson", LESSON_MAX, "practice_lesson_length"),
            length_constraint("country", COUNTRY_MAX, "practice_country_length"),
        ]

    def __str__(self):
        return f"{self.country}: {self.contribution}"
