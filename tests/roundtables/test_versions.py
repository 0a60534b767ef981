"""Edit tokens (no lost updates) and readable history."""

import reversion
from django.utils import translation

from core.versions import edit_conflict, edit_token, history_entries, part_label, record_state, tracked_fields
from sessions.models import Session
from tests.factories import make_issue, make_participation, make_session, make_user


def test_the_same_instant_in_another_time_zone_is_the_same_state(db):
    session = make_session()
    from_database = Session.objects.get(pk=session.pk)

    assert record_state(session) == record_state(from_database)
    assert session.starts_at.tzinfo != from_database.starts_at.tzinfo


def test_no_conflict_when_nothing_changed(db):
    session = make_session()
    token = edit_token(session)

    assert edit_conflict(session, token) is None


def test_a_conflict_names_the_changed_fields_and_related_rows(db):
    session = make_session()
    token = edit_token(session)
    Session.objects.filter(pk=session.pk).update(title="New title")
    make_issue(session=session, text="A new issue")

    conflict = edit_conflict(session, token)

    assert conflict.changed == ["title_en", "issues"]
    assert conflict.values() == [("Title", "New title"), ("Issues", "A new issue")]
    assert edit_conflict(session, conflict.fresh_token) is None


def test_a_conflict_names_who_made_the_change(db):
    session = make_session()
    token = edit_token(session)
    maria = make_user(username="maria", first_name="Maria", last_name="Costa")
    with reversion.create_revision():
        reversion.set_user(maria)
        make_participation(session=session)

    conflict = edit_conflict(session, token)

    assert (conflict.changed, conflict.editors) == (["participations"], ["Maria Costa"])


def test_an_unreadable_token_is_a_conflict_without_details(db):
    session = make_session()

    conflict = edit_conflict(session, "forged")

    assert (conflict.changed, conflict.editors) == ([], ["someone else"])


def test_history_entries_compare_each_version_with_the_one_before(db):
    session = make_session(title="One")
    with reversion.create_revision():
        session.save()
    with reversion.create_revision():
        session.title = "Two"
        session.save()
        make_issue(session=session, text="Added")

    entries = history_entries(Session, session.pk)

    assert [[(c.label, c.old, c.new, c.kind) for c in entry.changes] for entry in entries] == [
        [("Title", "One", "Two", "changed"), ("Issue", "", "Added", "added")],
        [],
    ]


def test_a_translated_text_is_tracked_by_its_language_columns_only():
    assert [field.name for field in tracked_fields(Session) if field.name.startswith("title")] == [
        "title_en",
        "title_fr",
        "title_es",
    ]


def test_a_translated_texts_columns_are_named_by_language():
    assert [part_label(Session, name) for name in ("title", "title_en", "title_fr", "title_es", "slug")] == [
        "Title",
        "Title",
        "Title (French)",
        "Title (Spanish)",
        "Slug",
    ]


def test_a_conflict_on_the_english_and_french_titles_names_each_once(db):
    session = make_session(title="Diaspora engagement")
    token = edit_token(session)
    Session.objects.filter(pk=session.pk).update(
        title="Engaging diasporas", title_en="Engaging diasporas", title_fr="Mobiliser les diasporas"
    )

    conflict = edit_conflict(session, token)

    assert (conflict.changed, conflict.labels()) == (["title_en", "title_fr"], ["Title", "Title (French)"])


def test_a_translated_texts_columns_are_named_in_the_editors_language():
    with translation.override("fr"):
        labels = [part_label(Session, name) for name in ("title_en", "title_fr", "title_es")]

    assert labels == ["Titre", "Titre (français)", "Titre (espagnol)"]
