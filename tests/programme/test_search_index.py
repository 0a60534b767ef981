"""Search through its index (programme/search_index.py, search_engines.py, search.py): words found in each
language, stems, word starts and accents, English texts found from /fr/ and /es/, the pages' visibility, the
index kept in step with edits, themes and rooms, paging, and a query count that does not grow."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from programme import search_engines
from programme.models import SearchEntry
from programme.search import programme_search
from programme.search_engines import MAX_TERMS, parse_query
from programme.search_index import search_index_rebuild
from programme.search_visible import ORDERED_COLUMNS, RECORDS, Querysets, read_records, visible_parts, visible_rows
from roundtables.models import Status
from sessions.models import Person, Session
from tests.contributions.factories import make_contribution
from tests.factories import (
    make_document,
    make_forum,
    make_issue,
    make_organisation,
    make_participation,
    make_person,
    make_room,
    make_roundtable,
    make_session,
    make_theme,
    make_user,
)

pytestmark = pytest.mark.django_db


def _found(response, kind="sessions"):
    return [hit.object for group in response.context["groups"] if group.kind == kind for hit in group.hits]


def _hit(response, obj):
    return next(hit for group in response.context["groups"] for hit in group.hits if hit.object == obj)


def _search(client, query, language="en", **params):
    response = client.get(f"/{language}/search/", {"q": query, **params})
    assert response.status_code == 200
    return response


# Words in each language ----------------------------------------------------------------------------------


def test_english_plural_finds_the_singular(client):
    session = make_session(title="Labour mobility", background="Circular migration between neighbours.")
    make_session(title="Unrelated", background="Nothing here.")

    response = _search(client, "migrations")

    assert _found(response) == [session]
    assert _hit(response, session).snippet == "Circular <mark>migration</mark> between neighbours."


def test_english_word_start_finds_the_whole_word(client):
    session = make_session(title="Remittances for development")

    response = _search(client, "remit")

    assert _found(response) == [session]
    assert _hit(response, session).heading == "<mark>Remittances</mark> for development"


def test_spanish_page_finds_a_spanish_background(client):
    session = make_session(
        title="Remittances",
        title_es="Remesas y desarrollo",
        background="Money sent home.",
        background_es="Las remesas de los migrantes sostienen a sus familias.",
    )
    make_session(title="Other", background_es="Otra cosa.")

    response = _search(client, "remesas", "es")

    hit = _hit(response, session)
    assert _found(response) == [session]
    assert (hit.heading, hit.snippet) == (
        "<mark>Remesas</mark> y desarrollo",
        "Las <mark>remesas</mark> de los migrantes sostienen a sus familias.",
    )
    assert (hit.heading_language, hit.snippet_language) == ("", "")


def test_spanish_plural_finds_the_singular_with_its_accent(client):
    session = make_session(title="Migration", background_es="La migración circular.")

    assert _found(_search(client, "migraciones", "es")) == [session]


def test_french_query_without_accents_finds_the_accented_word(client):
    session = make_session(title="Development", background_fr="Le développement durable.")

    response = _search(client, "developpement", "fr")

    assert _found(response) == [session]
    assert _hit(response, session).snippet == "Le <mark>développement</mark> durable."


def test_case_is_ignored_in_every_language(client):
    session = make_session(title="Migrant WORKERS", title_fr="Travailleurs MIGRANTS")

    assert _found(_search(client, "workers")) == [session]
    assert _found(_search(client, "migrants", "fr")) == [session]


def test_french_page_finds_an_english_only_session_by_an_english_word(client):
    session = make_session(title="Seasonal workers", background="Circular schemes.")

    response = _search(client, "seasonal", "fr")

    hit = _hit(response, session)
    assert _found(response) == [session]
    assert (hit.heading, hit.heading_language, hit.snippet_language) == ("<mark>Seasonal</mark> workers", "en", "en")


def test_french_page_shows_the_french_entry_of_a_session_found_by_its_english_words(client):
    session = make_session(
        title="Seasonal workers", title_fr="Travailleurs saisonniers", background="Circular schemes."
    )

    response = _search(client, "seasonal", "fr")

    hit = _hit(response, session)
    assert _found(response) == [session]
    assert (hit.heading, hit.heading_language) == ("Travailleurs saisonniers", "")
    assert (hit.snippet, hit.snippet_language) == ("Circular schemes.", "en")  # no French background yet


def test_a_session_found_in_both_languages_shows_its_entry_in_the_pages_language(client):
    session = make_session(title="Circular migration", title_fr="Migration circulaire")

    response = _search(client, "migration", "fr")

    assert _found(response) == [session]
    assert (_hit(response, session).heading, _hit(response, session).heading_language) == (
        "<mark>Migration</mark> circulaire",
        "",
    )


def test_a_language_entry_exists_only_where_the_record_has_its_own_text(client):
    translated = make_session(title="Remittances", title_fr="Transferts de fonds")
    english = make_session(title="Diaspora")

    entries = set(SearchEntry.objects.filter(kind="sessions").values_list("object_id", "language"))

    assert entries == {(translated.pk, "en"), (translated.pk, "fr"), (english.pk, "en")}


def test_the_index_holds_markdown_as_plain_text(client):
    session = make_session(background="**Bold** [link](https://example.org) and <script>alert(1)</script>text")

    entry = SearchEntry.objects.get(kind="sessions", object_id=session.pk, language="en")

    assert entry.text == "Bold link and text"


# Who sees what ---------------------------------------------------------------------------------------------


def test_a_draft_session_is_found_by_staff_only(organiser):
    roundtable = make_roundtable()
    draft = make_session(roundtable=roundtable, title="Hidden migration agenda", status=Status.DRAFT)
    published = make_session(roundtable=roundtable, title="Open migration agenda")
    staff_client = Client()
    staff_client.force_login(organiser)

    public = _search(Client(), "agenda")
    staff = _search(staff_client, "agenda")

    assert _found(public) == [published]
    assert [(hit.object, hit.is_draft) for hit in _hits(staff)] == [(draft, True), (published, False)]
    assert staff.content.decode().count('<span class="badge">Draft</span>') == 1


def _hits(response):
    return [hit for group in response.context["groups"] for hit in group.hits]


def _drafts_of_every_kind():
    """A draft session (with an issue, a document and its only participant) in a published forum, and a draft
    forum with a roundtable and a room holding a session: all "harbour"."""
    forum = make_forum()
    draft = make_session(roundtable=make_roundtable(forum=forum), title="Harbour session", status=Status.DRAFT)
    make_issue(session=draft, text="Harbour issue")
    make_document(session=draft, title="Harbour paper")
    make_participation(session=draft, person=make_person(name="Harbour Person"))
    draft_forum = make_forum(status=Status.DRAFT)
    make_session(
        roundtable=make_roundtable(forum=draft_forum, title="Harbour roundtable"),
        room=make_room(forum=draft_forum, name="Harbour room"),
    )


def test_what_staff_found_is_not_shown_to_the_public_searching_next(organiser):
    _drafts_of_every_kind()
    staff_client = Client()
    staff_client.force_login(organiser)

    staff = _search(staff_client, "harbour")
    public = _search(Client(), "harbour")

    assert {group.kind: group.total for group in staff.context["groups"] if group.total} == {
        "sessions": 1,
        "issues": 1,
        "roundtables": 1,
        "people": 1,
        "documents": 1,
        "rooms": 1,
    }
    assert response_total(public) == 0


def test_the_people_search_may_show_are_the_people_the_pages_show(organiser):
    _drafts_of_every_kind()
    shown = make_person(name="Shown")
    make_participation(session=make_session(), person=shown)
    make_participation(session=make_session(status=Status.DRAFT), person=shown)
    make_person(name="Without a role")
    visitors = [AnonymousUser(), make_user(), organiser]

    people = [set(Querysets(user)["people"]) for user in visitors]

    assert people == [set(Person.objects.visible_to(user)) for user in visitors]
    assert [len(found) for found in people] == [1, 1, 3]


def _fields(record, *paths):
    """Every column of ``record`` and of the records at ``paths`` (``roundtable__forum``) related to it."""
    values = {}
    for path in ("", *paths):
        related = record
        for name in filter(None, path.split("__")):
            related = getattr(related, name)
        values[path] = {field.attname: getattr(related, field.attname) for field in related._meta.concrete_fields}
    return values


def test_records_read_by_id_are_those_of_their_queryset(django_assert_num_queries):
    _drafts_of_every_kind()
    make_theme(name="Harbour theme")
    make_contribution(title="Harbour practice")
    related = {
        "sessions": ["roundtable", "roundtable__forum"],
        "issues": ["session", "session__roundtable__forum"],
        "roundtables": ["forum"],
        "documents": ["forum"],
        "contributions": ["forum"],
        "rooms": ["forum"],
    }
    read, expected = {}, {}

    for kind in SearchEntry.Kind.values:
        ids = list(RECORDS[kind]().values_list("pk", flat=True))
        with django_assert_num_queries(1):
            records = sorted(read_records(kind, ids), key=lambda record: record.pk)
        with django_assert_num_queries(0):  # related records and annotations came with them
            read[kind] = [_fields(record, *related.get(kind, ())) for record in records]
            read[kind] += [record.is_public for record in records if kind == "documents"]
        queryset = RECORDS[kind]().filter(pk__in=ids).order_by("pk")
        expected[kind] = [_fields(record, *related.get(kind, ())) for record in queryset]
        expected[kind] += [record.is_public for record in queryset if kind == "documents"]

    assert read == expected
    assert all(read.values())


def test_records_read_together_share_the_records_they_have_in_common(django_assert_num_queries):
    roundtable = make_roundtable()
    sessions = [make_session(roundtable=roundtable, title=f"Session {n}") for n in range(3)]
    other = make_session(roundtable=make_roundtable(forum=roundtable.forum))
    issues = [make_issue(session=sessions[0], text=f"Issue {n}") for n in range(2)]

    with django_assert_num_queries(2):
        read = sorted(read_records("sessions", [other.pk, *(session.pk for session in sessions)]), key=str)
        points = read_records("issues", [issue.pk for issue in issues])

    assert len({id(session.roundtable) for session in read}) == 2
    assert len({id(session.roundtable.forum) for session in read}) == 1
    assert len({id(point.session) for point in points}) == 1
    assert [session.roundtable.pk for session in read] == [session.roundtable_id for session in read]


def test_the_compiled_union_gives_the_rows_of_each_visitors_querysets(organiser):
    _drafts_of_every_kind()
    make_session(roundtable=make_roundtable(title="Quay roundtable", number=2), title="Quay session", number=3)
    visitors = [AnonymousUser(), organiser, make_user(), AnonymousUser(), organiser]

    def by_the_querysets(user):
        return sorted(row for part in visible_parts(Querysets(user)) for row in part)

    rows = [sorted(visible_rows(user)) for user in visitors]

    assert rows == [by_the_querysets(user) for user in visitors]
    assert ["sessions", Session.objects.get(title="Quay session").pk, 2, 3] in [
        [kind, pk, roundtable, number] for kind, pk, _place, roundtable, number in rows[0]
    ]


def test_a_session_of_a_draft_forum_is_not_found_by_the_public(client):
    forum = make_forum(status=Status.DRAFT)
    make_session(roundtable=make_roundtable(forum=forum), title="Hidden migration agenda")

    assert response_total(_search(client, "agenda")) == 0


def response_total(response):
    return response.context["result_total"]


# The index kept in step ------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_edited_title_is_found_once_committed_and_the_old_one_no_longer(client):
    session = make_session(title="Labour mobility")

    with transaction.atomic():
        session.title = "Skills partnerships"
        session.save()

    assert _found(_search(client, "partnerships")) == [Session.objects.get(pk=session.pk)]
    assert _found(_search(client, "mobility")) == []


@pytest.mark.django_db(transaction=True)
def test_an_edit_rolled_back_leaves_the_index_as_it_was(client):
    session = make_session(title="Labour mobility")

    def edit_then_fail():
        with transaction.atomic():
            session.title = "Skills partnerships"
            session.save()
            raise RuntimeError

    with pytest.raises(RuntimeError):
        edit_then_fail()

    assert _found(_search(client, "mobility")) == [session]
    assert _found(_search(client, "partnerships")) == []


def test_a_deleted_session_leaves_the_index_with_its_issues(client):
    session = make_session(title="Labour mobility")
    make_issue(session=session, text="Portable mobility rights")

    session.delete()

    assert list(SearchEntry.objects.filter(kind__in=["sessions", "issues"])) == []
    assert response_total(_search(client, "mobility")) == 0


def test_a_renamed_organisation_is_searched_under_its_new_name(client):
    organisation = make_organisation(name="Caritas Hellas")
    person = make_person(name="Amina Okafor", organisation=organisation)
    make_participation(session=make_session(), person=person)

    organisation.name = "Solidarity Now"
    organisation.save()

    assert _found(_search(client, "solidarity"), "people") == [person]
    assert _found(_search(client, "caritas"), "people") == []


def test_rebuilding_a_forum_indexes_what_bulk_writes_left_out(client):
    session = make_session(title="Labour mobility")
    Session.objects.filter(pk=session.pk).update(title="Skills partnerships")  # no signal, the index is stale

    assert _found(_search(client, "partnerships")) == []

    search_index_rebuild(forum=session.roundtable.forum)

    assert _found(_search(client, "partnerships")) == [session]


def test_rebuild_command_writes_the_whole_index(client, capsys):
    session = make_session(title="Labour mobility")
    SearchEntry.objects.all().delete()

    call_command("rebuild_search_index")

    assert _found(_search(client, "mobility")) == [session]
    assert "Search index: " in capsys.readouterr().out


def test_load_programme_leaves_an_index(client):
    call_command("load_programme")
    SearchEntry.objects.all().delete()  # as a database filled before the index existed

    call_command("load_programme")

    assert response_total(_search(client, "remittances")) > 0


# Themes and rooms --------------------------------------------------------------------------------------------


def test_themes_are_found_by_name_and_description_in_the_pages_language(client):
    by_name = make_theme(name="Circular migration", name_fr="Migration circulaire")
    by_description = make_theme(name="Mobility", description="Seasonal and circular schemes.")

    response = _search(client, "circular")
    french = _search(client, "circulaire", "fr")

    assert _found(response, "themes") == [by_name, by_description]
    html = response.content.decode()
    assert _hit(french, by_name).heading == "Migration <mark>circulaire</mark>"
    assert '<h2 id="results-themes-heading">Themes <span class="count">(2)</span></h2>' in html
    assert f'<h3><a href="/en/themes/{by_name.slug}/"><mark>Circular</mark> migration</a></h3>' in html
    assert '<p class="snippet">Seasonal and <mark>circular</mark> schemes.</p>' in html


def test_rooms_are_found_and_lead_to_their_forums_programme_in_that_room(client):
    forum = make_forum(slug="athens-2009")
    room = make_room(forum=forum, name="Megaron Hall")
    make_session(roundtable=make_roundtable(forum=forum), room=room)
    make_room(forum=forum, name="Empty Hall")  # no session in it: the programme offers no filter for it

    response = _search(client, "hall")

    assert _found(response, "rooms") == [room]
    assert _hit(response, room).url == "/en/forums/athens-2009/programme/?room=megaron-hall"
    assert '<h3><a href="/en/forums/athens-2009/programme/?room=megaron-hall">Megaron <mark>Hall</mark></a></h3>' in (
        response.content.decode()
    )
    assert client.get(_hit(response, room).url).status_code == 200


def test_every_kind_is_found_at_once_each_in_its_order(client):
    forum = make_forum()
    roundtable = make_roundtable(forum=forum, title="Harbour roundtable")
    room = make_room(forum=forum, name="Harbour room")
    session = make_session(roundtable=roundtable, title="Harbour session", room=room)
    issue = make_issue(session=session, text="Harbour issue")
    person = make_person(name="Harbour Person")
    make_participation(session=session, person=person)
    theme = make_theme(name="Harbour theme")
    document = make_document(forum=forum, title="Harbour paper")
    contribution = make_contribution(forum=forum, title="Harbour practice")

    response = _search(client, "harbour")

    assert {group.kind: [hit.object for hit in group.hits] for group in response.context["groups"]} == {
        "sessions": [session],
        "issues": [issue],
        "roundtables": [roundtable],
        "themes": [theme],
        "people": [person],
        "documents": [document],
        "contributions": [contribution],
        "rooms": [room],
    }


def test_each_kinds_part_of_the_union_selects_its_columns_in_the_same_order():
    make_session(title="Harbour session", room=make_room(name="Harbour room"))

    parts = visible_parts(Querysets(AnonymousUser()))

    names = "|".join(ORDERED_COLUMNS[:1] + ORDERED_COLUMNS[2:])
    columns = [re.findall(rf'AS "({names}|pk)"', str(part.query))[:5] for part in parts]
    assert columns == [list(ORDERED_COLUMNS)] * len(SearchEntry.Kind.values)


# Paging and queries -------------------------------------------------------------------------------------------


def test_results_page_through_all_matches_in_programme_order(client):
    roundtable = make_roundtable()
    sessions = [make_session(roundtable=roundtable, title=f"Remittance corridor {n}") for n in range(25)]

    first = _search(client, "remittances")
    second = _search(client, "remittances", page=2)

    assert (response_total(first), _found(first), _found(second)) == (25, sessions[:20], sessions[20:])


def test_title_matches_come_before_text_matches(client):
    roundtable = make_roundtable()
    in_text = make_session(roundtable=roundtable, title="Labour", background="On remittances.")
    in_title = make_session(roundtable=roundtable, title="Remittances")

    assert _found(_search(client, "remittances")) == [in_title, in_text]


def _matching_sessions(roundtable, numbers):
    for n in numbers:
        session = make_session(roundtable=roundtable, title=f"Remittances {n}", room=make_room(forum=roundtable.forum))
        make_issue(session=session, text="Cheaper remittances")
        make_participation(session=session, person=make_person(name=f"Remittance Expert {n}"))


@pytest.mark.parametrize("count", [1, 3])
def test_search_queries_stay_flat_with_the_number_of_matching_sessions(django_assert_num_queries, count):
    _matching_sessions(make_roundtable(), range(count))

    # the words matched, the visible records in order, the sessions, issues and people shown, their marked texts
    with django_assert_num_queries(6):
        results = programme_search(query="remittances", user=AnonymousUser())

    assert {group.kind: group.total for group in results.groups if group.total} == {
        "sessions": count,
        "issues": count,
        "people": count,
    }


def test_the_search_page_costs_as_many_queries_for_three_matching_sessions_as_for_one(client):
    roundtable = make_roundtable()
    _matching_sessions(roundtable, [1])
    _search(client, "remittances")  # the menu's forum is looked up once, then kept
    with CaptureQueriesContext(connection) as one:
        _search(client, "remittances")
    _matching_sessions(roundtable, [2, 3])

    with CaptureQueriesContext(connection) as three:
        response = _search(client, "remittances")

    assert (len(three), response_total(response)) == (len(one), 9)


def test_a_query_without_words_or_codes_matches_nothing_and_costs_no_query(django_assert_num_queries):
    make_session(title="Remittances")

    with django_assert_num_queries(0):
        results = programme_search(query="-remittances ,;", user=AnonymousUser())

    assert results.total == 0


def test_parse_query_keeps_at_most_max_terms():
    parsed = parse_query(" ".join(f"word{n}" for n in range(20)))

    assert len(parsed.terms) == MAX_TERMS


@pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5's query plan: SQLite's index")
def test_the_marked_texts_match_the_words_once_rather_than_once_per_entry():
    """The entries to mark are picked among the query's matches, not given to FTS5 as ids: each id would be a
    match of its own, with the words' lookups again."""
    sessions = [make_session(title=f"Harbour {n}") for n in range(3)]
    entries = list(SearchEntry.objects.filter(kind="sessions", object_id__in=[s.pk for s in sessions]))
    sql, params = search_engines.engine().marked_parts(parse_query("harbour"), "en", [e.pk for e in entries])

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        marked = cursor.fetchall()
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = [row[-1] for row in cursor.fetchall()]

    assert [row[-2] for row in sorted(marked)] == [f"\ue000Harbour\ue001 {n}" for n in range(3)]
    assert [step for step in plan if "programme_search_en VIRTUAL TABLE" in step] == [
        "SCAN programme_search_en VIRTUAL TABLE INDEX 0:M3"
    ]
