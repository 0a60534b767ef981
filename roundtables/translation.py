"""The texts of forums, roundtables and themes that the committee writes in English and may translate
into French and Spanish: one column per language (see core/translated.py)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Forum, Roundtable, Theme


class ProgrammeTextOptions(TranslationOptions):
    """English is required wherever the field itself is; French and Spanish are optional, and a missing
    one is NULL (not an empty string, which the unique names of themes, organisations and rooms would
    refuse twice)."""

    required_languages = ("en",)
    empty_values = None


# A forum's venue is its building's name as delegates read it ("Palais des Nations"); the venue address
# is a postal address for map searches, the same in every language, so it is not translated. The
# forum's names for its groups and sessions (group_name_en...) have their own columns per language.
@register(Forum)
class ForumTranslation(ProgrammeTextOptions):
    fields = ("name", "city", "country", "venue", "description")


@register(Theme)
class ThemeTranslation(ProgrammeTextOptions):
    fields = ("name", "description")


@register(Roundtable)
class RoundtableTranslation(ProgrammeTextOptions):
    fields = ("title", "background")
