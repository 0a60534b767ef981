"""Accounts in the admin: the organising committee makes coordinators (never beyond its own rights), and
coordinators add the people and organisations of their sessions."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from core.permissions import ORGANISING_COMMITTEE, ROUNDTABLE_COORDINATORS
from sessions.models import Organisation, Person
from tests.admin_forms import change_form_data
from tests.factories import make_forum, make_participation, make_person, make_roundtable, make_session, make_user

pytestmark = pytest.mark.django_db

User = get_user_model()
USERS = reverse("admin:auth_user_changelist")
ADD_USER = reverse("admin:auth_user_add")
PASSWORD = "dhaka-programme-2016-coordinator"


def _user_url(user, page="change"):
    if page == "password":
        return reverse("admin:auth_user_password_change", args=[user.pk])
    return reverse(f"admin:auth_user_{page}", args=[user.pk])


@pytest.fixture
def dhaka():
    forum = make_forum(name="Dhaka 2016")
    roundtables = [make_roundtable(forum=forum, number=number) for number in (1, 2, 3)]
    for roundtable in roundtables:
        make_session(roundtable=roundtable, number=1)
    return roundtables


@pytest.fixture
def powerful_group(db):
    group = Group.objects.create(name="Account administrators")
    group.permissions.add(*Permission.objects.filter(content_type__app_label="auth"))
    return group


def _log_in(username, password):
    client = Client()
    response = client.post(reverse("admin:login"), {"username": username, "password": password, "next": "/admin/"})
    return client, response


# The committee makes coordinators ------------------------------------------------------------------


def test_the_add_form_offers_the_committee_only_its_own_rights(organiser_client):
    response = organiser_client.get(ADD_USER)

    form = response.context["adminform"].form
    assert list(form.fields) == [
        "username",
        "password1",
        "password2",
        "first_name",
        "last_name",
        "email",
        "is_active",
        "is_staff",
        "groups",
        "roundtables",
    ]
    assert [group.name for group in form.fields["groups"].queryset] == [ORGANISING_COMMITTEE, ROUNDTABLE_COORDINATORS]


def test_an_organiser_creates_a_coordinator_of_two_roundtables_who_logs_in_and_edits_only_those(
    organiser_client, dhaka
):
    first, second, _third = dhaka

    response = organiser_client.post(
        ADD_USER,
        {
            "username": "amina",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "first_name": "Amina",
            "last_name": "Rahman",
            "email": "amina@example.org",
            "is_active": "on",
            "is_staff": "on",
            "roundtables": [first.pk, second.pk],
            "_save": "Save",
        },
    )

    amina = User.objects.get(username="amina")
    assert response.status_code == 302
    assert (amina.is_staff, amina.is_superuser, amina.user_permissions.count()) == (True, False, 0)
    assert list(amina.groups.values_list("name", flat=True)) == [ROUNDTABLE_COORDINATORS]
    assert set(amina.coordinated_roundtables.all()) == {first, second}
    client, login = _log_in("amina", PASSWORD)
    assert (login.status_code, login["Location"]) == (302, "/admin/")
    sessions = {roundtable.number: roundtable.sessions.get() for roundtable in dhaka}
    own = reverse("admin:programme_sessions_session_change", args=[sessions[2].pk])
    saved = client.post(own, change_form_data(client.get(own), zone=first.forum.zone, title="Edited by Amina"))
    other = client.post(
        reverse("admin:programme_sessions_session_change", args=[sessions[3].pk]), {"title": "Not hers"}
    )
    assert (saved.status_code, other.status_code) == (302, 403)
    assert [roundtable.sessions.get().title for roundtable in dhaka] == [
        "Session title 1.1",
        "Edited by Amina",
        "Session title 3.1",
    ]


def test_an_organiser_changes_a_coordinators_roundtables(organiser_client, dhaka, coordinator):
    first, _second, third = dhaka
    first.coordinators.add(coordinator)
    url = _user_url(coordinator)

    response = organiser_client.post(url, change_form_data(organiser_client.get(url), roundtables=[third.pk]))

    assert response.status_code == 302
    assert list(coordinator.coordinated_roundtables.all()) == [third]
    assert list(coordinator.groups.values_list("name", flat=True)) == [ROUNDTABLE_COORDINATORS]


def test_roundtables_need_an_account_that_logs_in_to_the_admin(organiser_client, dhaka):
    response = organiser_client.post(
        ADD_USER,
        {"username": "guest", "password1": PASSWORD, "password2": PASSWORD, "roundtables": [dhaka[0].pk]},
    )

    assert response.context["adminform"].form.errors["roundtables"] == [
        "A coordinator logs in to the admin: tick “Staff status” to give them roundtables."
    ]
    assert not User.objects.filter(username="guest").exists()


# … and never beyond its own rights -------------------------------------------------------------------


def test_an_organiser_cannot_make_a_superuser_or_grant_permissions_with_crafted_data(
    organiser_client, coordinator, powerful_group
):
    url = _user_url(coordinator)
    page = organiser_client.get(url)
    auth_permissions = [p.pk for p in Permission.objects.filter(content_type__app_label="auth")]
    coordinators = Group.objects.get(name=ROUNDTABLE_COORDINATORS)

    refused = organiser_client.post(
        url, change_form_data(page, groups=[coordinators.pk, powerful_group.pk], is_superuser="on")
    )
    ignored = organiser_client.post(
        url,
        change_form_data(
            page, groups=[coordinators.pk], is_superuser="on", user_permissions=auth_permissions, email="c@example.org"
        ),
    )
    created = organiser_client.post(
        ADD_USER,
        {
            "username": "raised",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "is_staff": "on",
            "is_superuser": "on",
            "user_permissions": auth_permissions,
            "groups": [powerful_group.pk],
        },
    )

    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["groups"] == [
        f"Select a valid choice. {powerful_group.pk} is not one of the available choices."
    ]
    assert ignored.status_code == 302
    coordinator.refresh_from_db()
    assert (coordinator.email, coordinator.is_superuser, coordinator.user_permissions.count()) == (
        "c@example.org",
        False,
        0,
    )
    assert list(coordinator.groups.values_list("name", flat=True)) == [ROUNDTABLE_COORDINATORS]
    assert created.status_code == 200
    assert not User.objects.filter(username="raised").exists()


def test_an_organiser_cannot_see_or_change_a_superuser(organiser_client):
    admin = make_user(username="root", is_staff=True, is_superuser=True, email="root@example.org")

    change = organiser_client.post(_user_url(admin), {"username": "root", "email": "taken@example.org"})
    password = organiser_client.post(
        _user_url(admin, "password"), {"password1": PASSWORD, "password2": PASSWORD, "usable_password": "true"}
    )
    listed = organiser_client.get(USERS)

    assert (change.status_code, change["Location"]) == (302, reverse("admin:index"))
    assert password.status_code == 404
    admin.refresh_from_db()
    assert (admin.email, admin.check_password(PASSWORD), admin.is_superuser) == ("root@example.org", False, True)
    assert "root" not in [user.username for user in listed.context["cl"].result_list]


def test_organisers_see_only_accounts_within_their_own_rights(organiser_client, organiser, coordinator, powerful_group):
    make_user(username="root", is_superuser=True, is_staff=True)
    make_user(username="permitted", is_staff=True).user_permissions.add(Permission.objects.get(codename="change_user"))
    make_user(username="accounts", is_staff=True).groups.add(powerful_group)
    make_user(username="delegate")

    response = organiser_client.get(USERS)

    assert sorted(user.username for user in response.context["cl"].result_list) == [
        "committee",
        "coordinator",
        "delegate",
    ]
    assert organiser_client.get(_user_url(User.objects.get(username="accounts"))).status_code == 302


def test_organisers_deactivate_accounts_rather_than_delete_them(organiser_client, coordinator):
    response = organiser_client.post(_user_url(coordinator, "delete"), {"post": "yes"})

    assert response.status_code == 403
    assert User.objects.filter(pk=coordinator.pk).exists()


def test_a_coordinator_cannot_manage_accounts(client, coordinator):
    client.force_login(coordinator)

    statuses = [client.get(USERS).status_code, client.get(ADD_USER).status_code]

    assert statuses == [403, 403]


# Coordinators add people and organisations ------------------------------------------------------------


@pytest.fixture
def coordinator_client(client, coordinator, dhaka):
    dhaka[0].coordinators.add(coordinator)
    client.force_login(coordinator)
    return client


def test_a_coordinator_adds_a_person_through_the_plus_popup(coordinator_client, dhaka):
    session = dhaka[0].sessions.get()
    add = reverse("admin:programme_sessions_person_add")
    popup = f"{add}?_to_field=id&_popup=1"

    page = coordinator_client.get(reverse("admin:programme_sessions_session_change", args=[session.pk]))
    form = coordinator_client.get(popup)
    response = coordinator_client.post(
        popup,
        {
            **change_form_data(form),
            "name": "Amina Rahman",
            "slug": "amina-rahman",
            "_popup": "1",
            "_to_field": "id",
        },
    )

    person = Person.objects.get(slug="amina-rahman")
    assert f'href="{add}?_to_field=id&amp;_popup=1"' in page.content.decode()
    assert (form.status_code, response.status_code) == (200, 200)
    assert response.template_name[-1] == "admin/popup_response.html"
    assert person.name == "Amina Rahman"


def test_a_coordinator_adds_an_organisation_through_the_plus_popup(coordinator_client):
    add = reverse("admin:programme_sessions_organisation_add")

    response = coordinator_client.post(
        f"{add}?_to_field=id&_popup=1",
        {"name_en": "Migrant Forum in Asia", "slug": "migrant-forum-in-asia", "kind": "ngo", "_popup": "1"},
    )

    assert response.status_code == 200
    assert Organisation.objects.filter(slug="migrant-forum-in-asia").exists()


def test_a_coordinator_changes_the_people_of_their_roundtables_and_those_they_added_only(
    coordinator_client, coordinator, dhaka
):
    own, _, other = (roundtable.sessions.get() for roundtable in dhaka)
    theirs = make_participation(session=own).person
    elsewhere = make_participation(session=other).person
    both = make_participation(session=own).person
    make_participation(session=other, person=both)
    nobodys = make_person()
    coordinator_client.post(
        reverse("admin:programme_sessions_person_add"),
        {
            **change_form_data(coordinator_client.get(reverse("admin:programme_sessions_person_add"))),
            "name": "Added by them",
            "slug": "added-by-them",
        },
    )
    added = Person.objects.get(slug="added-by-them")

    statuses = {}
    for label, person in [
        ("theirs", theirs),
        ("added", added),
        ("elsewhere", elsewhere),
        ("both", both),
        ("nobody's", nobodys),
    ]:
        url = reverse("admin:programme_sessions_person_change", args=[person.pk])
        page = coordinator_client.get(url)
        data = change_form_data(page, name=f"{person.name} (edited)") if "adminform" in page.context else {}
        statuses[label] = coordinator_client.post(url, data).status_code

    assert statuses == {"theirs": 302, "added": 302, "elsewhere": 403, "both": 403, "nobody's": 403}
    assert Person.objects.get(pk=elsewhere.pk).name == elsewhere.name
    assert Person.objects.get(pk=theirs.pk).name == f"{theirs.name} (edited)"
