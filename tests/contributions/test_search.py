"""Contributions in the site search (programme/search.py)."""

from tests.contributions.factories import make_contribution
from tests.factories import make_forum

SEARCH_URL = "/en/search/"


def _contributions(response):
    return next(group for group in response.context["groups"] if group.kind == "contributions")


def test_search_finds_published_contributions_by_title_organisation_and_text(client, db):
    forum = make_forum(name="Chisinau 2011")
    by_title = make_contribution(forum=forum, title="Remittance cards", organisation_name="JMDI")
    by_text = make_contribution(forum=forum, title="Savings", summary="Families send remittances home.")
    make_contribution(forum=forum, title="Remittances, pending", status="pending")
    make_contribution(forum=forum, title="Remittances, rejected", status="rejected")

    response = client.get(SEARCH_URL, {"q": "remittance"})

    group = _contributions(response)
    page = response.content.decode()
    assert [hit.object for hit in group.hits] == [by_title, by_text]
    assert (group.label, group.total) == ("Good practices", 2)
    assert f'<h3><a href="{by_title.get_absolute_url()}"><mark>Remittance</mark> cards</a></h3>' in page
    assert '<p class="meta">JMDI · Non-governmental organisation · Chisinau 2011</p>' in page
    assert [hit.object for hit in _contributions(client.get(SEARCH_URL, {"q": "JMDI"})).hits] == [by_title]


def test_search_escapes_what_a_submitter_typed(client, db):
    make_contribution(title="<script>alert(1)</script> migration", organisation_name="<b>Org</b>")

    page = client.get(SEARCH_URL, {"q": "migration"}).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>migration</mark>" in page
    assert "&lt;b&gt;Org&lt;/b&gt;" in page
