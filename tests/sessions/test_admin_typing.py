"""What an organiser types in the admin is kept and shown as typed, or they are told why not."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from core.text import MARKDOWN_HELP
from roundtables.models import Forum, Roundtable
from sessions.models import Issue, Person, Session
from tests.admin_forms import admin_add_data, admin_change_data, english, retyped
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

    assert response.context["adminform"].form.fields[english(field)].help_text == MARKDOWN_HELP
    assert str(MARKDOWN_HELP) in response.content.decode()


def test_issue_and_sub_point_fields_of_the_session_form_say_which_markdown_is_shown(organiser_client):
    session = make_session()
    make_issue(session=session)

    response = organiser_client.get(_url(Session, "change", session.pk))

    issue_form = response.context["inline_admin_formsets"][0].formset.forms[0]
    assert issue_form.fields[english("text")].help_text == MARKDOWN_HELP
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


def test_html_in_a_translation_is_named_with_its_language(organiser_client):
    session = make_session()
    make_issue(session=session, text="Rights")
    data = admin_change_data(
        organiser_client, session, background_fr="Intro <b>x</b>", **{"issues-0-text_es": "Derechos <u>x</u>"}
    )

    response = organiser_client.post(_url(Session, "change", session.pk), data)

    warnings = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert warnings == [
        "Some of what was typed will not show on the page: Background (French): <b>; "
        f"Issue “Rights”, Text (Spanish): <u>. It was saved as typed. {MARKDOWN_HELP}"
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


# Issues: a new one goes last, and the list shows sub-points under their issue -------------------------


def test_a_new_issue_in_the_session_form_goes_after_the_others(organiser_client):
    session = make_session()
    make_issue(session=session, text="First", position=3)
    make_issue(session=session, text="Second", position=7)
    make_issue(parent=make_issue(session=make_session(), position=20), position=30)  # another session's
    response = organiser_client.get(_url(Session, "change", session.pk))
    new_row = response.context["inline_admin_formsets"][0].formset.empty_form
    data = admin_change_data(
        organiser_client,
        session,
        **{
            "issues-TOTAL_FORMS": "3",
            "issues-2-kind": "main_issue",
            "issues-2-text": "Third",
            "issues-2-position": "",
            "issues-2-points": "A point",
        },
    )

    saved = organiser_client.post(_url(Session, "change", session.pk), data)

    assert new_row["position"].value() is None  # the row offers no 0
    assert saved.status_code == 302
    assert list(session.issues.filter(parent__isnull=True).values_list("text", "position")) == [
        ("First", 3),
        ("Second", 7),
        ("Third", 8),
    ]


def test_a_new_issue_and_sub_point_in_the_issue_admin_go_after_their_siblings(organiser_client):
    session = make_session()
    issue = make_issue(session=session, text="Issue", position=4)
    make_issue(parent=issue, text="Point one", position=1)
    make_issue(parent=issue, text="Point two", position=5)
    make_issue(session=session, text="Other issue", position=2)
    form = admin_add_data(organiser_client, Issue)

    added = organiser_client.post(
        _url(Issue, "add"),
        retyped(form, session=str(session.pk), kind="question", text="A question", position=""),
    )
    point = organiser_client.post(
        _url(Issue, "change", issue.pk),
        admin_change_data(
            organiser_client,
            issue,
            **{"points-TOTAL_FORMS": "3", "points-2-text": "Point three", "points-2-position": ""},
        ),
    )

    assert added.status_code == point.status_code == 302
    assert Issue.objects.get(text="A question").position == 5
    assert list(issue.points.values_list("text", "position")) == [
        ("Point one", 1),
        ("Point two", 5),
        ("Point three", 6),
    ]


def test_a_typed_position_is_kept(organiser_client):
    session = make_session()
    make_issue(session=session, text="First", position=3)
    data = admin_change_data(
        organiser_client,
        session,
        **{
            "issues-TOTAL_FORMS": "2",
            "issues-1-kind": "main_issue",
            "issues-1-text": "Before",
            "issues-1-position": "1",
        },
    )

    organiser_client.post(_url(Session, "change", session.pk), data)

    assert list(session.issues.values_list("text", "position")) == [("Before", 1), ("First", 3)]


def test_the_issue_list_shows_sub_points_under_their_issue(organiser_client):
    athens = make_forum(name="Athens", starts_on=datetime.date(2009, 11, 2), ends_on=datetime.date(2009, 11, 3))
    first = make_session(roundtable=make_roundtable(forum=athens, number=1), number=1)
    second = make_session(roundtable=first.roundtable, number=2)
    later_issue = make_issue(session=first, text="Later issue", position=2)
    make_issue(session=second, text="Second session's issue", position=1)
    early_issue = make_issue(session=first, text="Early issue", position=1)
    make_issue(parent=later_issue, text="Later's point b", position=2)
    make_issue(parent=early_issue, text="Early's point", position=1)
    make_issue(parent=later_issue, text="Later's point a", position=1)

    response = organiser_client.get(_url(Issue, "changelist"))

    model_admin = response.context["cl"].model_admin
    assert [model_admin.issue(issue) for issue in response.context["cl"].result_list] == [
        "Early issue",
        "↳ Early's point",
        "Later issue",
        "↳ Later's point a",
        "↳ Later's point b",
        "Second session's issue",
    ]
    assert "↳ Early&#x27;s point</a></th>" in response.content.decode()


# People: a role is given by searching a session's code or title ------------------------------------------


def test_a_persons_roles_ask_for_a_session_by_its_code_or_title(organiser_client):
    roundtable = make_roundtable(number=1)
    session = make_session(roundtable=roundtable, number=2, title="Engaging diasporas")
    make_session(roundtable=roundtable, number=3, title="Return")
    person = make_person()
    url = "/admin/autocomplete/"
    query = {"app_label": "programme_sessions", "model_name": "participation", "field_name": "session"}

    page = organiser_client.get(_url(Person, "change", person.pk))
    by_code = organiser_client.get(url, {**query, "term": "1.2"}).json()
    by_title = organiser_client.get(url, {**query, "term": "diasporas engaging"}).json()

    widget = page.context["inline_admin_formsets"][0].formset.empty_form.fields["session"].widget
    assert type(widget.widget).__name__ == "AutocompleteSelect"
    assert 'class="admin-autocomplete' in page.content.decode()
    assert [result["id"] for result in by_code["results"]] == [str(session.pk)]
    assert [result["id"] for result in by_title["results"]] == [str(session.pk)]
