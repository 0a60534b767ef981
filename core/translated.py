"""The programme's texts in English, French and Spanish.

The committee writes every text in English, the source language; French and Spanish are optional.
Each translated field, such as a session's ``title``, has one column per language (``title_en``,
``title_fr``, ``title_es``), added by django-modeltranslation from the ``translation.py`` of the app
that owns the model. Reading ``session.title`` gives the text in the active language, or the English
one when that language has none; pages, PDFs and calendars read texts that way.

- A missing text is stored as NULL (``None``): ``set_text`` stores a blank text so. Theme, organisation
  and room names are unique in each language, so an empty string there would clash.
- ``shown_language`` tells which language ``instance.field`` shows (for ``lang="en"`` on a fallback),
  ``translated_fields`` which fields of a model have a column per language.
- The original column of a translated field (``title``) is modeltranslation's own, and its value is
  left undetermined once the field is translated: the English text is ``title_en``.
- Every language's column has the original's length limit, in forms and in the database
  (``translation_length_constraints``).

This module imports no app: the models are found in modeltranslation's registry.
"""

from django.conf import settings
from django.utils.translation import get_language

from core.text import length_constraint

SOURCE_LANGUAGE = "en"
CONTENT_LANGUAGES = ("en", "fr", "es")  # as settings.MODELTRANSLATION_LANGUAGES


def content_language(language=None):
    """``language`` (the active one when None) as one of ``CONTENT_LANGUAGES``: "fr-ca" is "fr", and a
    language the programme is not written in is English."""
    code = (language or get_language() or settings.LANGUAGE_CODE).lower().split("-")[0]
    return code if code in CONTENT_LANGUAGES else SOURCE_LANGUAGE


def translation_column(field, language):
    """The name of ``field``'s column in ``language``: ``translation_column("title", "fr") == "title_fr"``."""
    return f"{field}_{content_language(language)}"


def translated_models():
    """Every model with translated fields, mapped to their names in declaration order:
    ``{Session: ("title", "background"), ...}``."""
    from modeltranslation.translator import translator

    return {
        model: tuple(translator.get_options_for_model(model).all_fields)
        for model in translator.get_registered_models(abstract=False)
    }


def translated_fields(model):
    """The names of the translated fields of ``model`` (a model class or instance), in declaration
    order; () for a model whose texts are not translated."""
    from modeltranslation.translator import NotRegistered, translator

    model = model if isinstance(model, type) else type(model)
    try:
        return tuple(translator.get_options_for_model(model).all_fields)
    except NotRegistered:
        return ()


def stored_text(instance, field, language):
    """The text of ``field`` stored in ``language``, without falling back: "" when there is none."""
    return getattr(instance, translation_column(field, language)) or ""


def has_text(instance, field, language):
    """Whether ``field`` has a text in ``language`` (a text the page shows rather than the English one)."""
    return stored_text(instance, field, language) != ""


def shown_language(instance, field, language=None):
    """The language of the text ``getattr(instance, field)`` shows in ``language`` (the active one when
    None): that language when its column is filled, else English."""
    code = content_language(language)
    return code if has_text(instance, field, code) else SOURCE_LANGUAGE


def set_text(instance, field, language, text):
    """Store ``text`` as ``field``'s text in ``language`` (not saved); a blank text (None, "" or only
    spaces) is stored as NULL, a missing translation."""
    value = text if text is not None and text.strip() else None
    setattr(instance, translation_column(field, language), value)


def translation_length_constraints(model_name, field, limit):
    """The named database checks that each language's column of ``field`` holds at most ``limit``
    characters, like the original's ``<model>_<field>_length``: ``session_title_en_length``,
    ``session_title_fr_length`` and ``session_title_es_length``."""
    return [
        length_constraint(f"{field}_{code}", limit, f"{model_name}_{field}_{code}_length")
        for code in CONTENT_LANGUAGES
    ]
