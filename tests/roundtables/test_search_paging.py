"""Search results: how many there are, page after page of them, grouped by kind with a heading each."""

import re

import pytest
from django.urls import reverse

from programme.search import RESULTS_PER_PAGE, KindResults, results_page
from tests.factories import make_document, make_forum, make_issue, make_programme, make_roundtable, make_session

SEARCH_URL = "/en/search/"


def _page_hits(response):
    return [(group.kind, [hit.object for hit in group.hits]) for group in response.context["groups"] if group.hits]


def _headings(html):
    return [
        re.sub(r"<[^>]+>", "", heading) for heading in re.findall(r'<h2 id="results-[a-z]+-heading">(.*?)</h2>', html)
    ]


def _pager(html):
    """The rel="prev" and rel="next" links of the result pages, as (rel, href)."""
    nav = re.search(r'<nav class="pager result-pages"[^>]*>(.*?)</nav>', html, re.S)
    if nav is None:
        return []
    return [
        (rel, href.replace("&amp;", "&")) for rel, href in re.findall(r'<a rel="(prev|next)" href="([^"]*)"', nav[1])
    ]


@pytest.fixture
def twenty_nine(db):
    """29 sessions about remittances in one forum (and one session about something else)."""
    forum = make_forum(name="Civil Society Days, Athens 2009")
    roundtables = [make_roundtable(forum=forum, title=f"Labour mobility {n}") for n in range(1, 4)]
    sessions = [
        make_session(roundtable=roundtables[n % 3], title=f"Remittances and development, part {n}") for n in range(29)
    ]
    make_session(roundtable=roundtables[0], title="Unrelated")
    return sorted(sessions, key=lambda s: (s.roundtable.number, s.number))


def test_search_says_how_many_results_and_shows_the_first_page(client, twenty_nine):
    response = client.get(SEARCH_URL, {"q": "remittances"})

    html = response.content.decode()
    assert response.context["result_total"] == 29
    assert _page_hits(response) == [("sessions", twenty_nine[:20])]
    assert '29 results for “remittances” <span class="page-position">(1–20 shown, page 1 of 2)</span>' in html
    assert '<p class="meta">1–20 of 29</p>' in html
    assert _pager(html) == [("next", f"{SEARCH_URL}?q=remittances&page=2")]
    assert "Page 1 of 2" in html
    assert "add a word to narrow the search" not in html


def test_search_pages_on_to_the_last_results(client, twenty_nine):
    response = client.get(SEARCH_URL, {"q": "remittances", "page": "2"})

    html = response.content.decode()
    assert _page_hits(response) == [("sessions", twenty_nine[20:])]
    assert '29 results for “remittances” <span class="page-position">(21–29 shown, page 2 of 2)</span>' in html
    assert '<p class="meta">21–29 of 29</p>' in html
    assert '<ol class="results" start="21">' in html
    assert _pager(html) == [("prev", f"{SEARCH_URL}?q=remittances")]


def test_every_result_is_on_exactly_one_page(client, twenty_nine):
    pages = [client.get(SEARCH_URL, {"q": "remittances", "page": n}) for n in (1, 2)]

    seen = [obj for response in pages for _kind, objects in _page_hits(response) for obj in objects]

    assert seen == twenty_nine


@pytest.mark.parametrize(("asked", "shown"), [("9", 2), ("abc", 1), ("0", 1), ("-3", 1), ("", 1), ("2.5", 1)])
def test_a_page_number_out_of_range_shows_the_nearest_page(client, twenty_nine, asked, shown):
    response = client.get(SEARCH_URL, {"q": "remittances", "page": asked})

    assert response.status_code == 200
    assert response.context["results"].number == shown
    assert _page_hits(response) == [("sessions", twenty_nine[(shown - 1) * 20 : shown * 20])]


def test_results_are_grouped_by_kind_with_a_heading_each_across_pages(client, db):
    forum = make_forum()
    roundtable = make_roundtable(forum=forum, title="Remittances roundtable")
    sessions = [make_session(roundtable=roundtable, title=f"Remittances {n}") for n in range(25)]
    issues = [make_issue(session=sessions[0], text=f"Cheaper remittances {n}", position=n) for n in range(3)]
    documents = [make_document(forum=forum, title=f"Remittances paper {n}") for n in range(2)]

    first = client.get(SEARCH_URL, {"q": "remittances"})
    second = client.get(SEARCH_URL, {"q": "remittances", "page": 2})

    assert [(kind, len(objects)) for kind, objects in _page_hits(first)] == [("sessions", 20)]
    assert _page_hits(second) == [
        ("sessions", sessions[20:]),
        ("issues", issues),
        ("roundtables", [roundtable]),
        ("documents", sorted(documents, key=lambda d: d.title)),
    ]
    assert _headings(second.content.decode()) == [
        "Sessions (25)",
        "Issues and questions (3)",
        "Roundtables (1)",
        "Documents (2)",
    ]
    kinds_nav = re.search(r'<nav class="result-kinds"[^>]*>(.*?)</nav>', first.content.decode(), re.S)[1]
    assert re.findall(r'<a href="([^"]*)">', kinds_nav) == [
        "#results-sessions",
        f"{SEARCH_URL}?q=remittances&amp;page=2#results-issues",
        f"{SEARCH_URL}?q=remittances&amp;page=2#results-roundtables",
        f"{SEARCH_URL}?q=remittances&amp;page=2#results-documents",
    ]
    assert '<p class="meta">21–25 of 25</p>' in second.content.decode()


def test_a_query_that_fits_one_page_has_no_pager(client, db):
    make_session(title="Remittances")

    html = client.get(SEARCH_URL, {"q": "remittances"}).content.decode()

    assert "1 result for “remittances”</p>" in html
    assert _pager(html) == []
    assert "result-pages" not in html


def test_the_pager_keeps_the_query_escaped(client, db):
    for n in range(21):
        make_session(title=f"Rights & duties {n}")

    html = client.get(SEARCH_URL, {"q": "rights & duties"}).content.decode()

    assert _pager(html) == [("next", f"{SEARCH_URL}?q=rights%20%26%20duties&page=2")]


# Paging, whatever finds the results.


class _Listed:
    """Results held in a list, noting what paging asks of them."""

    def __init__(self, kind, objects):
        self.kind, self.label, self.objects, self.calls = kind, kind.title(), objects, []

    def count(self):
        self.calls.append("count")
        return len(self.objects)

    def window(self, start, stop):
        self.calls.append(("window", start, stop))
        rows = self.objects[start:stop]
        return rows, (len(self.objects) if rows else None)

    def to_hit(self, obj):
        return obj


@pytest.mark.parametrize(
    ("number", "shown", "calls"),
    [
        (1, {"a": [0, 4], "b": [0, 4]}, [[("window", 0, 10)], [("window", 0, 5)], ["count"]]),
        (2, {"b": [5, 14]}, [["count"], ["count", ("window", 5, 15)], ["count"]]),
        (4, {"c": [0, 9]}, [["count"], ["count"], [("window", 0, 10)]]),
        (5, {"c": [10, 14]}, [["count"], ["count"], ["count", ("window", 10, 20)]]),
    ],
)
def test_results_page_reads_each_kind_once_and_counts_the_others(number, shown, calls):
    kinds = [_Listed("a", list(range(5))), _Listed("b", list(range(25))), _Listed("c", list(range(15)))]

    page = results_page(kinds, number=number, per_page=10)

    assert {group.kind: [group.hits[0], group.hits[-1]] for group in page.groups if group.hits} == shown
    assert [kind.calls for kind in kinds] == calls
    assert (page.number, page.total, page.page_count, page.has_previous, page.has_next) == (
        number,
        45,
        5,
        number > 1,
        number < 5,
    )


def test_results_page_past_the_last_shows_the_last():
    kinds = [_Listed("a", list(range(5))), _Listed("b", list(range(12)))]

    page = results_page(kinds, number=7, per_page=10)

    assert (page.number, page.start_index, page.end_index) == (2, 11, 17)
    assert [(group.kind, group.hits, group.start, group.page) for group in page.groups] == [
        ("a", [], 1, 1),
        ("b", [5, 6, 7, 8, 9, 10, 11], 6, 1),
    ]


def test_results_page_without_results():
    page = results_page([_Listed("a", [])], number=1)

    assert (page.total, page.page_count, page.start_index, page.end_index, page.has_next) == (0, 1, 0, 0, False)


def test_kind_results_offers_what_results_page_reads():
    assert {"count", "window"} <= set(vars(KindResults))
    assert RESULTS_PER_PAGE == 20


# Queries.


@pytest.mark.parametrize("size", [4, 150])
def test_the_first_page_costs_the_same_queries_however_many_results(client, db, django_assert_num_queries, size):
    make_programme(roundtables=size)

    # the menu's forum, the words matched, the visible records in order, the sessions shown, their marked texts
    # (search pages are never stored, so the early page cache reads no programme version)
    with django_assert_num_queries(5):
        response = client.get(SEARCH_URL, {"q": "session"})

    assert response.context["result_total"] == 2 * size
    assert sum(len(group.hits) for group in response.context["groups"]) == min(2 * size, 20)


@pytest.mark.parametrize("size", [15, 150])
def test_a_later_page_costs_no_query_more(client, db, django_assert_num_queries, size):
    make_programme(roundtables=size)

    with django_assert_num_queries(5):  # as the first page: the results are counted from the ordered records
        response = client.get(SEARCH_URL, {"q": "session", "page": 2})

    assert [group.start for group in response.context["groups"] if group.hits] == [21]
    assert reverse("roundtables:search") == SEARCH_URL
