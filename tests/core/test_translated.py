"""Programme texts in English, French and Spanish (core.translated): which fields, which language is shown."""

import pytest
from django.utils import translation

from core.translated import (
    content_language,
    given_translations,
    has_text,
    set_text,
    shown_language,
    stored_text,
    stored_translations,
    translated_fields,
    translated_models,
    translation_column,
    translation_length_constraints,
)
from roundtables.models import Forum, Roundtable, Theme
from sessions.models import Document, Issue, Organisation, Participation, Person, Room, Session
from tests.factories import make_session, make_theme


def test_the_translated_fields_of_each_model_come_from_the_registry():
    assert {model.__name__: fields for model, fields in translated_models().items()} == {
        "Forum": ("name", "city", "country", "venue", "description"),
        "Theme": ("name", "description"),
        "Roundtable": ("title", "background"),
        "Room": ("name",),
        "Organisation": ("name",),
        "Person": ("position", "biography"),
        "Session": ("title", "background"),
        "Issue": ("text",),
        "Document": ("title", "description"),
    }


def test_translated_fields_of_a_model_an_instance_and_an_untranslated_model():
    assert translated_fields(Session) == ("title", "background")
    assert translated_fields(Session(title="A session")) == ("title", "background")
    assert translated_fields(Participation) == ()


@pytest.mark.parametrize(
    ("model", "columns"),
    [
        (Forum, {"name", "city", "country", "venue", "description"}),
        (Theme, {"name", "description"}),
        (Roundtable, {"title", "background"}),
        (Room, {"name"}),
        (Organisation, {"name"}),
        (Person, {"position", "biography"}),
        (Session, {"title", "background"}),
        (Issue, {"text"}),
        (Document, {"title", "description"}),
    ],
)
def test_each_translated_field_has_a_column_per_language_and_nothing_else_does(model, columns):
    names = {field.name for field in model._meta.concrete_fields}

    assert {name[:-3] for name in names if name[-3:] in {"_en", "_fr", "_es"}} - {
        "group_name",
        "group_name_plural",
        "session_name",
        "session_name_plural",
    } == columns
    assert all(f"{name}_{code}" in names for name in columns for code in ("en", "fr", "es"))


@pytest.mark.parametrize(
    ("language", "code"),
    [("fr", "fr"), ("es", "es"), ("en", "en"), ("fr-ca", "fr"), ("es-AR", "es"), ("de", "en"), ("pt-br", "en")],
)
def test_content_language_of_a_language_code(language, code):
    assert content_language(language) == code


def test_content_language_is_the_active_one_by_default():
    with translation.override("es"):
        assert content_language() == "es"
    assert content_language() == "en"


def test_translation_column_names_the_language_column():
    assert (
        translation_column("title", "fr"),
        translation_column("title", "es-mx"),
        translation_column("name", "en"),
    ) == (
        "title_fr",
        "title_es",
        "name_en",
    )


def test_a_session_shows_its_french_title_on_a_french_page_when_it_has_one(db):
    session = make_session(title="Engaging diasporas", title_fr="Associer les diasporas")

    with translation.override("fr"):
        shown = (session.title, shown_language(session, "title"))

    assert shown == ("Associer les diasporas", "fr")


@pytest.mark.parametrize("missing", [None, ""])
def test_a_session_without_a_french_title_shows_the_english_one_on_a_french_page(db, missing):
    session = make_session(title="Engaging diasporas", title_fr=missing, title_es="Involucrar a las diásporas")

    with translation.override("fr"):
        shown = (session.title, shown_language(session, "title"))

    assert shown == ("Engaging diasporas", "en")
    assert (stored_text(session, "title", "fr"), has_text(session, "title", "fr")) == ("", False)


def test_shown_language_follows_the_language_asked_for(db):
    session = make_session(title="Engaging diasporas", title_es="Involucrar a las diásporas", background="Text.")

    assert [shown_language(session, "title", code) for code in ("en", "fr", "es", "de")] == ["en", "en", "es", "en"]
    assert [shown_language(session, "background", code) for code in ("en", "fr", "es")] == ["en", "en", "en"]


def test_the_shown_language_is_the_language_of_the_text_the_field_shows(db):
    """For every field and language, the text read through the field is the stored text of shown_language."""
    session = make_session(
        title="Remittances", title_fr="Transferts de fonds", background="Why.", background_es="Por qué."
    )

    for language in ("en", "fr", "es"):
        with translation.override(language):
            for field in translated_fields(session):
                assert getattr(session, field) == stored_text(session, field, shown_language(session, field))


def test_a_french_page_of_a_text_missing_in_english_too_shows_nothing(db):
    theme = make_theme(name="Gender")

    with translation.override("fr"):
        assert (theme.description, shown_language(theme, "description")) == ("", "en")


def test_set_text_stores_a_blank_translation_as_null(db):
    theme = make_theme(name="Gender", name_fr="Genre")

    set_text(theme, "name", "fr", "   ")
    set_text(theme, "description", "es", "Igualdad de género.")
    theme.save()
    theme.refresh_from_db()

    assert (theme.name_fr, theme.description_es) == (None, "Igualdad de género.")


def test_set_text_in_english_keeps_the_original_column_english_whatever_language_is_active(db):
    theme = make_theme(name="Gender")

    with translation.override("fr"):
        set_text(theme, "name", "en", "Gender equality")
        theme.save()

    stored = Theme.objects.rewrite(False).values_list("name", "name_en", "name_fr").get(pk=theme.pk)
    assert stored == ("Gender equality", "Gender equality", None)


def test_given_translations_takes_the_keys_present_and_makes_blanks_null():
    item = {"title": "Remittances", "title_fr": "Transferts de fonds", "title_es": " ", "background": "Why."}

    assert given_translations(item, "title", "background") == {"title_fr": "Transferts de fonds", "title_es": None}


def test_stored_translations_are_the_french_and_spanish_columns(db):
    session = make_session(title="Remittances", title_fr="Transferts de fonds", background_es="Por qué.")

    assert stored_translations(session, "title", "background") == {
        "title_fr": "Transferts de fonds",
        "title_es": None,
        "background_fr": None,
        "background_es": "Por qué.",
    }


def test_translation_length_constraints_are_named_after_model_field_and_language():
    constraints = translation_length_constraints("session", "title", 300)

    assert [
        (constraint.name, constraint.condition.lhs.source_expressions[0].name, constraint.condition.rhs)
        for constraint in constraints
    ] == [
        ("session_title_en_length", "title_en", 300),
        ("session_title_fr_length", "title_fr", 300),
        ("session_title_es_length", "title_es", 300),
    ]
