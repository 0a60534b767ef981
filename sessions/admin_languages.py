"""The session list's filters "Missing French" and "Missing Spanish": sessions of which a text has an
English text but no translation in that language (their title, their background, or the text of one of
their issues or sub-points). The same rule as the dashboard's figures (programme.translation_progress)."""

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from core.translated import SOURCE_LANGUAGE, translated_fields

from .models import Issue, Session


def _untranslated(field, language, prefix=""):
    """A text with an English text and none in ``language``."""
    english, target = f"{prefix}{field}_{SOURCE_LANGUAGE}", f"{prefix}{field}_{language}"
    return (Q(**{f"{english}__isnull": False}) & ~Q(**{english: ""})) & (
        Q(**{f"{target}__isnull": True}) | Q(**{target: ""})
    )


def missing_translation(language):
    """A condition on sessions: one of their texts, or of their issues' and sub-points', misses ``language``."""
    condition = Q()
    for field in translated_fields(Session):
        condition |= _untranslated(field, language)
    issues = Q()
    for field in translated_fields(Issue):
        issues |= _untranslated(field, language)
    return condition | Exists(Issue.objects.filter(issues, session=OuterRef("pk")))


class MissingTranslationFilter(admin.SimpleListFilter):
    language = ""

    def lookups(self, request, model_admin):
        return [("yes", _("Yes"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(missing_translation(self.language))
        return queryset


class MissingFrenchFilter(MissingTranslationFilter):
    title = _("Missing French")
    parameter_name = "missing_fr"
    language = "fr"


class MissingSpanishFilter(MissingTranslationFilter):
    title = _("Missing Spanish")
    parameter_name = "missing_es"
    language = "es"
