"""What an organiser types in the admin is kept and shown as typed, or they are told why not."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from gfmd_portal.text import MARKDOWN_HELP
from roundtables.models import Forum, Roundtable
from sessions.models import Issue, Person, Session
from tests.admin_forms import admin_add_data, admin_change_data
from tests.factories import make_forum, make_issue, make_person, make_roundtable, make_session
from tests.roundtables.test_naming import THEMES

pytestmark = pytest.mark.django_db


def _url(model, page, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


@pytest.mark.parametrize(
    ("model", "make", "field"),
    [
        (Forum, make_forum, "description"),
        (Roundtable, make_roundtable, "background"),
        (Session, make_session, "background"),
        (Person, make_person, "biography"),
        (Issue, make_issue, "text"),
    ],
)
def test_every_markdown_field_says_which_markdown_is_shown(organiser_client, model, make, field):
    record = make()

    response = organiser_client.get(_url(model, "change", record.pk))

    assert response.context["adminform"].form.fields[field].help_text == MARKDOWN_HELP
    assert str(MARKDOWN_HELP) in response.content.decode()


def test_issue_and_sub_point_fields_of_the_session_form_say_which_markdown_is_shown(organiser_client):
    session = make_session()
    make_issue(session=session)

    response = organiser_client.get(_url(Session, "change", session.pk))

    issue_form = response.context["inline_admin_formsets"][0].formset.forms[0]
    assert issue_form.fields["text"].help_text == MARKDOWN_HELP
    assert str(issue_form.fields["points"].help_text) == f"One sub-point per line, in order. {MARKDOWN_HELP}"


def test_html_in_a_background_is_saved_as_typed_with_a_warning(organiser_client):
    session = make_session(background="Before.")
    typed = "Intro <b>x</b><script>alert(1)</script>\n\n![map](https://example.org/map.png)"

    response = organiser_client.post(
        _url(Session, "change", session.pk), admin_change_data(organiser_client, session, background=typed)
    )

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.background == typed
    warnings = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert warnings == [
        "Some of what was typed will not show on the page: Background: <b>, <script>, images (![…](…)). "
        f"It was saved as typed. {MARKDOWN_HELP}"
    ]


def test_the_warning_is_shown_on_the_next_page(organiser_client):
    session = make_session()
    data = admin_change_data(organiser_client, session, background="<b>x</b><script>alert(1)</script>")

    response = organiser_client.post(_url(Session, "change", session.pk), data, follow=True)

    assert "Background: &lt;b&gt;, &lt;script&gt;" in response.content.decode()


def test_html_in_an_issue_and_its_sub_points_is_named_with_the_issue(organiser_client):
    session = make_session()
    data = admin_change_data(
        organiser_client,
        session,
        **{
            "issues-TOTAL_FORMS": "1",
            "issues-0-kind": "main_issue",
            "issues-0-text": "Access to <u>rights</u>",
            "issues-0-position": "1",
            "issues-0-points": "A <span>point</span>\nAnother point",
        },
    )

    response = organiser_client.post(_url(Session, "change", session.pk), data)

    assert response.status_code == 302
    issue = session.issues.get(parent__isnull=True)
    assert issue.text == "Access to <u>rights</u>"
    assert [point.text for point in issue.points.all()] == ["A <span>point</span>", "Another point"]
    warnings = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert warnings == [
        "Some of what was typed will not show on the page: "
        "Issue “Access to <u>rights</u>”, Text: <u>; Issue “Access to <u>rights</u>”, Sub-points: <span>. "
        f"It was saved as typed. {MARKDOWN_HELP}"
    ]


def test_markdown_that_shows_or_an_unchanged_text_gets_no_warning(organiser_client):
    session = make_session(background="Old <b>html</b> stored before.")
    data = admin_change_data(organiser_client, session, title="A new title")

    response = organiser_client.post(_url(Session, "change", session.pk), data)
    other = organiser_client.post(
        _url(Session, "change", session.pk),
        admin_change_data(organiser_client, session, background="**bold**, *italic*, [a link](https://gfmd.org)"),
    )

    assert response.status_code == other.status_code == 302
    assert [m.level_tag for m in get_messages(other.wsgi_request)] == ["success"]  # the first shown by the GET


@pytest.mark.parametrize(
    ("names", "message"),
    [
        ({}, "Session 1.2 “Engaging diasporas” already has this number in Roundtable 1."),
        (THEMES, "Working session 1.2 “Engaging diasporas” already has this number in Theme 1."),
    ],
)
def test_a_duplicate_session_number_names_the_session_that_has_it(organiser_client, names, message):
    roundtable = make_roundtable(forum=make_forum(**names), number=1)
    make_session(roundtable=roundtable, number=2, title="Engaging diasporas", slug="engaging-diasporas")
    data = admin_add_data(
        organiser_client, Session, roundtable=str(roundtable.pk), number="2", title="Return", slug="return"
    )

    response = organiser_client.post(_url(Session, "add"), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [message]
    assert Session.objects.filter(roundtable=roundtable).count() == 1


def test_a_duplicate_slug_in_a_roundtables_new_row_names_the_session_that_has_it(organiser_client):
    roundtable = make_roundtable(number=1)
    make_session(roundtable=roundtable, number=2, title="Engaging diasporas", slug="engaging-diasporas")
    data = admin_change_data(
        organiser_client,
        roundtable,
        **{
            "sessions-TOTAL_FORMS": "2",
            "sessions-1-number": "3",
            "sessions-1-title": "Engaging diasporas again",
            "sessions-1-slug": "engaging-diasporas",
            "sessions-1-status": "draft",
        },
    )

    response = organiser_client.post(_url(Roundtable, "change", roundtable.pk), data)

    assert response.status_code == 200
    row = response.context["inline_admin_formsets"][0].formset.forms[1]
    assert row.errors == {"slug": ["Session 1.2 “Engaging diasporas” already has this slug in Roundtable 1."]}


def test_a_row_renumbered_onto_another_is_told_which_session_has_the_number(organiser_client):
    roundtable = make_roundtable(number=1)
    make_session(roundtable=roundtable, number=1, title="Engaging diasporas", slug="engaging-diasporas")
    make_session(roundtable=roundtable, number=2, title="Return", slug="return")
    data = admin_change_data(organiser_client, roundtable, **{"sessions-1-number": "1"})

    response = organiser_client.post(_url(Roundtable, "change", roundtable.pk), data)

    assert response.status_code == 200
    first, second = response.context["inline_admin_formsets"][0].formset.forms
    assert first.errors == {}
    assert second.errors == {"number": ["Session 1.1 “Engaging diasporas” already has this number in Roundtable 1."]}
    assert response.context["inline_admin_formsets"][0].formset.non_form_errors() == []
