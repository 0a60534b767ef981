"""``date_range``: a forum's days as one range, in each language, on pages and in PDFs."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from tests.factories import make_forum

D = datetime.date


def _range(start, end, language):
    with translation.override(language):
        return Template("{% load portal %}{{ start|date_range:end }}").render(Context({"start": start, "end": end}))


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "2–3 November 2009"), ("fr", "2–3 novembre 2009"), ("es", "2–3 de noviembre de 2009")],
)
def test_days_of_one_month_share_the_month_and_year(language, expected):
    assert _range(D(2009, 11, 2), D(2009, 11, 3), language) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "8 December 2016"), ("fr", "8 décembre 2016"), ("es", "8 de diciembre de 2016")],
)
def test_a_single_day_is_written_once(language, expected):
    assert _range(D(2016, 12, 8), D(2016, 12, 8), language) == expected
    assert _range(D(2016, 12, 8), None, language) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "30 November – 2 December 2009"), ("fr", "30 novembre – 2 décembre 2009")],
)
def test_days_across_two_months_share_the_year(language, expected):
    assert _range(D(2009, 11, 30), D(2009, 12, 2), language) == expected


def test_days_across_two_months_in_spanish():
    assert _range(D(2009, 11, 30), D(2009, 12, 2), "es") == "30 de noviembre – 2 de diciembre de 2009"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "30 December 2009 – 2 January 2010"),
        ("fr", "30 décembre 2009 – 2 janvier 2010"),
        ("es", "30 de diciembre de 2009 – 2 de enero de 2010"),
    ],
)
def test_days_across_two_years_are_written_in_full(language, expected):
    assert _range(D(2009, 12, 30), D(2010, 1, 2), language) == expected


def test_an_empty_start_gives_an_empty_text():
    assert _range(None, D(2009, 11, 3), "en") == ""


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/en/forums/", "2–3 November 2009"),
        ("/fr/forums/", "2–3 novembre 2009"),
        ("/es/forums/", "2–3 de noviembre de 2009"),
        ("/en/forums/range-2009/", "2–3 November 2009"),
        ("/es/forums/range-2009/", "2–3 de noviembre de 2009"),
    ],
)
def test_forum_pages_show_their_days_as_a_range(client, db, url, expected):
    make_forum(name="Range 2009", slug="range-2009", starts_on=D(2009, 11, 2), ends_on=D(2009, 11, 3))

    html = client.get(url).content.decode()

    assert expected in html
    assert "2 November 2009–3 November 2009" not in html
