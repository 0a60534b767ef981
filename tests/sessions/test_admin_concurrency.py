"""Two editors on the same session: the second save never silently overwrites the first."""

import pytest
from django.test import Client
from django.urls import reverse

from sessions.models import Session
from tests.admin_forms import admin_change_data, english, retyped
from tests.factories import forum_time, make_issue, make_session, make_user


def _url(session):
    return reverse("admin:programme_sessions_session_change", args=[session.pk])


@pytest.fixture
def editors(db):
    alice = make_user(username="alice", first_name="Alice", last_name="Martin", is_staff=True, is_superuser=True)
    bob = make_user(username="bob", is_staff=True, is_superuser=True)
    clients = {}
    for user in (alice, bob):
        clients[user.username] = Client()
        clients[user.username].force_login(user)
    return clients


@pytest.fixture
def session(db):
    session = make_session(title="Diaspora engagement")
    make_issue(session=session, text="Remittances", position=1)
    return session


def test_second_save_is_refused_and_told_who_changed_what(editors, session):
    alice_form = admin_change_data(editors["alice"], session)
    bob_form = admin_change_data(editors["bob"], session)
    editors["alice"].post(_url(session), retyped(alice_form, title="Engaging diasporas"))

    response = editors["bob"].post(_url(session), retyped(bob_form, title="Diaspora engagement and development"))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors[english("title")] == ["Changed meanwhile by Alice Martin to: Engaging diasporas"]
    [message] = form.non_field_errors()
    assert message.startswith("Alice Martin saved this session at ")
    assert message.endswith(
        ", while you were editing it, and changed: Title. Nothing of yours has been saved yet, and what you "
        "typed is still in the form: compare it with their values shown below, keep what you want and save again."
    )
    assert form[english("title")].value() == "Diaspora engagement and development"
    session.refresh_from_db()
    assert session.title == "Engaging diasporas"


def test_second_save_goes_through_once_the_editor_has_seen_the_conflict(editors, session):
    alice_form = admin_change_data(editors["alice"], session)
    bob_form = admin_change_data(editors["bob"], session)
    editors["alice"].post(_url(session), retyped(alice_form, background="Alice's background."))
    refused = editors["bob"].post(_url(session), retyped(bob_form, title="Bob's title"))
    fresh_token = refused.context["adminform"].form["edit_token"].value()

    response = editors["bob"].post(
        _url(session),
        retyped(bob_form, title="Bob's title", background="Alice's background.", edit_token=fresh_token),
    )

    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.title, session.background) == ("Bob's title", "Alice's background.")


def test_a_change_to_the_issues_by_someone_else_is_not_overwritten(editors, session):
    alice_form = admin_change_data(editors["alice"], session)
    bob_form = admin_change_data(editors["bob"], session)
    editors["alice"].post(_url(session), retyped(alice_form, **{"issues-0-text": "Remittances and their cost"}))

    response = editors["bob"].post(_url(session), retyped(bob_form, title="Bob's title"))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert list(form.non_field_errors())[1:] == ["Issues, now: Remittances and their cost"]
    assert list(session.issues.values_list("text", flat=True)) == ["Remittances and their cost"]
    session.refresh_from_db()
    assert session.title == "Diaspora engagement"


def test_a_change_of_time_by_someone_else_shows_their_time_in_the_forum_time_zone(editors, session):
    alice_form = admin_change_data(editors["alice"], session)
    bob_form = admin_change_data(editors["bob"], session)
    editors["alice"].post(_url(session), retyped(alice_form, starts_at_1="08:15"))

    response = editors["bob"].post(_url(session), bob_form)

    expected = forum_time(session.roundtable.forum, 0, 8, 15)
    assert response.context["adminform"].form.errors["starts_at"] == [
        f"Changed meanwhile by Alice Martin to: Nov. {expected.day}, {expected.year}, 8:15 a.m."
    ]


def test_saving_twice_in_a_row_by_the_same_editor_after_reloading_works(editors, session):
    first = admin_change_data(editors["alice"], session)
    editors["alice"].post(_url(session), retyped(first, title="One"))
    second = admin_change_data(editors["alice"], session)

    response = editors["alice"].post(_url(session), retyped(second, title="Two"))

    assert response.status_code == 302
    assert Session.objects.get(pk=session.pk).title == "Two"


def test_a_form_without_its_edit_token_is_refused(editors, session):
    data = admin_change_data(editors["alice"], session)

    response = editors["alice"].post(_url(session), retyped(data, edit_token="", title="No token"))

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "This form is out of date: open the page again before saving. Nothing was saved."
    ]
    assert Session.objects.get(pk=session.pk).title == "Diaspora engagement"
