"""The programme's texts in three languages: a column per language, its limit, its migration, its pages."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from roundtables.models import Theme
from sessions.models import Issue, Session
from tests.factories import make_issue, make_session, make_theme

# Before the columns per language: roundtables 0006, programme_sessions 0007.
BEFORE = [("roundtables", "0006_forum_venue"), ("programme_sessions", "0007_issue_depth_guard")]


# Length limits ---------------------------------------------------------------------------------------------


def test_database_refuses_a_french_background_one_character_too_long(db):
    session = make_session()
    rows = Session.objects.filter(pk=session.pk)

    rows.update(background_fr="é" * 20_000)
    with pytest.raises(IntegrityError, match="session_background_fr_length"), transaction.atomic():
        rows.update(background_fr="é" * 20_001)

    assert len(rows.get().background_fr) == 20_000


def test_database_refuses_a_spanish_issue_text_one_character_too_long(db):
    issue = make_issue()

    with pytest.raises(IntegrityError, match="issue_text_es_length"), transaction.atomic():
        Issue.objects.filter(pk=issue.pk).update(text_es="x" * 3_001)


def test_database_refuses_a_french_title_one_character_too_long(db):
    session = make_session()
    # PostgreSQL checks a varchar column's size before any constraint.
    expected = DataError if connection.vendor == "postgresql" else IntegrityError

    with (
        pytest.raises(expected, match=None if expected is DataError else "session_title_fr_length"),
        transaction.atomic(),
    ):
        Session.objects.filter(pk=session.pk).update(title_fr="é" * 301)


def test_full_clean_refuses_a_french_title_one_character_too_long(db):
    session = make_session()
    session.title_fr = "é" * 301

    with pytest.raises(ValidationError) as refused:
        session.full_clean()

    assert refused.value.message_dict == {"title_fr": ["Ensure this value has at most 300 characters (it has 301)."]}


# Pages in the page's language, English when a text has no translation ---------------------------------------


def _page(session, language):
    with translation.override(language):
        return session.get_absolute_url()


def test_french_session_page_shows_the_french_title_and_background_when_they_are_filled(client, db):
    session = make_session(
        title="Engaging diasporas",
        title_fr="Associer les diasporas",
        background="Diasporas send money home.",
        background_fr="Les diasporas envoient de l’argent chez elles.",
    )

    html = client.get(_page(session, "fr")).content.decode()

    assert ("Associer les diasporas" in html, "Les diasporas envoient de l’argent chez elles." in html) == (True, True)
    assert ("Engaging diasporas" in html, "Diasporas send money home." in html) == (False, False)


def test_french_session_page_shows_the_english_texts_when_the_french_ones_are_empty(client, db):
    session = make_session(title="Engaging diasporas", title_fr="", background="Diasporas send money home.")

    html = client.get(_page(session, "fr")).content.decode()

    assert ("Engaging diasporas" in html, "Diasporas send money home." in html) == (True, True)


def test_spanish_page_shows_spanish_while_the_french_page_falls_back_to_english(client, db):
    theme = make_theme(name="Remittances", slug="remittances", name_es="Remesas")

    pages = {language: client.get(f"/{language}/themes/remittances/").content.decode() for language in ("fr", "es")}

    assert ("Remittances" in pages["fr"], "Remesas" in pages["fr"]) == (True, False)
    assert ("Remesas" in pages["es"], "Remittances" in pages["es"]) == (True, False)
    assert theme.name_fr is None


# The migration that added the columns ---------------------------------------------------------------------


def _migrate(targets):
    """Migrate ``targets`` and return the historical models of the database."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    applied = [node for node in executor.loader.applied_migrations if node in executor.loader.graph.nodes]
    return executor.loader.project_state(applied).apps


def _latest():
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def old_schema(transactional_db):
    apps = _migrate(BEFORE)
    yield apps
    _latest()


def _old_programme(apps):
    Forum = apps.get_model("roundtables", "Forum")
    Theme = apps.get_model("roundtables", "Theme")
    Roundtable = apps.get_model("roundtables", "Roundtable")
    Session = apps.get_model("programme_sessions", "Session")
    Issue = apps.get_model("programme_sessions", "Issue")
    forum = Forum.objects.create(
        name="Lisbon 2099",
        slug="lisbon-2099",
        city="Lisbon",
        country="Portugal",
        venue="Congress Centre",
        starts_on=datetime.date(2099, 5, 4),
        ends_on=datetime.date(2099, 5, 5),
        time_zone="Europe/Lisbon",
        status="published",
        description="Two days on decent work.",
    )
    Theme.objects.create(name="Gender", slug="gender", description="")
    roundtable = Roundtable.objects.create(forum=forum, number=1, title="Decent work", slug="decent-work")
    session = Session.objects.create(
        roundtable=roundtable, number=1, title="Recruitment", slug="recruitment", background="Fees."
    )
    issue = Issue.objects.create(session=session, kind="main_issue", text="Zero fees", position=1)
    Issue.objects.create(session=session, parent=issue, kind="point", text="Who pays", position=1)


def _english_columns():
    from roundtables.models import Forum

    forum = Forum.objects.rewrite(False).values("name_en", "city_en", "country_en", "venue_en", "description_en")
    theme = Theme.objects.rewrite(False).values("name_en", "description_en")
    session = Session.objects.rewrite(False).values("title_en", "background_en", "roundtable__title_en")
    issues = Issue.objects.rewrite(False).order_by("pk").values_list("text_en", "text_fr", "text_es")
    return list(forum), list(theme), list(session), list(issues)


def test_the_migration_copies_todays_texts_into_the_english_columns_and_leaves_the_others_empty(old_schema):
    _old_programme(old_schema)

    _latest()

    assert _english_columns() == (
        [
            {
                "name_en": "Lisbon 2099",
                "city_en": "Lisbon",
                "country_en": "Portugal",
                "venue_en": "Congress Centre",
                "description_en": "Two days on decent work.",
            }
        ],
        [{"name_en": "Gender", "description_en": ""}],
        [{"title_en": "Recruitment", "background_en": "Fees.", "roundtable__title_en": "Decent work"}],
        [("Zero fees", None, None), ("Who pays", None, None)],
    )
    with translation.override("fr"):
        assert [session.title for session in Session.objects.all()] == ["Recruitment"]


def test_the_migration_reversed_puts_the_english_texts_back_in_the_original_columns(old_schema):
    _old_programme(old_schema)
    _latest()
    Session.objects.update(title_en="Fair recruitment", title_fr="Recrutement équitable")

    apps = _migrate(BEFORE)

    assert list(apps.get_model("programme_sessions", "Session").objects.values_list("title", flat=True)) == [
        "Fair recruitment"
    ]


@pytest.mark.parametrize("direction", ["forward", "back"])
def test_the_issue_depth_guard_survives_the_migration_both_ways(old_schema, direction):
    """SQLite rebuilds the issue table to add its constraints, which drops its triggers: the migration
    creates them again, after the rebuilds of either direction."""
    _old_programme(old_schema)
    if direction == "back":
        _latest()
        apps = _migrate(BEFORE)
    else:
        _latest()
        from django.apps import apps
    Issue = apps.get_model("programme_sessions", "Issue")
    point = Issue.objects.get(kind="point")

    with pytest.raises(IntegrityError), transaction.atomic():
        Issue.objects.create(session_id=point.session_id, parent=point, kind="point", text="Deeper", position=1)
