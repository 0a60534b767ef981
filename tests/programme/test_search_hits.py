"""What each search result shows (programme/search_hits.py): links made with one reverse() per kind."""

import pytest
from django.urls import NoReverseMatch, reverse

from programme.search_hits import Links


def test_links_give_what_reverse_gives_for_each_record():
    links = Links()
    arguments = [
        {"forum": "athens-2009", "roundtable": "labour-mobility", "slug": "session-1"},
        {"forum": "dhaka-2016", "roundtable": "r_2", "slug": "2-1"},
    ]

    made = [links.url("roundtables:session", **kwargs) for kwargs in arguments]
    documents = [links.url("sessions:document", pk=pk) for pk in (7, 1234)]

    assert made == [reverse("roundtables:session", kwargs=kwargs) for kwargs in arguments]
    assert documents == [reverse("sessions:document", kwargs={"pk": pk}) for pk in (7, 1234)]


def test_links_reverse_a_value_no_marker_can_stand_for():
    links = Links()
    links.url("roundtables:theme", slug="circular-migration")

    with pytest.raises(NoReverseMatch):
        links.url("roundtables:theme", slug="not a slug/")
