"""What search keeps between searches of the records each kind of visitor may find (``programme.search_visible
.visible``): kept while the programme's stamp stays the same, read again after any committed change (in this
process or another), never kept inside a transaction, and never older than the stamp it is kept with.

These tests commit (``transaction=True``): the stamp only moves when a change is committed."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core.programme_version import programme_bump
from programme import search_visible
from roundtables.models import Status
from sessions.models import Session
from tests.factories import make_session

pytestmark = pytest.mark.django_db(transaction=True)


def _search(client, query="harbour"):
    """(titles of the sessions found, number of times the visible records were read) for one search."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/en/search/", {"q": query})
    assert response.status_code == 200
    groups = response.context["groups"]
    titles = [hit.object.title for group in groups if group.kind == "sessions" for hit in group.hits]
    return titles, sum("search_position" in query["sql"] for query in queries)


def test_a_second_search_reads_no_visible_records_while_the_programme_stays_the_same(client):
    make_session(title="Harbour cities")

    assert [_search(client), _search(client), _search(client, "cities")] == [
        (["Harbour cities"], 1),
        (["Harbour cities"], 0),
        (["Harbour cities"], 0),
    ]


def test_a_session_unpublished_after_a_search_is_no_longer_found(client):
    session = make_session(title="Harbour cities")
    before = _search(client)

    session.status = Status.DRAFT
    session.save()  # committed: the stamp moves

    assert [before, _search(client)] == [(["Harbour cities"], 1), ([], 1)]


def test_the_stamp_decides_whatever_changed_it(client):
    """Another process's commit reaches this one only through the stamp: a change written without it is not seen
    until the stamp moves (``programme_changed`` is every writer's duty, as for cached pages)."""
    session = make_session(title="Harbour cities", status=Status.DRAFT)
    before = _search(client)
    Session.objects.filter(pk=session.pk).update(status=Status.PUBLISHED)  # no signal, no bump
    unseen = _search(client)

    programme_bump()

    assert [before, unseen, _search(client)] == [([], 1), ([], 0), (["Harbour cities"], 1)]


def test_staff_and_the_public_are_kept_apart(client, organiser):
    make_session(title="Harbour cities")
    make_session(title="Harbour drafts", status=Status.DRAFT)
    staff = type(client)()
    staff.force_login(organiser)

    found = [_search(client)[0], _search(staff)[0], _search(client)[0], _search(staff)[0]]

    assert found == [["Harbour cities"], ["Harbour cities", "Harbour drafts"]] * 2


def test_the_same_version_at_another_time_is_another_programme(monkeypatch):
    """A database emptied and filled again (a restored backup, a test's flush) starts its version again: the
    time of the last bump tells the two programmes apart."""
    make_session(title="Harbour cities")
    stamps = iter([(5, "09:00"), (5, "09:00"), (5, "09:05"), (5, "09:05")])
    monkeypatch.setattr(search_visible, "programme_stamp", lambda: next(stamps))
    anonymous = AnonymousUser()

    with CaptureQueriesContext(connection) as queries:
        reads = []
        for _ in range(4):
            before = len(queries)
            search_visible.visible(anonymous)
            reads.append(len(queries) - before)

    assert reads == [1, 0, 1, 0]


def test_inside_a_transaction_nothing_is_kept(django_assert_num_queries):
    make_session(title="Harbour cities")
    search_visible._KEPT.clear()

    with transaction.atomic(), django_assert_num_queries(2):
        first = search_visible.visible(AnonymousUser())
        second = search_visible.visible(AnonymousUser())

    assert (first, search_visible._KEPT) == (second, {})


def test_what_is_kept_is_never_older_than_its_stamp(client, monkeypatch):
    """A change committed while the visible records are read (by another process, between the read and the
    keeping) is found by the next search: the stamp is read before the records, so the change's bump moves it."""
    make_session(title="Harbour cities")
    later = make_session(title="Harbour lights", status=Status.DRAFT)
    read_rows = search_visible.visible_rows

    def rows_then_a_commit(user):
        rows = read_rows(user)
        monkeypatch.setattr(search_visible, "visible_rows", read_rows)
        Session.objects.filter(pk=later.pk).update(status=Status.PUBLISHED)
        programme_bump()
        return rows

    monkeypatch.setattr(search_visible, "visible_rows", rows_then_a_commit)

    assert [_search(client)[0], _search(client)[0]] == [["Harbour cities"], ["Harbour cities", "Harbour lights"]]
