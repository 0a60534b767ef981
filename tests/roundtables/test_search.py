import pytest
from django.urls import reverse

from programme.search import (
    MAX_QUERY_LENGTH,
    RESULTS_PER_PAGE,
    START,
    STOP,
    excerpt,
    mark_terms,
    marked_html,
    parse_query,
    plain_text,
    query_clean,
)
from roundtables.models import Status
from sessions.models import Issue
from tests.factories import (
    make_document,
    make_forum,
    make_issue,
    make_organisation,
    make_participation,
    make_person,
    make_programme,
    make_roundtable,
    make_session,
)

SEARCH_URL = "/en/search/"


def _found(response):
    return {group.kind: [hit.object for hit in group.hits] for group in response.context["groups"]}


def _totals(response):
    return {group.kind: group.total for group in response.context["groups"]}


def _hit(response, obj):
    return next(hit for group in response.context["groups"] for hit in group.hits if hit.object == obj)


@pytest.fixture
def remittances(db):
    """One published forum where "remittances" appears in every kind of record."""
    forum = make_forum(name="Civil Society Days, Athens 2009")
    roundtable = make_roundtable(forum=forum, title="Labour mobility", background="Circular migration and remittances.")
    in_title = make_session(roundtable=roundtable, title="Remittances for development", background="Who pays.")
    in_background = make_session(
        roundtable=roundtable, title="Diaspora partnerships", background="Hometown associations send remittances."
    )
    issue = make_issue(session=in_background, text="Lower the cost of sending remittances")
    point = make_issue(parent=issue, text="Mobile transfers of remittances")
    document = make_document(forum=forum, title="Remittances in figures", description="Yearly data.")
    make_session(roundtable=roundtable, title="Unrelated", background="Nothing to see.")
    return {
        "forum": forum,
        "roundtable": roundtable,
        "in_title": in_title,
        "in_background": in_background,
        "issue": issue,
        "point": point,
        "document": document,
    }


def test_search_url_is_language_prefixed():
    assert reverse("roundtables:search") == "/en/search/"


def test_search_finds_every_kind_ranking_titles_first(client, remittances):
    r = remittances

    response = client.get(SEARCH_URL, {"q": "remittances"})

    assert response.status_code == 200
    assert _found(response) == {
        "sessions": [r["in_title"], r["in_background"]],
        "issues": [r["issue"], r["point"]],
        "roundtables": [r["roundtable"]],
        "people": [],
        "documents": [r["document"]],
        "contributions": [],
        "themes": [],
        "rooms": [],
    }
    assert response.context["result_total"] == 6


def test_search_results_are_grouped_with_counts_and_issues_show_their_session(client, remittances):
    r = remittances
    session = r["in_background"]

    html = client.get(SEARCH_URL, {"q": "remittances"}).content.decode()

    assert "6 results for “remittances”" in html
    assert '<a href="#results-sessions">Sessions <span class="count">(2)</span></a>' in html
    assert '<a href="#results-issues">Issues and questions <span class="count">(2)</span></a>' in html
    assert '<a href="#results-people">' not in html
    assert (
        f'<a href="{session.get_absolute_url()}#issue-{r["point"].pk}"><span class="code">1.2</span> '
        "Diaspora partnerships</a>"
    ) in html
    assert (
        f'<a href="{r["in_title"].get_absolute_url()}"><span class="code">1.1</span> '
        "<mark>Remittances</mark> for development</a>"
    ) in html


def test_search_highlights_matches_in_titles_and_excerpts(client, remittances):
    response = client.get(SEARCH_URL, {"q": "remittances"})

    hit = _hit(response, remittances["in_background"])
    issue_hit = _hit(response, remittances["issue"])
    document_hit = _hit(response, remittances["document"])

    assert (hit.heading, hit.snippet) == (
        "Diaspora partnerships",
        "Hometown associations send <mark>remittances</mark>.",
    )
    assert issue_hit.snippet == "Lower the cost of sending <mark>remittances</mark>"
    assert (document_hit.heading, document_hit.snippet) == ("<mark>Remittances</mark> in figures", "Yearly data.")


def test_search_finds_people_by_name_and_organisation(client, remittances):
    session = remittances["in_title"]
    by_name = make_person(name="Amina Okafor", position="Director", organisation=make_organisation(name="Caritas"))
    by_organisation = make_person(name="Jean Dupont", organisation=make_organisation(name="Okafor Foundation"))
    make_participation(session=session, person=by_name)
    make_participation(session=session, person=by_organisation)

    response = client.get(SEARCH_URL, {"q": "okafor"})

    assert _found(response)["people"] == [by_name, by_organisation]
    assert _hit(response, by_name).heading == "Amina <mark>Okafor</mark>"
    assert _hit(response, by_organisation).snippet == "<mark>Okafor</mark> Foundation"
    assert (
        f'<h3><a href="{by_name.get_absolute_url()}">Amina <mark>Okafor</mark></a></h3>\n'
        '      <p class="meta">Director, Caritas</p>'
    ) in response.content.decode()


def test_search_finds_a_session_by_its_code(client, remittances):
    response = client.get(SEARCH_URL, {"q": "1.2"})

    assert _found(response)["sessions"] == [remittances["in_background"]]
    assert '<span class="code"><mark>1.2</mark></span> Diaspora partnerships' in response.content.decode()


def test_a_session_found_by_its_code_comes_before_those_with_the_words_in_their_title(client, remittances):
    """1.2 holds "remittances" in its background only; 1.1 in its title, and comes first in the programme."""
    response = client.get(SEARCH_URL, {"q": "remittances 1.2"})

    assert _found(response)["sessions"] == [remittances["in_background"], remittances["in_title"]]


def test_search_shows_only_published_records_to_the_public(client, db):
    forum = make_forum()
    draft_forum = make_forum(status=Status.DRAFT)
    draft_session = make_session(roundtable=make_roundtable(forum=forum), title="Hidden migration", status=Status.DRAFT)
    make_session(roundtable=make_roundtable(forum=draft_forum, title="Hidden roundtable"), title="Hidden session")
    make_issue(session=draft_session, text="Hidden issue")
    make_document(session=draft_session, title="Hidden paper")
    make_document(forum=draft_forum, title="Hidden forum paper")
    make_participation(session=draft_session, person=make_person(name="Hidden Person"))

    response = client.get(SEARCH_URL, {"q": "hidden"})

    assert _totals(response) == {
        "sessions": 0,
        "issues": 0,
        "roundtables": 0,
        "people": 0,
        "documents": 0,
        "contributions": 0,
        "themes": 0,
        "rooms": 0,
    }
    assert "Nothing found for “hidden”." in response.content.decode()


def test_search_shows_drafts_to_staff_marked_as_drafts(organiser_client, db):
    forum = make_forum()
    draft_forum = make_forum(status=Status.DRAFT)
    draft_session = make_session(roundtable=make_roundtable(forum=forum), title="Hidden migration", status=Status.DRAFT)
    roundtable = make_roundtable(forum=draft_forum, title="Hidden roundtable")
    issue = make_issue(session=draft_session, text="Hidden issue")
    paper = make_document(session=draft_session, title="Hidden paper")
    person = make_person(name="Hidden Person")
    make_participation(session=draft_session, person=person)

    response = organiser_client.get(SEARCH_URL, {"q": "hidden"})

    assert _found(response) == {
        "sessions": [draft_session],
        "issues": [issue],
        "roundtables": [roundtable],
        "people": [person],
        "documents": [paper],
        "contributions": [],
        "themes": [],
        "rooms": [],
    }
    assert [hit.is_draft for group in response.context["groups"] for hit in group.hits] == [
        True,
        True,
        True,
        False,
        True,
    ]
    assert response.content.decode().count('<span class="badge">Draft</span>') == 4


def test_search_escapes_the_query(client, remittances):
    response = client.get(SEARCH_URL, {"q": "<script>alert(1)</script>"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)" not in html
    assert "Nothing found for “&lt;script&gt;alert(1)&lt;/script&gt;”." in html
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in html


def test_search_escapes_stored_html_and_marks_only_the_match(client, db):
    session = make_session(
        title="Rights <em>now</em> & later",
        background='<script>alert("x")</script> **Rights** <img src=x onerror=alert(1)> matter',
    )

    response = client.get(SEARCH_URL, {"q": "rights"})

    hit = _hit(response, session)
    html = response.content.decode()
    assert hit.heading == "<mark>Rights</mark> &lt;em&gt;now&lt;/em&gt; &amp; later"
    assert hit.snippet == "<mark>Rights</mark> matter"
    assert "onerror" not in html
    assert 'alert("x")' not in html


def test_search_with_an_empty_query_explains_what_can_be_found_without_querying(
    client, remittances, django_assert_num_queries
):
    # the menu's forum (then cached until the programme changes); the early page cache finds no note of a
    # stored answer for this address, so it reads no programme version
    with django_assert_num_queries(1):
        response = client.get(SEARCH_URL, {"q": "   "})

    html = response.content.decode()
    assert response.context["groups"] == []
    assert "What you can find" in html
    assert f'<a href="{SEARCH_URL}?q=1.2">1.2</a>' in html
    assert '<meta name="robots" content="noindex">' in html


def test_search_cuts_a_very_long_query(client, remittances):
    response = client.get(SEARCH_URL, {"q": "remittances " + "x" * 500})

    assert response.context["query"] == "remittances"
    assert response.context["query_is_cut"] is True
    assert f"only its first {MAX_QUERY_LENGTH} characters were used" in response.content.decode()


def test_search_ignores_control_characters(client, remittances):
    response = client.get(SEARCH_URL, {"q": "remit\x00tances"})

    assert response.context["query"] == "remittances"
    assert _totals(response)["sessions"] == 2


@pytest.mark.parametrize("size", [3, 30])
def test_search_queries_stay_flat_however_large_the_programme(client, db, django_assert_num_queries, size):
    make_programme(roundtables=size)

    # the menu's forum, the words matched, the visible records in order, the sessions shown, their marked texts
    # (search pages are never stored, so the early page cache reads no programme version)
    with django_assert_num_queries(5):
        response = client.get(SEARCH_URL, {"q": "session"})

    sessions = next(group for group in response.context["groups"] if group.kind == "sessions")
    assert (sessions.total, len(sessions.hits)) == (2 * size, min(2 * size, RESULTS_PER_PAGE))


def test_header_search_form_works_without_javascript(client, remittances):
    html = client.get("/en/forums/").content.decode()

    assert (
        f'<form class="site-search" action="{SEARCH_URL}" method="get" role="search" aria-label="Site search">\n'
        '        <label for="site-search-q" class="visually-hidden">Search the programme</label>\n'
        '        <input id="site-search-q" type="search" name="q"'
    ) in html


def test_query_clean_collapses_spaces_and_cuts_between_words():
    long_query = " ".join(["migration"] * 20)

    assert query_clean("  gender \t and\nmigration ") == ("gender and migration", False)
    assert query_clean(long_query) == (" ".join(["migration"] * 10), True)
    assert query_clean("x" * 150) == ("x" * MAX_QUERY_LENGTH, True)


def test_parse_query_reads_phrases_alternatives_exclusions_and_codes_dropping_punctuation_and_repeats():
    parsed = parse_query('"Remittances" remittances (cost) or fees -gender "human rights" 1.2 & co-operation')

    assert [[term.words for term in group] for group in parsed.groups] == [
        [("Remittances",)],
        [("cost",), ("fees",)],
        [("human", "rights")],
        [("co", "operation")],
    ]
    assert [term.words for term in parsed.excluded] == [("gender",)]
    assert parsed.codes == ((1, 2),)


def test_marked_html_escapes_everything_and_balances_marks():
    marked = f"<b>{START}x{STOP}</b> {STOP}{START}{START}y"

    assert marked_html(marked) == "&lt;b&gt;<mark>x</mark>&lt;/b&gt; <mark>y</mark>"


def test_plain_text_drops_markdown_tags_and_scripts():
    text = "# Title\n\n**Bold** and [a link](https://example.org) <script>alert(1)</script>&lt;i&gt;"

    assert plain_text(text, is_markdown=True) == "Title Bold and a link <i>"
    assert plain_text("  <b>kept</b>\n as text ") == "<b>kept</b> as text"


def test_excerpt_starts_a_little_before_the_first_match_and_cuts_between_words():
    words = " ".join(f"word{n}" for n in range(100))
    tail = " ".join(f"tail{n}" for n in range(100))
    marked = mark_terms(f"{words} remittances {tail} remittances", ["remittances"])

    result = marked_html(excerpt(marked, length=60))

    assert result == "… word97 word98 word99 <mark>remittances</mark> tail0 tail1 tail2 tail3 …"


def test_excerpt_keeps_a_short_text_whole():
    assert excerpt("Short text.", length=60) == "Short text."


def test_issue_kinds_are_labelled_in_results(client, remittances):
    question = make_issue(session=remittances["in_title"], kind=Issue.Kind.QUESTION, text="Which banks charge most?")

    response = client.get(SEARCH_URL, {"q": "banks"})

    html = response.content.decode()
    assert _found(response)["issues"] == [question]
    assert '<p class="meta">Discussion question · Civil Society Days, Athens 2009</p>' in html
