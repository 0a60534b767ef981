"""What each search result shows (programme/search_hits.py): links made with one reverse() per kind."""

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from programme.search_hits import Links, _group_label
from roundtables.models import Forum, Theme
from roundtables.templatetags.naming import group_label
from roundtables.templatetags.translated import lang_attr


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


def test_group_labels_made_once_per_forum_keep_each_number():
    themed, plain = Forum(pk=1, group_name_en="Theme", group_name_fr="Thème"), Forum(pk=2)
    for language in ("en", "fr"):
        links = Links()
        with translation.override(language):
            made = [_group_label(links, forum, number) for forum in (themed, plain) for number in (1, 12)]
            expected = [group_label(forum, number) for forum in (themed, plain) for number in (1, 12)]

        assert made == expected
    assert made == ["Thème 1", "Thème 12", "Table ronde 1", "Table ronde 12"]


def test_lang_attr_of_links_gives_what_the_tag_gives():
    theme = Theme(name_en="Circular migration", name_fr="Migration circulaire", description_en="About it")
    for language in ("en", "fr", "es"):
        with translation.override(language):
            links = Links()
            for field in ("name", "description", "slug"):
                assert links.lang_attr(theme, field) == lang_attr(theme, field)
    with translation.override("fr"):
        assert (Links().lang_attr(theme, "name"), Links().lang_attr(theme, "description")) == ("", ' lang="en"')
