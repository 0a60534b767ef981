"""What the programme app stores of its own: the search index (``programme.search_index`` writes it,
``programme.search`` reads it)."""

from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _


class SearchEntry(models.Model):
    """The words of one public record in one language, as the record's page shows them there: what search
    matches, ranks and quotes, in plain text (Markdown is turned into text once, when the entry is written).

    Every record has its English entry; a French or Spanish entry exists only where the record has a text of
    its own in that language (its other texts are then the English ones, as the page shows them, and
    ``title_language`` / ``text_language`` say so). Which records a visitor may see is not stored here:
    search keeps only the records that the kind's public queryset (``visible_to``) gives the visitor.

    Full-text structures are added by the migration for the database in use: on SQLite two FTS5 tables
    kept in step by triggers (English entries stemmed, French and Spanish entries by word), on PostgreSQL
    a stored ``search_vector`` column in each entry's language with a GIN index.
    """

    class Kind(models.TextChoices):
        SESSIONS = "sessions", _("Sessions")
        ISSUES = "issues", _("Issues and questions")
        ROUNDTABLES = "roundtables", _("Roundtables")
        THEMES = "themes", _("Themes")
        PEOPLE = "people", _("People")
        DOCUMENTS = "documents", _("Documents")
        CONTRIBUTIONS = "contributions", _("Good practices")
        ROOMS = "rooms", capfirst(_("rooms"))

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(_("record"))
    language = models.CharField(_("language"), max_length=2)
    title = models.TextField(_("title"), blank=True)
    title_language = models.CharField(
        _("language of the title"), max_length=2, blank=True, help_text=_("Empty for a name, in no language.")
    )
    text = models.TextField(_("text"), blank=True, help_text=_("Shown as an excerpt under the title."))
    text_language = models.CharField(_("language of the text"), max_length=2, blank=True)
    other = models.TextField(_("other words"), blank=True, help_text=_("Searched, never shown."))

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id", "language"], name="search_entry_unique"),
        ]

    def __str__(self):
        return f"{self.kind} {self.object_id} ({self.language})"
