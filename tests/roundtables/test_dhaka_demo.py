"""The second demo forum, Dhaka 2016: people in roles (fictional examples), loaded like Athens."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from programme.management.commands.load_programme import DATA_DIR
from programme.services import programme_load
from roundtables.models import Forum, Theme
from sessions.models import Organisation, Participation, Person, Session
from sessions.selectors import clashes_among

DHAKA = DATA_DIR / "dhaka-2016.json"
ROLES = Participation.Role


def _snapshot():
    rows = {}
    for model, fields in [
        (Forum, ["slug", "name", "starts_on", "ends_on", "time_zone", "description", "updated_at"]),
        (Organisation, ["id", "slug", "name", "kind", "country", "website"]),
        (Person, ["id", "slug", "name", "organisation", "position", "country", "biography"]),
        (Session, ["id", "number", "title", "slug", "starts_at", "ends_at", "room", "updated_at"]),
        (Participation, ["id", "session", "person", "role", "position"]),
        (Theme, ["id", "slug", "name", "description"]),
    ]:
        rows[model.__name__] = sorted(tuple(str(value) for value in row) for row in model.objects.values_list(*fields))
    return rows


@pytest.fixture
def dhaka(athens):
    return programme_load(path=DHAKA)


def test_dhaka_forum_is_the_2016_civil_society_days(dhaka):
    assert (dhaka.name, str(dhaka.starts_on), str(dhaka.ends_on), dhaka.time_zone, dhaka.city) == (
        "GFMD Civil Society Days, Dhaka 2016",
        "2016-12-08",
        "2016-12-09",
        "Asia/Dhaka",
        "Dhaka",
    )
    assert "People named in this demonstration programme are fictional examples" in dhaka.description
    assert (dhaka.group_label(1), dhaka.session_label("1.1")) == ("Theme 1", "Working session 1.1")
    assert (dhaka.group_label(1, language="fr"), dhaka.session_label("1.1", language="es")) == (
        "Thème 1",
        "Sesión de trabajo 1.1",
    )
    assert [roundtable.title for roundtable in dhaka.roundtables.order_by("number")] == [
        "Doing protection of migrant workers",
        "Doing protection of migrants on the move",
        "Doing inclusive development",
        "Doing global governance better",
    ]


def test_every_dhaka_session_has_a_chair_a_rapporteur_and_speakers(dhaka):
    sessions = Session.objects.filter(roundtable__forum=dhaka).prefetch_related("participations")

    roles = {session.code: sorted(p.role for p in session.participations.all()) for session in sessions}

    assert len(roles) == 8
    assert {code: (r.count(ROLES.CHAIR), r.count(ROLES.RAPPORTEUR)) for code, r in roles.items()} == dict.fromkeys(
        roles, (1, 1)
    )
    assert all(r.count(ROLES.SPEAKER) >= 2 for r in roles.values())


def test_dhaka_people_and_organisations_are_marked_as_fictional(dhaka):
    people = Person.objects.filter(participations__session__roundtable__forum=dhaka).distinct()

    assert people.count() == 14
    assert [p.name for p in people if not p.name.endswith(" (fictional)")] == []
    assert [p.slug for p in people if not p.biography.startswith("*A fictional example.*")] == []
    assert [p.slug for p in people if not (p.position and p.country and p.organisation)] == []
    assert [
        o.name for o in Organisation.objects.filter(people__in=people).distinct() if "(fictional)" not in o.name
    ] == []


def test_dhaka_timetable_books_no_room_or_person_twice(dhaka):
    sessions = list(
        Session.objects.filter(roundtable__forum=dhaka)
        .select_related("room")
        .prefetch_related("participations__person")
    )

    assert clashes_among(sessions) == []


def test_dhaka_reuses_the_athens_themes_and_adds_its_own(dhaka):
    themes = set(Theme.objects.filter(sessions__roundtable__forum=dhaka).values_list("slug", flat=True))

    assert {"migrants-rights", "diaspora", "global-governance", "xenophobia-and-inclusion"} <= themes
    assert Theme.objects.get(slug="gender").name == "Gender"  # Athens' own theme, untouched


def test_loading_dhaka_twice_changes_nothing(dhaka):
    before = _snapshot()

    programme_load(path=DHAKA)

    assert _snapshot() == before


def test_loading_an_edited_file_moves_just_the_roles_it_changes(dhaka, tmp_path):
    data = json.loads(DHAKA.read_text())
    people = data["roundtables"][0]["sessions"][0]["people"]
    people.reverse()  # the chair last
    removed = people.pop(0)  # a speaker goes
    edited = tmp_path / "dhaka-2016.json"
    edited.write_text(json.dumps(data))
    session = Session.objects.get(roundtable__forum=dhaka, roundtable__number=1, number=1)
    ids = dict(session.participations.values_list("person__slug", "id"))

    programme_load(path=edited)

    kept = session.participations.order_by("position").values_list("person__slug", "role", "id")
    assert [(slug, role) for slug, role, _id in kept] == [(p["person"], p["role"]) for p in people]
    assert [pk for slug, _role, pk in kept] == [ids[slug] for slug, _role, _pk in kept]  # the same rows
    assert removed["person"] not in {slug for slug, _role, _id in kept}


def test_a_role_for_someone_the_file_does_not_describe_is_refused_with_its_name(athens, tmp_path):
    data = json.loads(DHAKA.read_text())
    data["roundtables"][0]["sessions"][0]["people"].append({"person": "nobody-known", "role": "speaker"})
    edited = tmp_path / "dhaka-2016.json"
    edited.write_text(json.dumps(data))

    with pytest.raises(ValidationError) as error:
        programme_load(path=edited)

    assert error.value.messages == ["Session 1.1 names an unknown person: nobody-known."]
    assert not Forum.objects.filter(slug="dhaka-2016").exists()  # nothing half loaded


def test_dhaka_alone_asks_for_the_programme_that_defines_its_themes(db):
    with pytest.raises(ValidationError) as error:
        programme_load(path=DHAKA)

    assert error.value.messages[0].startswith("Unknown themes ")
    assert error.value.messages[0].endswith(": load the programme that defines them first.")
    assert Forum.objects.count() == 0


def test_load_programme_loads_both_demo_forums_and_the_home_page_leads_to_dhaka(client, db, capsys):
    call_command("load_programme")

    output = capsys.readouterr().out
    assert "Civil Society Days, Athens 2009: 3 roundtables, 8 sessions loaded." in output
    assert "GFMD Civil Society Days, Dhaka 2016: 4 roundtables, 8 sessions loaded." in output
    assert client.get("/en/").url == "/en/forums/dhaka-2016/"


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_dhaka_person_and_organisation_pages_render(client, dhaka, language):
    person = client.get(f"/{language}/people/amina-example/")
    organisation = client.get(f"/{language}/organisations/example-migrant-workers-alliance/")

    assert (person.status_code, organisation.status_code) == (200, 200)
    assert [(forum.slug, [item.session.code for item in items]) for forum, items in person.context["forums"]] == [
        ("dhaka-2016", ["1.1", "1.2", "4.2"])
    ]
    assert [p.slug for p in organisation.context["organisation"].public_people] == [
        "amina-example",
        "priya-placeholder",
    ]
