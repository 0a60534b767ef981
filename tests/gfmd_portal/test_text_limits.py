"""Every free text of the programme and of contributions has a maximum length, kept by the database too."""

import pytest
from django.apps import apps
from django.core.validators import MaxLengthValidator
from django.db import DataError, IntegrityError, connection, models, transaction
from django.db.models.lookups import LessThanOrEqual

from contributions.models import Contribution, GoodPractice
from core.translated import CONTENT_LANGUAGES, translated_models
from programme.services import contributions_load_demo
from roundtables.models import NAMING_FIELDS, NAMING_MAX, Forum, Roundtable, Theme
from sessions.models import Document, Issue, Organisation, Person, Room, Session
from tests.contributions.factories import make_contribution
from tests.factories import make_document, make_issue, make_organisation, make_person, make_room, make_theme

NOT_FREE_TEXT = (models.SlugField, models.EmailField, models.URLField)


def _free_text_fields():
    """(model, field) for every title, name, description or other text a person types."""
    for model in apps.get_models():
        if model._meta.app_label not in {"roundtables", "programme_sessions", "contributions"}:
            continue
        for field in model._meta.concrete_fields:
            is_text = isinstance(field, models.CharField | models.TextField)
            if is_text and not isinstance(field, NOT_FREE_TEXT) and not field.choices:
                yield model, field


def _form_limit(field):
    limits = [validator.limit_value for validator in field.validators if isinstance(validator, MaxLengthValidator)]
    return min(limits) if limits else None


def _database_limit(model, field):
    """(name, limit) of the CheckConstraint Length(field) <= limit of ``model``."""
    for constraint in model._meta.constraints:
        condition = getattr(constraint, "condition", None)
        if isinstance(condition, LessThanOrEqual):
            length = condition.lhs
            if length.source_expressions[0].name == field.name:
                return constraint.name, condition.rhs
    return None


FREE_TEXT_FIELDS = list(_free_text_fields())
IDS = [f"{model.__name__}.{field.name}" for model, field in FREE_TEXT_FIELDS]

LIMITS = {
    "Forum.name": 200,
    "Forum.city": 100,
    "Forum.country": 100,
    "Forum.venue": 200,
    "Forum.venue_address": 300,
    "Forum.description": 5000,
    **{f"Forum.{name}": NAMING_MAX for name in NAMING_FIELDS},  # what a forum calls its roundtables, sessions
    "Theme.name": 100,
    "Theme.description": 2000,
    "Roundtable.title": 300,
    "Roundtable.background": 20000,
    "Room.name": 100,
    "Organisation.name": 200,
    "Organisation.country": 100,
    "Person.name": 200,
    "Person.position": 200,
    "Person.country": 100,
    "Person.biography": 5000,
    "Session.title": 300,
    "Session.background": 20000,
    "Issue.text": 3000,
    "Document.title": 300,
    "Document.description": 2000,
    "Contribution.title": 300,
    "Contribution.organisation_name": 200,
    "Contribution.country": 100,
    "Contribution.contact_name": 200,
    "Contribution.summary": 5000,
    "Contribution.recommendations": 5000,
    "Contribution.rejection_reason": 2000,
    "GoodPractice.country": 100,
    "GoodPractice.actors": 1000,
    "GoodPractice.description": 4000,
    "GoodPractice.lesson": 2000,
}
# A translated text's column in each language (title_en, title_fr, title_es) has the text's limit.
LIMITS.update(
    {
        f"{model.__name__}.{field}_{code}": LIMITS[f"{model.__name__}.{field}"]
        for model, fields in translated_models().items()
        for field in fields
        for code in CONTENT_LANGUAGES
    }
)


def test_every_free_text_has_the_same_limit_in_forms_and_database():
    limits = {
        name: (_form_limit(field), _database_limit(model, field))
        for name, (model, field) in zip(IDS, FREE_TEXT_FIELDS, strict=True)
    }

    assert limits == {
        name: (
            limit,
            (f"{name.split('.')[0].lower().replace('goodpractice', 'practice')}_{name.split('.')[1]}_length", limit),
        )
        for name, limit in LIMITS.items()
    }


def test_no_text_input_is_cut_by_a_maxlength_attribute():
    for model, field in FREE_TEXT_FIELDS:
        formfield = field.formfield()
        if isinstance(field, models.TextField):
            assert "maxlength" not in formfield.widget.attrs, f"{model.__name__}.{field.name}"


@pytest.fixture
def one_of_each(athens):
    """A row of every model with free texts."""
    session = Session.objects.filter(roundtable__forum=athens).first()
    return {
        Forum: athens,
        Theme: make_theme(),
        Roundtable: session.roundtable,
        Room: make_room(forum=athens),
        Organisation: make_organisation(),
        Person: make_person(),
        Session: session,
        Issue: make_issue(session=session),
        Document: make_document(session=session),
        Contribution: make_contribution(forum=athens),
        GoodPractice: GoodPractice.objects.first(),
    }


@pytest.mark.parametrize(("model", "field"), FREE_TEXT_FIELDS, ids=IDS)
def test_database_refuses_a_text_one_character_too_long(one_of_each, model, field):
    row = one_of_each[model]
    limit = LIMITS[f"{model.__name__}.{field.name}"]
    rows = model.objects.filter(pk=row.pk)
    if hasattr(rows, "rewrite"):  # a translated field's own column, not the active language's (core.translated)
        rows = rows.rewrite(False)
    # PostgreSQL checks a CharField's column size (varchar) before any constraint.
    expected = (
        DataError if connection.vendor == "postgresql" and not isinstance(field, models.TextField) else IntegrityError
    )

    rows.update(**{field.name: "é" * limit})
    with pytest.raises(expected) as refused, transaction.atomic():
        rows.update(**{field.name: "é" * (limit + 1)})

    assert len(rows.values_list(field.name, flat=True).get()) == limit
    if expected is IntegrityError:
        assert _database_limit(model, field)[0] in str(refused.value)


def test_database_refuses_the_attack_runs_texts(athens):
    session = Session.objects.filter(roundtable__forum=athens).first()

    # The text goes into its original column and the English one, which both refuse it.
    with pytest.raises(IntegrityError, match=r"issue_text(_en)?_length"), transaction.atomic():
        Issue.objects.create(session=session, text="- " * 5000 + "x")
    # update() through the field writes the active language's column.
    with pytest.raises(IntegrityError, match="session_background_en_length"), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(background="Background. " * 87382)  # 1 MB

    assert session.issues.filter(text__startswith="- - -").exists() is False


def test_demo_programme_and_contributions_fit_their_limits_with_room_to_spare(athens):
    contributions_load_demo()
    longest = {}
    for model, field in FREE_TEXT_FIELDS:
        texts = model.objects.values_list(field.name, flat=True)
        longest[f"{model.__name__}.{field.name}"] = max((len(text or "") for text in texts), default=0)

    # English texts take at most half their limit; French and Spanish ones, longer by nature, fit theirs.
    translation = ("_fr", "_es")
    assert {name: n for name, n in longest.items() if not name.endswith(translation) and n > LIMITS[name] / 2} == {}
    assert {name: n for name, n in longest.items() if name.endswith(translation) and n > LIMITS[name]} == {}
    assert (longest["Session.background"], longest["Issue.text"], longest["Contribution.summary"]) == (3725, 1350, 1364)
