"""A programme file's French and Spanish texts (``<field>_fr``, ``<field>_es``, ``points_fr``, ``points_es``)."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from reversion.models import Version

from programme.services import forum_duplicate, programme_load
from roundtables.models import Forum, Roundtable, Theme
from sessions.models import Issue, Organisation, Person, Room, Session
from sessions.services import issue_set_points
from tests.factories import make_issue


def _programme():
    """A small programme with a translation of most of its texts, none of the people's."""
    return {
        "forum": {
            "name": "Civil Society Days, Lisbon 2099",
            "name_fr": "Journées de la société civile, Lisbonne 2099",
            "slug": "lisbon-2099",
            "city": "Lisbon",
            "city_fr": "Lisbonne",
            "city_es": "Lisboa",
            "country": "Portugal",
            "starts_on": "2099-05-04",
            "ends_on": "2099-05-05",
            "time_zone": "Europe/Lisbon",
            "status": "published",
            "description": "Two days on decent work.",
            "description_es": "Dos días sobre el trabajo decente.",
        },
        "rooms": [{"name": "Room A", "name_fr": "Salle A", "name_es": "Sala A", "capacity": 100}],
        "themes": [
            {"slug": "lisbon-gender", "name": "Gender", "name_fr": "Genre", "name_es": "Género", "description": ""}
        ],
        "organisations": [{"slug": "lisbon-union", "name": "Dock Workers' Union", "name_fr": "Syndicat des dockers"}],
        "people": [{"slug": "lisbon-chair", "name": "Ana Silva", "position": "Chair", "position_es": "Presidenta"}],
        "roundtables": [
            {
                "number": 1,
                "title": "Decent work",
                "title_fr": "Travail décent",
                "title_es": "Trabajo decente",
                "slug": "decent-work",
                "background": "Work *abroad*.",
                "background_fr": "Le travail *à l’étranger*.",
                "sessions": [
                    {
                        "number": 1,
                        "title": "Recruitment",
                        "title_fr": "Recrutement",
                        "slug": "recruitment",
                        "background": "",
                        "starts_at": "2099-05-04T09:00",
                        "ends_at": "2099-05-04T10:30",
                        "room": "Room A",
                        "themes": ["lisbon-gender"],
                        "people": [{"person": "lisbon-chair", "role": "chair"}],
                        "issues": [
                            {
                                "kind": "main_issue",
                                "text": "Recruitment fees",
                                "text_fr": "Frais de recrutement",
                                "points": ["Who pays", "Who checks"],
                                "points_fr": ["Qui paie", "Qui contrôle"],
                                "points_es": ["Quién paga", "Quién controla"],
                            },
                            {"kind": "question", "text": "What works?"},
                        ],
                    }
                ],
            }
        ],
    }


def _load(tmp_path, data):
    path = tmp_path / "lisbon-2099.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return programme_load(path=path)


def _texts():
    """Every text of the programme in every language, as stored."""
    columns = {
        Forum: ["name", "city", "country", "venue", "description"],
        Room: ["name"],
        Theme: ["name", "description"],
        Organisation: ["name"],
        Person: ["position", "biography"],
        Roundtable: ["title", "background"],
        Session: ["title", "background"],
        Issue: ["text"],
    }
    return {
        model.__name__: list(
            model.objects.rewrite(False)
            .order_by("pk")
            .values_list(*(f"{field}{suffix}" for field in fields for suffix in ("", "_en", "_fr", "_es")))
        )
        for model, fields in columns.items()
    }


def test_the_file_s_translations_are_loaded_into_their_columns_and_english_into_both_of_its(db, tmp_path):
    _load(tmp_path, _programme())

    assert _texts() == {
        "Forum": [
            (
                *("Civil Society Days, Lisbon 2099",) * 2,
                "Journées de la société civile, Lisbonne 2099",
                None,
                *("Lisbon", "Lisbon", "Lisbonne", "Lisboa"),
                *("Portugal", "Portugal", None, None),
                *("", None, None, None),  # no venue: the original column is "", the others NULL
                *("Two days on decent work.", "Two days on decent work.", None, "Dos días sobre el trabajo decente."),
            )
        ],
        "Room": [("Room A", "Room A", "Salle A", "Sala A")],
        "Theme": [("Gender", "Gender", "Genre", "Género", "", None, None, None)],
        "Organisation": [("Dock Workers' Union", "Dock Workers' Union", "Syndicat des dockers", None)],
        "Person": [("Chair", "Chair", None, "Presidenta", "", None, None, None)],
        "Roundtable": [
            (
                *("Decent work", "Decent work", "Travail décent", "Trabajo decente"),
                *("Work *abroad*.", "Work *abroad*.", "Le travail *à l’étranger*.", None),
            )
        ],
        "Session": [("Recruitment", "Recruitment", "Recrutement", None, "", None, None, None)],
        "Issue": [
            ("Recruitment fees", "Recruitment fees", "Frais de recrutement", None),
            ("Who pays", "Who pays", "Qui paie", "Quién paga"),
            ("Who checks", "Who checks", "Qui contrôle", "Quién controla"),
            ("What works?", "What works?", None, None),
        ],
    }


def test_the_pages_language_reads_the_loaded_translation_or_english(db, tmp_path):
    _load(tmp_path, _programme())
    session = Session.objects.get(slug="recruitment")
    points = list(Issue.objects.filter(kind="point").order_by("position"))

    with translation.override("es"):
        spanish = (session.title, session.roundtable.title, [point.text for point in points])

    assert spanish == ("Recruitment", "Trabajo decente", ["Quién paga", "Quién controla"])


def test_loading_the_file_twice_changes_nothing(db, tmp_path):
    _load(tmp_path, _programme())
    before = (_texts(), list(Session.objects.values_list("updated_at", flat=True)), Version.objects.count())

    _load(tmp_path, _programme())

    assert (_texts(), list(Session.objects.values_list("updated_at", flat=True)), Version.objects.count()) == before


def test_a_translation_added_to_the_file_is_loaded_by_the_next_run_and_nothing_else_changes(db, tmp_path):
    _load(tmp_path, _programme())
    before = _texts()
    data = _programme()
    session_item = data["roundtables"][0]["sessions"][0]
    session_item["title_es"] = "Contratación"
    session_item["issues"][1]["text_es"] = "¿Qué funciona?"

    _load(tmp_path, data)

    after = _texts()
    assert after["Session"] == [("Recruitment", "Recruitment", "Recrutement", "Contratación", "", None, None, None)]
    assert after["Issue"][3] == ("What works?", "What works?", None, "¿Qué funciona?")
    assert {name: rows for name, rows in after.items() if name not in {"Session", "Issue"}} == {
        name: rows for name, rows in before.items() if name not in {"Session", "Issue"}
    }


def test_a_translation_the_file_does_not_mention_is_kept_and_a_blank_one_is_removed(db, tmp_path):
    _load(tmp_path, _programme())
    Session.objects.update(title_es="Contratación")
    data = _programme()
    data["roundtables"][0]["title_fr"] = ""

    _load(tmp_path, data)

    assert Session.objects.values_list("title_es", flat=True).get() == "Contratación"
    assert Roundtable.objects.values_list("title_fr", "title_es", flat=False).get() == (None, "Trabajo decente")


def test_a_file_with_fewer_translated_sub_points_than_sub_points_is_refused_and_changes_nothing(db, tmp_path):
    _load(tmp_path, _programme())
    before = _texts()
    data = _programme()
    data["roundtables"][0]["sessions"][0]["issues"][0]["points_fr"] = ["Qui paie"]
    data["roundtables"][0]["title"] = "Decent work for all"

    with pytest.raises(ValidationError) as refused:
        _load(tmp_path, data)

    assert refused.value.messages == ["fr sub-points: 1 given for 2 sub-points; give one for each."]
    assert _texts() == before


def test_loading_on_a_french_page_still_writes_english_into_the_english_columns(db, tmp_path):
    with translation.override("fr"):
        _load(tmp_path, _programme())

    assert Session.objects.rewrite(False).values_list("title", "title_en", "title_fr").get() == (
        "Recruitment",
        "Recruitment",
        "Recrutement",
    )


# Sub-points and the next edition -------------------------------------------------------------------------


def test_sub_points_keep_their_translations_when_no_translation_is_given(db):
    issue = make_issue(text="Recruitment fees")
    issue_set_points(issue=issue, texts=["Who pays", "Who checks"], translations={"fr": ["Qui paie", "Qui contrôle"]})

    issue_set_points(issue=issue, texts=["Who pays", "Who checks them"])

    assert list(issue.points.order_by("position").values_list("text_en", "text_fr", "text_es")) == [
        ("Who pays", "Qui paie", None),
        ("Who checks them", "Qui contrôle", None),
    ]


def test_a_blank_sub_point_goes_with_its_translations(db):
    issue = make_issue(text="Recruitment fees")

    issue_set_points(issue=issue, texts=["Who pays", "  ", "Who checks"], translations={"es": ["Quién paga", "x", ""]})

    assert list(issue.points.order_by("position").values_list("text_en", "text_es")) == [
        ("Who pays", "Quién paga"),
        ("Who checks", None),
    ]


def test_the_next_edition_copies_every_language(db, tmp_path):
    forum = _load(tmp_path, _programme())

    with translation.override("fr"):
        copy = forum_duplicate(
            forum=forum, name="Civil Society Days, Lisbon 2100", slug="lisbon-2100", starts_on=datetime.date(2100, 5, 3)
        )

    copied = Session.objects.rewrite(False).filter(roundtable__forum=copy)
    assert list(copied.values_list("title", "title_en", "title_fr", "title_es")) == [
        ("Recruitment", "Recruitment", "Recrutement", None)
    ]
    assert Forum.objects.rewrite(False).values_list("name_en", "name_fr", "city_en", "city_fr", "city_es").get(
        pk=copy.pk
    ) == (
        "Civil Society Days, Lisbon 2100",
        None,
        "Lisbon",
        "Lisbonne",
        "Lisboa",
    )
    assert list(
        Issue.objects.filter(session__roundtable__forum=copy).order_by("pk").values_list("text_en", "text_fr")
    ) == [
        ("Recruitment fees", "Frais de recrutement"),
        ("What works?", None),
        ("Who pays", "Qui paie"),
        ("Who checks", "Qui contrôle"),
    ]
