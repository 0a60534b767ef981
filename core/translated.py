"""The programme's texts in English, French and Spanish.

The committee writes every text in English, the source language; French and Spanish are optional.
Each translated field, such as a session's ``title``, has one column per language (``title_en``,
``title_fr``, ``title_es``), added by django-modeltranslation from the ``translation.py`` of the app
that owns the model. Reading ``session.title`` gives the text in the active language, or the English
one when that language has none; pages, PDFs and calendars read texts that way, and a queryset's
``filter(title=…)`` and ``order_by("title")`` use the active language's column.

- ``shown_language`` tells which language ``instance.field`` shows (for ``lang="en"`` on a fallback);
  ``translated_fields`` and ``translated_models`` which fields have a column per language.
- A missing translation is NULL (None): ``set_text`` and ``given_translations`` store a blank one so.
  Theme, organisation and room names are unique in each language, where two empty strings would clash.
- The English text is ``title_en``. The field's original column (``title``) is modeltranslation's
  own: it holds whatever was last written through the field, in whatever language was active. The
  portal writes English through the field with English active (``set_text``, the programme loader),
  so that it stays English; ``values_list("roundtable__title")`` and other lookups made from a model
  without translated fields read that column, not the page's language.
- Every language's column has the field's length limit, in forms and in the database
  (``translation_length_constraints``).

This module imports no app: the models are found in modeltranslation's registry.
"""

import functools

from django.conf import settings
from django.utils.translation import get_language, override

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

    return {model: translated_fields(model) for model in translator.get_registered_models(abstract=False)}


def translated_fields(model):
    """The names of the translated fields of ``model`` (a model class or instance), in declaration
    order; () for a model whose texts are not translated."""
    return _translated_fields_of(model if isinstance(model, type) else type(model))


@functools.cache
def _translated_fields_of(model):
    """``translated_fields`` of a model class, worked out once per process: the registry is complete once the
    apps are loaded, and the pages ask for it for every text they mark (``lang_attr``, ``text``)."""
    from modeltranslation.translator import NotRegistered, translator

    try:
        names = translator.get_options_for_model(model).all_fields
    except NotRegistered:
        return ()
    return tuple(field.name for field in model._meta.get_fields() if field.name in names)


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


def _translation_value(text):
    return text if text is not None and text.strip() else None


def set_text(instance, field, language, text):
    """Store ``text`` as ``field``'s text in ``language`` (not saved).

    An English text goes through the field itself with English active, so that the original column
    keeps the English text too (code that reaches it through another model's values still reads
    English). A blank translation (None, "" or only spaces) is stored as NULL, a missing one.
    """
    code = content_language(language)
    if code == SOURCE_LANGUAGE:
        with override(SOURCE_LANGUAGE):
            setattr(instance, field, text or "")
    else:
        setattr(instance, translation_column(field, code), _translation_value(text))


def given_translations(data, *fields):
    """The translations that ``data`` (an item of a programme file) gives for ``fields``, by column:
    ``{"title_fr": "…", "title_es": None}`` for ``{"title_fr": "…", "title_es": ""}``. A key it lacks is
    left out, so that the column keeps what it has; a blank text is None."""
    return {
        translation_column(field, code): _translation_value(data[f"{field}_{code}"])
        for field in fields
        for code in CONTENT_LANGUAGES
        if code != SOURCE_LANGUAGE and f"{field}_{code}" in data
    }


def stored_translations(instance, *fields):
    """The translations ``instance`` has of ``fields``, by column (``{"title_fr": "…", "title_es": None}``),
    to give a copy of it; its English texts are ``getattr(instance, field)`` with English active."""
    return {
        translation_column(field, code): getattr(instance, translation_column(field, code))
        for field in fields
        for code in CONTENT_LANGUAGES
        if code != SOURCE_LANGUAGE
    }


def translation_length_constraints(model_name, field, limit):
    """The named database checks that each language's column of ``field`` holds at most ``limit``
    characters, like the original's ``<model>_<field>_length``: ``session_title_en_length``,
    ``session_title_fr_length`` and ``session_title_es_length``."""
    return [
        length_constraint(f"{field}_{code}", limit, f"{model_name}_{field}_{code}_length") for code in CONTENT_LANGUAGES
    ]
