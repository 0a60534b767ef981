import pytest
from django.apps import apps
from django.urls import reverse

from core.versions import edit_token
from sessions.models import Issue, Session
from tests.admin_forms import admin_add_data, admin_change_data, english
from tests.factories import (
    forum_time,
    make_document,
    make_issue,
    make_organisation,
    make_participation,
    make_person,
    make_room,
    make_session,
    make_theme,
)

# Not pages of their own: the stamp is internal; a document's files are edited on the document's page.
INTERNAL_MODELS = {"ProgrammeStamp", "DocumentFile"}
PROGRAMME_MODELS = [
    model
    for model in apps.get_models()
    if model._meta.app_label in {"roundtables", "programme_sessions"} and model.__name__ not in INTERNAL_MODELS
]


def test_every_programme_model_is_in_the_admin():
    from django.contrib import admin

    assert [model for model in PROGRAMME_MODELS if model not in admin.site._registry] == []


@pytest.fixture
def programme(db):
    session = make_session()
    make_issue(parent=make_issue(session=session))
    make_participation(session=session, person=make_person(organisation=make_organisation()))
    make_document(session=session)
    make_room(forum=session.roundtable.forum)
    session.themes.add(make_theme())
    return session


def _url(model, page, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


@pytest.mark.parametrize("model", PROGRAMME_MODELS, ids=lambda model: model.__name__)
def test_admin_changelist_add_and_change_pages_open_for_an_organiser(organiser_client, programme, model):
    obj = model.objects.first()

    pages = [_url(model, "changelist"), _url(model, "add"), _url(model, "change", obj.pk)]
    statuses = [organiser_client.get(url).status_code for url in pages]

    assert statuses == [200, 200, 200]


@pytest.mark.parametrize("model", PROGRAMME_MODELS, ids=lambda model: model.__name__)
def test_admin_changelist_search_works(organiser_client, programme, model):
    response = organiser_client.get(_url(model, "changelist"), {"q": "title"})

    assert response.status_code == 200


def test_admin_session_search_by_code(organiser_client, programme):
    other = make_session(roundtable=programme.roundtable)

    response = organiser_client.get(_url(Session, "changelist"), {"q": other.code})

    assert list(response.context["cl"].result_list) == [other]


@pytest.mark.parametrize("count", [1, 3])
def test_admin_session_changelist_queries_stay_flat(organiser_client, django_assert_num_queries, programme, count):
    for _ in range(count - 1):
        make_session(roundtable=programme.roundtable)

    # session, user, 2 × permissions, committee check, 4 filters, 2 counts, the page, 2 × savepoint (revision)
    with django_assert_num_queries(14):
        response = organiser_client.get(_url(Session, "changelist"))

    assert response.context["cl"].result_count == count


def test_admin_saves_an_issue_with_its_sub_points_in_one_form(organiser_client):
    session = make_session()
    data = admin_change_data(
        organiser_client,
        session,
        **{
            "issues-TOTAL_FORMS": "1",
            "issues-0-kind": "main_issue",
            "issues-0-text": "How to spread the benefits of migration more widely?",
            "issues-0-position": "1",
            "issues-0-points": "Include the poorest of the poor.\nTangible and intangible interventions.",
        },
    )

    response = organiser_client.post(_url(Session, "change", session.pk), data)

    assert response.status_code == 302
    issue = session.issues.get(parent__isnull=True)
    assert [(p.kind, p.text, p.position) for p in issue.points.order_by("position")] == [
        ("point", "Include the poorest of the poor.", 1),
        ("point", "Tangible and intangible interventions.", 2),
    ]


def test_admin_session_times_are_read_in_the_forum_time_zone(organiser_client):
    session = make_session()

    data = admin_change_data(organiser_client, session, starts_at_1="09:30", ends_at_1="11:00")

    organiser_client.post(_url(Session, "change", session.pk), data)

    session.refresh_from_db()
    assert session.starts_at == forum_time(session.roundtable.forum, 0, 9, 30)


def test_admin_refuses_a_session_outside_the_forum_and_keeps_what_was_typed(organiser_client):
    session = make_session()
    data = admin_change_data(
        organiser_client, session, title="Typed title", starts_at_0="2010-01-01", ends_at_0="2010-01-01"
    )

    response = organiser_client.post(_url(Session, "change", session.pk), data)

    assert response.status_code == 200
    assert "starts_at" in response.context["adminform"].form.errors
    assert response.context["adminform"].form[english("title")].value() == "Typed title"
    session.refresh_from_db()
    assert session.title != "Typed title"


def test_admin_refuses_a_duplicate_session_code(organiser_client):
    session = make_session(number=1)
    data = admin_add_data(
        organiser_client, Session, roundtable=session.roundtable_id, number=1, slug="another-slug", title="Copy"
    )

    response = organiser_client.post(_url(Session, "add"), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert Session.objects.count() == 1


def test_admin_point_inline_under_an_issue_saves_sub_points(organiser_client):
    issue = make_issue()
    data = admin_change_data(
        organiser_client,
        issue,
        **{"points-TOTAL_FORMS": "1", "points-0-text": "A sub-point", "points-0-position": "1"},
    )

    response = organiser_client.post(_url(Issue, "change", issue.pk), data)

    assert response.status_code == 302
    assert [(p.kind, p.session_id, p.text) for p in issue.points.all()] == [("point", issue.session_id, "A sub-point")]


def test_admin_refuses_an_html_file_disguised_as_pdf(organiser_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sessions.models import Document
    from tests.admin_forms import admin_form_data

    session = make_session()
    url = _url(Document, "add") + f"?forum={session.roundtable.forum_id}"
    data = admin_form_data(
        organiser_client.get(url), title="Paper", kind="background_paper", sessions=[str(session.pk)]
    )
    data["files-0-file"] = SimpleUploadedFile(
        "paper.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"
    )

    response = organiser_client.post(url, data)

    assert response.status_code == 200
    [files] = response.context["inline_admin_formsets"]
    assert "is not a PDF document" in str(files.formset.forms[0].errors["file"])
    assert Document.objects.count() == 0


def test_admin_requires_login(client, programme):
    response = client.get(_url(Session, "changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_admin_session_times_are_shown_in_the_forum_time_zone(organiser_client):
    session = make_session()
    session.starts_at = forum_time(session.roundtable.forum, 0, 9, 30)
    session.ends_at = forum_time(session.roundtable.forum, 0, 11)
    session.save()

    response = organiser_client.get(_url(Session, "change", session.pk))

    assert 'name="starts_at_1" value="09:30:00"' in response.content.decode()


@pytest.mark.parametrize("model", PROGRAMME_MODELS, ids=lambda model: model.__name__)
def test_admin_history_and_version_pages_open_for_every_programme_model(organiser_client, programme, model):
    import reversion

    obj = model.objects.first()
    with reversion.create_revision():
        obj.save()
    version = reversion.models.Version.objects.get_for_object(obj).get()

    history = organiser_client.get(_url(model, "history", obj.pk))
    revision = organiser_client.get(_url(model, "revision", obj.pk, version.pk))

    assert (history.status_code, len(history.context["history_entries"]), revision.status_code) == (200, 1, 200)
    assert revision.context["adminform"].form["edit_token"].value()


def test_admin_a_stale_person_form_is_refused_like_any_programme_record(organiser_client):
    from sessions.models import Person

    person = make_person(name="Ana Lopez", country="Spain")
    stale = edit_token(person)
    Person.objects.filter(pk=person.pk).update(country="Portugal")
    data = admin_change_data(organiser_client, person, edit_token=stale, name="Ana López", country="Spain")

    response = organiser_client.post(_url(Person, "change", person.pk), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["country"] == ["Changed meanwhile by someone else to: Portugal"]
    person.refresh_from_db()
    assert person.name == "Ana Lopez"


def test_admin_view_only_pages_carry_no_edit_token(coordinator, client, programme):
    client.force_login(coordinator)

    response = client.get(_url(Session, "change", programme.pk))

    fields = [field for _name, options in response.context["adminform"].fieldsets for field in options["fields"]]
    assert "edit_token" not in fields
    assert response.context["has_change_permission"] is False
