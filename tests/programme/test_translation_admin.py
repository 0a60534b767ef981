"""The admin in English, French and Spanish: each translated field's three columns on forms and inlines,
how much of each forum reads in French and Spanish on the dashboard, and the session list's filters
"Missing French" and "Missing Spanish"."""

import lxml.html
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import override

from programme.translation_progress import Coverage, translation_progress
from roundtables.models import Roundtable
from tests.admin_forms import admin_add_data, admin_change_data, admin_url
from tests.factories import make_forum, make_issue, make_roundtable, make_session

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("admin:roundtables_forum_dashboard")
SESSIONS = reverse("admin:programme_sessions_session_changelist")


def _names(response):
    form_id = f"{response.context['opts'].model_name}_form"
    [form] = [form for form in lxml.html.fromstring(response.content).forms if form.get("id") == form_id]
    return {element.name for element in form.inputs if element.name and "__prefix__" not in element.name}


def _labels(response, *ids):
    page = lxml.html.fromstring(response.content)
    return [page.xpath(f'//label[@for="{id_}"]')[0].text_content().strip() for id_ in ids]


def _stored_title(session):
    """The session's original title column, as other models' lookups read it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT title FROM programme_sessions_session WHERE id = %s", [session.pk])
        return cursor.fetchone()[0]


# Forms and inlines


def test_the_session_page_shows_each_language_of_each_text_and_not_the_field_itself(organiser_client):
    session = make_session(title="Circular migration", background="Why it matters.")
    make_issue(session=session, text="Remittances")

    response = organiser_client.get(admin_url(session))
    names = _names(response)

    assert {name for name in names if name.startswith(("title", "background", "issues-0-text"))} == {
        "title_en",
        "title_fr",
        "title_es",
        "background_en",
        "background_fr",
        "background_es",
        "issues-0-text_en",
        "issues-0-text_fr",
        "issues-0-text_es",
    }
    assert _labels(response, "id_title_en", "id_title_fr", "id_title_es") == [
        "Title [en]:",
        "Title [fr]:",
        "Title [es]:",
    ]
    assert [
        field.required
        for field in (
            response.context["adminform"].form.fields[name]
            for name in ("title_en", "title_fr", "title_es", "background_en")
        )
    ] == [True, False, False, False]


def test_the_add_pages_show_each_language(organiser_client):
    names = _names(organiser_client.get(admin_url(make_session(), "add")))
    roundtable_names = _names(organiser_client.get(reverse("admin:roundtables_roundtable_add")))

    assert {"title_en", "title_fr", "title_es", "background_en", "background_fr", "background_es"} <= names
    assert "title" not in names
    assert {"title_en", "title_fr", "title_es"} <= roundtable_names
    assert "title" not in roundtable_names


def test_pages_of_untranslated_records_keep_their_fields(organiser_client):
    session = make_session()

    names = _names(organiser_client.get(admin_url(session)))

    assert {"participations-TOTAL_FORMS", "number", "kind", "status", "room"} <= names


def test_a_french_title_saved_through_the_admin_shows_on_the_french_page(organiser_client):
    session = make_session(title="Circular migration", background="")
    data = admin_change_data(organiser_client, session, title_fr="Migration circulaire", title_es="")

    response = organiser_client.post(admin_url(session), data, HTTP_ACCEPT_LANGUAGE="fr")
    session.refresh_from_db()
    with override("fr"):
        french_url = session.get_absolute_url()
    with override("en"):
        english_url = session.get_absolute_url()
    french = organiser_client.get(french_url).content.decode()
    english = organiser_client.get(english_url).content.decode()

    assert response.status_code == 302
    assert (session.title_en, session.title_fr, session.title_es) == (
        "Circular migration",
        "Migration circulaire",
        None,
    )
    assert _stored_title(session) == "Circular migration"  # saved with English active, from a French browser
    assert "Migration circulaire" in french
    assert "Migration circulaire" not in english


def test_an_issue_translated_in_the_session_inline_is_saved(organiser_client):
    session = make_session()
    issue = make_issue(session=session, text="Remittances")
    data = admin_change_data(organiser_client, session, **{"issues-0-text_es": "Remesas"})

    response = organiser_client.post(admin_url(session), data)
    issue.refresh_from_db()

    assert response.status_code == 302
    assert (issue.text_en, issue.text_fr, issue.text_es) == ("Remittances", None, "Remesas")


def test_the_english_title_is_required_and_nothing_is_saved_without_it(organiser_client):
    session = make_session(title="Circular migration")
    data = admin_change_data(organiser_client, session, title_en="", title_fr="Migration circulaire")

    response = organiser_client.post(admin_url(session), data)
    session.refresh_from_db()

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["title_en"] == ["This field is required."]
    assert (session.title_en, session.title_fr) == ("Circular migration", None)


def test_a_new_roundtable_is_added_with_its_french_title(organiser_client):
    forum = make_forum()
    data = admin_add_data(
        organiser_client,
        Roundtable,
        forum=str(forum.pk),
        number="7",
        title_en="Labour mobility",
        title_fr="Mobilité de la main-d’œuvre",
        slug="labour-mobility",
    )

    response = organiser_client.post(reverse("admin:roundtables_roundtable_add"), data)
    roundtable = forum.roundtables.get(number=7)

    assert response.status_code == 302
    assert (roundtable.title_en, roundtable.title_fr, roundtable.title_es) == (
        "Labour mobility",
        "Mobilité de la main-d’œuvre",
        None,
    )


# "% translated": the figures


def _programme():
    """A forum whose one session has 4 texts (11 words), half of them in French (5 words)."""
    forum = make_forum(name="Athens", city="Athens", country="Greece", venue="", description="")
    roundtable = make_roundtable(forum=forum, title="Migration and development", background="")
    session = make_session(
        roundtable=roundtable,
        title="Circular migration",  # 2 words, in French
        title_fr="Migration circulaire",
        background="Why it matters here",  # 4 words, not in French
    )
    issue = make_issue(session=session, text="Remittances and development", text_fr="Transferts et développement")
    make_issue(session=session, parent=issue, text="Lower fees")  # 2 words, not in French
    return forum, roundtable, session


def test_coverage_counts_texts_and_their_words():
    coverage = Coverage(texts=4, translated=2, words=11, translated_words=5)

    assert (coverage.by_field, coverage.by_words, coverage.is_complete) == (50, 45, False)
    assert (Coverage().by_field, Coverage().by_words, Coverage().is_complete) == (None, None, True)
    assert coverage + Coverage(1, 1, 3, 3) == Coverage(5, 3, 14, 8)


def test_the_figures_of_a_session_its_roundtable_and_its_forum_are_exact():
    forum, _roundtable, session = _programme()

    [progress] = translation_progress([forum])
    [roundtable_progress] = progress.children
    [session_progress] = roundtable_progress.children

    assert (session_progress.pk, session_progress.label) == (session.pk, f"{session.code} Circular migration")
    assert session_progress.total == {"fr": Coverage(4, 2, 11, 5), "es": Coverage(4, 0, 11, 0)}
    assert session_progress.own == {"fr": Coverage(2, 1, 6, 2), "es": Coverage(2, 0, 6, 0)}
    # The roundtable's title (3 words) is not translated.
    assert roundtable_progress.total == {"fr": Coverage(5, 2, 14, 5), "es": Coverage(5, 0, 14, 0)}
    # The forum's name, city and country (3 words): none translated.
    assert progress.own == {"fr": Coverage(3, 0, 3, 0), "es": Coverage(3, 0, 3, 0)}
    assert progress.total == {"fr": Coverage(8, 2, 17, 5), "es": Coverage(8, 0, 17, 0)}
    assert [(gap.language, gap.own, gap.roundtables, gap.sessions) for gap in progress.gaps] == [
        ("fr", True, [roundtable_progress], [session_progress]),
        ("es", True, [roundtable_progress], [session_progress]),
    ]


def test_a_whole_translation_leaves_nothing_missing():
    forum = make_forum(name="Athens", name_fr="Athènes", city="", country="", venue="", description="")
    roundtable = make_roundtable(forum=forum, title="Migration", title_fr="Migration", background="")
    make_session(roundtable=roundtable, title="Remittances", title_fr="Transferts", background="")

    [progress] = translation_progress([forum])
    french, spanish = progress.gaps

    assert (progress.total["fr"].by_field, progress.total["fr"].by_words) == (100, 100)
    assert (french.count, spanish.count) == (0, 3)


@pytest.mark.parametrize("count", [1, 3])
def test_the_figures_take_three_queries(django_assert_num_queries, count):
    forum = make_forum()
    for _ in range(count):
        make_issue(session=make_session(roundtable=make_roundtable(forum=forum)))

    with django_assert_num_queries(3):
        [progress] = translation_progress([forum])

    assert len(progress.children) == count


# "% translated": the dashboard


def test_the_dashboard_shows_the_figures_and_links_to_what_misses_french(organiser_client):
    forum, roundtable, session = _programme()

    page = organiser_client.get(DASHBOARD, {"forum": forum.pk}).content.decode()
    html = lxml.html.fromstring(page)
    rows = [
        [cell.text_content().strip() for cell in row.xpath("th|td")]
        for row in html.xpath('//table[@class="dashboard-translations"]/tbody/tr')
    ]
    links = html.xpath('//ul[contains(@class, "dashboard-missing-language")]/li/a/@href')

    assert rows == [
        ["The whole forum", "25 % (2/8)", "29 % (5/17)", "0 % (0/8)", "0 % (0/17)"],
        [f"{roundtable.number}. Migration and development", "40 % (2/5)", "35 % (5/14)", "0 % (0/5)", "0 % (0/14)"],
    ]
    assert "Missing French (3)" in page
    assert links.count(reverse("admin:programme_sessions_session_change", args=[session.pk])) == 2
    assert links.count(reverse("admin:roundtables_roundtable_change", args=[roundtable.pk])) == 2
    assert links.count(reverse("admin:roundtables_forum_change", args=[forum.pk])) == 2


def _dashboard_queries(client, forum):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(DASHBOARD, {"forum": forum.pk})
    assert response.status_code == 200
    return len(queries)


def test_the_dashboard_queries_stay_flat_with_more_sessions(organiser_client):
    small, large = make_forum(), make_forum()
    make_issue(session=make_session(roundtable=make_roundtable(forum=small)))
    for _ in range(3):
        make_issue(session=make_session(roundtable=make_roundtable(forum=large)))

    assert _dashboard_queries(organiser_client, small) == _dashboard_queries(organiser_client, large)


# The session list's filters


def _filtered(client, **params):
    response = client.get(SESSIONS, params)
    assert response.status_code == 200
    return {session.title for session in response.context["cl"].result_list}


def test_the_missing_french_and_spanish_filters_find_exactly_the_sessions_with_an_untranslated_text(
    organiser_client,
):
    roundtable = make_roundtable()
    make_session(roundtable=roundtable, title="All French", title_fr="Tout", background="Why", background_fr="Pourquoi")
    make_session(roundtable=roundtable, title="Title only", title_fr="Titre", title_es="Título", background="")
    make_session(roundtable=roundtable, title="Background missing", title_fr="Fond", background="Why")
    issue_missing = make_session(roundtable=roundtable, title="Issue missing", title_fr="Question", background="")
    make_issue(session=issue_missing, text="Remittances")
    point_missing = make_session(roundtable=roundtable, title="Point missing", title_fr="Point", background="")
    issue = make_issue(session=point_missing, text="Remittances", text_fr="Transferts")
    make_issue(session=point_missing, parent=issue, text="Lower fees")

    assert _filtered(organiser_client, missing_fr="yes") == {"Background missing", "Issue missing", "Point missing"}
    assert _filtered(organiser_client, missing_es="yes") == {
        "All French",
        "Background missing",
        "Issue missing",
        "Point missing",
    }
    assert _filtered(organiser_client, missing_fr="yes", missing_es="yes") == {
        "Background missing",
        "Issue missing",
        "Point missing",
    }
    assert len(_filtered(organiser_client)) == 5
