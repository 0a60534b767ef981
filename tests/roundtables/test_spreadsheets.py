"""The programme as CSV and XLSX (public and committee exports) and the committee's spreadsheet import."""

import csv
import datetime
import io

import openpyxl
import pytest
import reversion
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from programme.management.commands.make_synthetic_forum import synthetic_forum_build
from roundtables.models import Status
from sessions.models import Participation, Session
from sessions.spreadsheets import COLUMNS, translated_share
from tests.factories import (
    forum_time,
    make_document,
    make_forum,
    make_issue,
    make_participation,
    make_person,
    make_room,
    make_roundtable,
    make_session,
    make_theme,
    make_user,
)


@pytest.fixture
def lisbon(db):
    """A published forum in Lisbon's time zone: two roundtables, three published sessions and a draft."""
    forum = make_forum(
        name="Lisbon 2099",
        slug="lisbon-2099",
        time_zone="Europe/Lisbon",
        starts_on=datetime.date(2099, 6, 1),
        ends_on=datetime.date(2099, 6, 2),
    )
    plenary = make_room(forum=forum, name="Plenary", position=1)
    small = make_room(forum=forum, name="Room B", position=2)
    labour = make_theme(name="Labour")
    gender = make_theme(name="Gender")
    first = make_roundtable(forum=forum, number=1, title="Labour mobility", slug="labour")
    second = make_roundtable(forum=forum, number=2, title="Remittances", slug="remittances")
    chair = make_person(name="Ana Lima", email="ana@example.org")
    rapporteur = make_person(name="Bo Chen", email="bo@example.org")
    make_person(name="Carla Diaz")
    work = make_session(
        roundtable=first,
        number=1,
        title="Decent work",
        slug="decent-work",
        starts_at=forum_time(forum, 0, 9),
        ends_at=forum_time(forum, 0, 10, 30),
        room=plenary,
        themes=[labour, gender],
    )
    make_participation(session=work, person=chair, role=Participation.Role.CHAIR, position=1)
    make_participation(session=work, person=rapporteur, role=Participation.Role.RAPPORTEUR, position=2)
    make_participation(session=work, person=make_person(name="Speaker One"), position=3)
    make_issue(parent=make_issue(session=work, text="Wages"), text="Minimum wages")
    make_document(session=work, title="Concept note", language="en")
    make_document(session=work, title="Note conceptuelle", language="fr")
    skills = make_session(
        roundtable=first,
        number=2,
        title="Skills",
        slug="skills",
        starts_at=forum_time(forum, 1, 14),
        ends_at=forum_time(forum, 1, 15),
        room=small,
    )
    make_participation(session=skills, person=chair, role=Participation.Role.CHAIR, position=1)
    make_session(roundtable=first, number=3, title="Secret plans", slug="secret", status=Status.DRAFT)
    make_session(
        roundtable=second, number=1, title="Costs of sending money", slug="costs", starts_at=None, ends_at=None
    )
    return forum


def _public_url(forum, fmt):
    return reverse(f"roundtables:programme-{fmt}", kwargs={"forum": forum.slug})


def _admin_url(forum, fmt):
    return reverse("admin:roundtables_forum_spreadsheet", args=[forum.pk, fmt])


def _import_url(forum):
    return reverse("admin:roundtables_forum_spreadsheet_import", args=[forum.pk])


def _xlsx_rows(content):
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _csv_rows(content):
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _state(forum):
    """Everything an import may change, per session code."""
    sessions = Session.objects.filter(roundtable__forum=forum).select_related("roundtable", "room")
    return {
        session.code: {
            "title": session.title,
            "starts_at": session.starts_at,
            "ends_at": session.ends_at,
            "room": session.room.name if session.room else None,
            "status": session.status,
            "themes": sorted(session.themes.values_list("name", flat=True)),
            "people": sorted(session.participations.values_list("role", "person__name")),
        }
        for session in sessions
    }


def _upload(client, forum, name, content):
    return client.post(_import_url(forum), {"file": SimpleUploadedFile(name, content)})


def _outcomes(response):
    return [(row.number, row.code, row.outcome) for row in response.context["plan"].rows]


def _xlsx_edited(content, edits):
    """The workbook with ``edits`` ({code: {column: value}}) written into the rows of those codes."""
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        code = row[0].value
        for column, value in edits.get(code, {}).items():
            row[header.index(column)].value = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# Exports -----------------------------------------------------------------------------------------


def test_public_csv_has_one_row_per_published_session_with_every_column(client, lisbon):
    response = client.get(_public_url(lisbon, "csv"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="lisbon-2099-programme.csv"'
    assert _csv_rows(response.content) == [
        COLUMNS,
        [
            "1.1",
            "Labour mobility",
            "Decent work",
            "2099-06-01",
            "09:00",
            "10:30",
            "Europe/Lisbon",
            "Plenary",
            "Ana Lima",
            "Bo Chen",
            "Gender; Labour",
            "Concept note; Note conceptuelle",
            "published",
            "83",  # 5 texts in English (title, background, issue, sub-point) and 1 of 2 documents: 5 of 6
        ],
        [
            *["1.2", "Labour mobility", "Skills", "2099-06-02", "14:00", "15:00", "Europe/Lisbon", "Room B"],
            *["Ana Lima", "", "", "", "published", "100"],
        ],
        [
            *["2.1", "Remittances", "Costs of sending money", "", "", "", "Europe/Lisbon", "", "", "", "", ""],
            *["published", "100"],
        ],
    ]


def test_public_xlsx_holds_dates_and_times_as_such_and_codes_as_text(client, lisbon):
    response = client.get(_public_url(lisbon, "xlsx"))

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = _xlsx_rows(response.content)
    assert rows[0] == COLUMNS
    assert [row[0] for row in rows[1:]] == ["1.1", "1.2", "2.1"]
    assert rows[1][3:7] == [datetime.datetime(2099, 6, 1), datetime.time(9, 0), datetime.time(10, 30), "Europe/Lisbon"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_public_export_has_no_drafts_nor_contact_data_even_for_staff(client, lisbon, organiser, fmt):
    anonymous = client.get(_public_url(lisbon, fmt)).content
    client.force_login(organiser)
    staff = client.get(_public_url(lisbon, fmt)).content

    for content in (anonymous, staff):
        rows = _csv_rows(content) if fmt == "csv" else _xlsx_rows(content)
        assert [row[0] for row in rows[1:]] == ["1.1", "1.2", "2.1"]
        text = repr(rows)
        assert "Secret plans" not in text
        assert "@example.org" not in text


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_public_export_of_a_draft_forum_is_not_found(client, organiser, fmt):
    forum = make_forum(status=Status.DRAFT)
    make_session(roundtable=make_roundtable(forum=forum))
    client.force_login(organiser)

    assert client.get(_public_url(forum, fmt)).status_code == 404


def test_public_export_is_cached_like_a_page(client, lisbon, django_assert_num_queries):
    first = client.get(_public_url(lisbon, "xlsx"))

    with django_assert_num_queries(1):  # the programme version only
        second = client.get(_public_url(lisbon, "xlsx"))

    assert second.content == first.content
    assert second["Content-Disposition"] == 'attachment; filename="lisbon-2099-programme.xlsx"'


def test_committee_export_includes_drafts(organiser_client, lisbon):
    response = organiser_client.get(_admin_url(lisbon, "csv"))

    rows = _csv_rows(response.content)
    assert [(row[0], row[2], row[12]) for row in rows[1:]] == [
        ("1.1", "Decent work", "published"),
        ("1.2", "Skills", "published"),
        ("1.3", "Secret plans", "draft"),
        ("2.1", "Costs of sending money", "published"),
    ]
    assert response["Content-Disposition"] == 'attachment; filename="lisbon-2099-programme-committee.csv"'


def test_committee_export_needs_the_admin(client, lisbon):
    client.force_login(make_user())  # not staff

    response = client.get(_admin_url(lisbon, "xlsx"))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_forum_admin_page_offers_the_exports_and_the_import(organiser_client, lisbon):
    page = organiser_client.get(reverse("admin:roundtables_forum_change", args=[lisbon.pk])).content.decode()

    assert f'href="{_admin_url(lisbon, "xlsx")}"' in page
    assert f'href="{_admin_url(lisbon, "csv")}"' in page
    assert f'href="{_import_url(lisbon)}"' in page


def test_the_forum_page_links_both_spreadsheets(client, lisbon):
    page = client.get(lisbon.get_absolute_url()).content.decode()

    assert f'href="{_public_url(lisbon, "xlsx")}"' in page
    assert f'href="{_public_url(lisbon, "csv")}"' in page


def test_a_formula_typed_as_a_title_stays_text_in_both_formats(organiser_client, lisbon):
    Session.objects.filter(title="Skills").update(title='=HYPERLINK("http://evil.example")')

    csv_rows = _csv_rows(organiser_client.get(_admin_url(lisbon, "csv")).content)
    workbook = openpyxl.load_workbook(io.BytesIO(organiser_client.get(_admin_url(lisbon, "xlsx")).content))

    assert csv_rows[2][2] == '\'=HYPERLINK("http://evil.example")'
    cell = workbook.worksheets[0]["C3"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://evil.example")', "s")


def test_translated_share_counts_texts_in_the_programme_language_and_documents_in_theirs():
    assert translated_share(text_count=4, document_languages=[], language="en") == 100
    assert translated_share(text_count=4, document_languages=[], language="fr") == 0
    assert translated_share(text_count=2, document_languages=[{"fr"}, {"en"}], language="fr") == 25
    assert translated_share(text_count=0, document_languages=[], language="es") == 100


def test_the_french_export_says_how_much_is_in_french(client, lisbon):
    rows = _csv_rows(client.get("/fr/forums/lisbon-2099/programme.csv").content)

    assert [row[13] for row in rows[1:]] == ["16", "0", "0"]  # only the French concept note: 1 of 6


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("size", [8, 300])
def test_public_export_queries_stay_flat(client, db, django_assert_num_queries, fmt, size):
    forum = synthetic_forum_build(
        slug="synthetic",
        roundtables=4,
        sessions=size,
        people=20,
        rooms=4,
        themes=3,
        issues=2,
        points=1,
        seed=1,
        starts_on=datetime.date(2099, 1, 5),
        time_zone="Asia/Manila",
    )

    # version check, forum, whether a session is published (else 404), sessions (with issue counts),
    # people in roles, documents (the sessions' and their roundtables'), their files' languages, themes
    with django_assert_num_queries(8):
        response = client.get(_public_url(forum, fmt))

    rows = _csv_rows(response.content) if fmt == "csv" else _xlsx_rows(response.content)
    assert len(rows) == size + 1


# Import --------------------------------------------------------------------------------------------


def test_round_trip_xlsx_changes_exactly_the_two_edited_sessions(organiser_client, lisbon):
    exported = organiser_client.get(_admin_url(lisbon, "xlsx")).content
    before = _state(lisbon)
    edited = _xlsx_edited(
        exported,
        {
            "1.1": {"title": "Decent work for all", "chair": "Carla Diaz", "themes": "Labour"},
            "1.2": {"day": datetime.datetime(2099, 6, 1), "start": datetime.time(16, 0), "end": datetime.time(17, 30)}
            | {"room": "Plenary", "status": "draft"},
        },
    )

    preview = _upload(organiser_client, lisbon, "lisbon.xlsx", edited)

    assert _outcomes(preview) == [
        (2, "1.1", "changed"),
        (3, "1.2", "changed"),
        (4, "1.3", "unchanged"),
        (5, "2.1", "unchanged"),
    ]
    assert [(c.label, c.old, c.new) for c in preview.context["plan"].rows[1].changes] == [
        ("When", "Tue 2 Jun 2099, 14:00–15:00", "Mon 1 Jun 2099, 16:00–17:30"),
        ("Room", "Room B", "Plenary"),
        ("Status", "Published", "Draft"),
    ]
    assert _state(lisbon) == before  # a preview writes nothing

    applied = organiser_client.post(_import_url(lisbon), {"payload": preview.context["payload"]})

    assert applied.status_code == 302
    after = _state(lisbon)
    expected = {**before}
    expected["1.1"] = {
        **before["1.1"],
        "title": "Decent work for all",
        "themes": ["Labour"],
        "people": [("chair", "Carla Diaz"), ("rapporteur", "Bo Chen"), ("speaker", "Speaker One")],
    }
    expected["1.2"] = {
        **before["1.2"],
        "starts_at": datetime.datetime(2099, 6, 1, 15, 0, tzinfo=datetime.UTC),  # 16:00 in Lisbon's summer time
        "ends_at": datetime.datetime(2099, 6, 1, 16, 30, tzinfo=datetime.UTC),
        "room": "Plenary",
        "status": "draft",
    }
    assert after == expected


def test_an_applied_import_is_one_revision_of_the_history_by_its_user(organiser_client, organiser, lisbon):
    exported = organiser_client.get(_admin_url(lisbon, "xlsx")).content
    preview = _upload(organiser_client, lisbon, "lisbon.xlsx", _xlsx_edited(exported, {"2.1": {"title": "Fees"}}))

    organiser_client.post(_import_url(lisbon), {"payload": preview.context["payload"]})

    session = Session.objects.get(title="Fees")
    version = Version.objects.get_for_object(session).select_related("revision__user").first()
    assert (version.revision.user, version.revision.comment) == (organiser, "Imported from lisbon.xlsx: sessions 2.1.")


def test_a_new_chair_takes_the_place_of_the_one_replaced(organiser_client, lisbon):
    exported = organiser_client.get(_admin_url(lisbon, "xlsx")).content
    preview = _upload(organiser_client, lisbon, "x.xlsx", _xlsx_edited(exported, {"1.1": {"chair": "Carla Diaz"}}))

    organiser_client.post(_import_url(lisbon), {"payload": preview.context["payload"]})

    session = Session.objects.get(title="Decent work")
    assert list(session.participations.order_by("position").values_list("person__name", "role")) == [
        ("Carla Diaz", "chair"),
        ("Bo Chen", "rapporteur"),
        ("Speaker One", "speaker"),
    ]


def test_a_bad_row_refuses_the_whole_import_with_its_row_number(organiser_client, lisbon):
    exported = organiser_client.get(_admin_url(lisbon, "xlsx")).content
    before = _state(lisbon)
    edited = _xlsx_edited(exported, {"1.1": {"title": "Would change"}, "2.1": {"room": "Atrium"}})

    preview = _upload(organiser_client, lisbon, "lisbon.xlsx", edited)

    plan = preview.context["plan"]
    assert _outcomes(preview) == [
        (2, "1.1", "changed"),
        (3, "1.2", "unchanged"),
        (4, "1.3", "unchanged"),
        (5, "2.1", "refused"),
    ]
    assert plan.rows[3].reasons == ["The forum has no room “Atrium” (its rooms: Plenary, Room B)."]
    assert preview.context["payload"] == ""
    page = preview.content.decode()
    assert "Nothing will be applied while a row is refused." in page
    assert "<td>5</td>" in page
    assert "Apply these changes" not in page
    assert _state(lisbon) == before


def test_apply_writes_nothing_when_the_programme_changed_since_the_preview(organiser_client, lisbon):
    exported = organiser_client.get(_admin_url(lisbon, "xlsx")).content
    preview = _upload(organiser_client, lisbon, "x.xlsx", _xlsx_edited(exported, {"1.1": {"title": "From the file"}}))
    Session.objects.filter(title="Decent work").update(title="Changed meanwhile")
    before = _state(lisbon)

    response = organiser_client.post(_import_url(lisbon), {"payload": preview.context["payload"]})

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        "The programme changed since the preview: nothing was applied. Check the new preview."
    ]
    assert [(c.old, c.new) for c in response.context["plan"].rows[0].changes] == [
        ("Changed meanwhile", "From the file")
    ]
    assert _state(lisbon) == before


def test_a_forged_payload_is_refused(organiser_client, lisbon):
    before = _state(lisbon)

    response = organiser_client.post(_import_url(lisbon), {"payload": "not-signed"}, follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "The preview has expired or is not valid: upload the file again."
    ]
    assert _state(lisbon) == before


def _csv_bytes(rows, delimiter=","):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode("utf-8")


def test_round_trip_csv_changes_exactly_the_two_edited_sessions(organiser_client, lisbon):
    rows = _csv_rows(organiser_client.get(_admin_url(lisbon, "csv")).content)
    before = _state(lisbon)
    rows[1][COLUMNS.index("rapporteur")] = ""
    rows[4][COLUMNS.index("day")] = "2099-06-02"
    rows[4][COLUMNS.index("start")] = "9:30"
    rows[4][COLUMNS.index("end")] = "11:00"

    preview = _upload(organiser_client, lisbon, "lisbon.csv", _csv_bytes(rows))
    organiser_client.post(_import_url(lisbon), {"payload": preview.context["payload"]})

    assert _outcomes(preview) == [
        (2, "1.1", "changed"),
        (3, "1.2", "unchanged"),
        (4, "1.3", "unchanged"),
        (5, "2.1", "changed"),
    ]
    expected = {**before}
    expected["1.1"] = {**before["1.1"], "people": [("chair", "Ana Lima"), ("speaker", "Speaker One")]}
    expected["2.1"] = {
        **before["2.1"],
        "starts_at": datetime.datetime(2099, 6, 2, 8, 30, tzinfo=datetime.UTC),
        "ends_at": datetime.datetime(2099, 6, 2, 10, 0, tzinfo=datetime.UTC),
    }
    assert _state(lisbon) == expected


def test_a_bad_csv_row_refuses_the_whole_import_with_its_row_number(organiser_client, lisbon):
    before = _state(lisbon)
    rows = [
        ["code", "title", "day", "start", "end"],
        ["1.1", "Fine change", "2099-06-01", "09:00", "10:30"],
        ["1.2", "Skills", "2099-06-09", "09:00", "10:00"],
        ["7.1", "Unknown", "", "", ""],
        ["1.1", "Again", "", "", ""],
    ]

    preview = _upload(organiser_client, lisbon, "lisbon.csv", _csv_bytes(rows, delimiter=";"))

    assert [(row.number, row.outcome, row.reasons) for row in preview.context["plan"].rows] == [
        (2, "changed", []),
        (
            3,
            "refused",
            ["The session must take place during the forum, from 2099-06-01 to 2099-06-02 (Europe/Lisbon)."],
        ),
        (
            4,
            "refused",
            ["This forum has no session 7.1: the import changes existing sessions; add new ones in the admin."],
        ),
        (5, "refused", ["Session 1.1 is already in row 2."]),
    ]
    assert preview.context["payload"] == ""
    assert _state(lisbon) == before


@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        ({"start": "25:00"}, "The start time “25:00” is not a time: write it as HH:MM, e.g. 09:30."),
        ({"end": "08:00"}, "The session must end after it starts."),
        ({"day": "01/06/2099"}, "The day “01/06/2099” is not a date: write it as YYYY-MM-DD, e.g. 2009-11-02."),
        ({"day": ""}, "Give the day, the start and the end, or leave all three empty for a session not scheduled yet."),
        ({"zone": "UTC"}, "Times are read in the forum's time zone, Europe/Lisbon, not in UTC."),
        (
            {"roundtable": "Remittances"},
            "The roundtable column says “Remittances”, but session 1.1 belongs to “Labour mobility”.",
        ),
        (
            {"chair": "Nobody Known"},
            "Nobody called “Nobody Known” is in the programme: add the person in the admin first.",
        ),
        ({"themes": "Gender; Weather"}, "No cross-cutting theme is called “Weather”."),
        ({"status": "maybe"}, "The status “maybe” is neither “published” nor “draft”."),
        ({"title": ""}, "A session needs a title."),
    ],
)
def test_a_refused_cell_says_why(organiser_client, lisbon, cells, reason):
    rows = _csv_rows(organiser_client.get(_admin_url(lisbon, "csv")).content)
    for column, value in cells.items():
        rows[1][COLUMNS.index(column)] = value

    preview = _upload(organiser_client, lisbon, "x.csv", _csv_bytes(rows))

    assert [(row.number, row.reasons) for row in preview.context["plan"].refused] == [(2, [reason])]


def test_a_code_typed_as_a_number_is_refused(organiser_client, lisbon):
    exported = organiser_client.get(_admin_url(lisbon, "xlsx")).content

    preview = _upload(organiser_client, lisbon, "x.xlsx", _xlsx_edited(exported, {"1.2": {"code": 1.2}}))

    assert [(row.number, row.reasons) for row in preview.context["plan"].refused] == [
        (3, ["The code 1.2 was read as a number, which cannot tell 1.1 from 1.10: format the code column as text."])
    ]


def test_two_people_of_the_same_name_are_told_apart_by_the_role_they_hold(organiser_client, lisbon):
    make_person(name="Ana Lima")  # a namesake of the chair of 1.1
    rows = _csv_rows(organiser_client.get(_admin_url(lisbon, "csv")).content)
    rows[3][COLUMNS.index("chair")] = "Ana Lima"  # the draft 1.3 has no chair yet: which Ana?

    preview = _upload(organiser_client, lisbon, "x.csv", _csv_bytes(rows))

    assert _outcomes(preview)[:2] == [(2, "1.1", "unchanged"), (3, "1.2", "unchanged")]
    assert [(row.number, row.reasons) for row in preview.context["plan"].refused] == [
        (4, ["Several people are called “Ana Lima”: set this role in the admin, where they can be told apart."])
    ]


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("x.xlsx", b"PK\x03\x04 not really a workbook", "The file could not be read as an XLSX workbook."),
        ("x.pdf", b"%PDF-1.4", "Upload an .xlsx or a .csv file."),
        (
            "x.csv",
            b"code,colour\r\n1.1,blue\r\n",
            "Unknown column “colour”. The columns are: " + ", ".join(COLUMNS) + ".",
        ),
        ("x.csv", b"title\r\nNo code\r\n", "The file has no “code” column: it tells which session each row changes."),
        ("x.csv", b"", "The file is empty."),
    ],
)
def test_an_unreadable_file_is_refused_with_a_message(organiser_client, lisbon, name, content, error):
    response = _upload(organiser_client, lisbon, name, content)

    assert response.status_code == 200
    assert response.context["form"].errors == {"file": [error]} or (
        content == b"" and response.context["form"].errors == {"file": ["The submitted file is empty."]}
    )
    assert response.context["plan"] is None


def test_a_windows_csv_with_semicolons_is_read(organiser_client, lisbon):
    content = "code;title\r\n1.2;Compétences\r\n".encode("cp1252")

    preview = _upload(organiser_client, lisbon, "x.csv", content)

    assert [(c.old, c.new) for c in preview.context["plan"].rows[0].changes] == [("Skills", "Compétences")]


# Who may import ------------------------------------------------------------------------------------


@pytest.fixture
def coordinator_client(coordinator, lisbon):
    lisbon.roundtables.get(number=2).coordinators.add(coordinator)
    client = Client()
    client.force_login(coordinator)
    return client


def test_a_coordinator_imports_rows_of_their_roundtable_and_others_pass_unchanged(coordinator_client, lisbon):
    rows = _csv_rows(coordinator_client.get(_admin_url(lisbon, "csv")).content)
    rows[4][COLUMNS.index("title")] = "Cheaper remittances"

    preview = _upload(coordinator_client, lisbon, "x.csv", _csv_bytes(rows))
    coordinator_client.post(_import_url(lisbon), {"payload": preview.context["payload"]})

    assert [row.outcome for row in preview.context["plan"].rows] == ["unchanged", "unchanged", "unchanged", "changed"]
    assert Session.objects.get(roundtable__number=2, number=1).title == "Cheaper remittances"


def test_a_coordinator_cannot_change_another_roundtables_session(coordinator_client, lisbon):
    before = _state(lisbon)
    rows = _csv_rows(coordinator_client.get(_admin_url(lisbon, "csv")).content)
    rows[1][COLUMNS.index("title")] = "Not mine to rename"
    rows[4][COLUMNS.index("title")] = "Cheaper remittances"

    preview = _upload(coordinator_client, lisbon, "x.csv", _csv_bytes(rows))

    assert [(row.number, row.reasons) for row in preview.context["plan"].refused] == [
        (2, ["Session 1.1 belongs to roundtable 1, which you do not coordinate."])
    ]
    assert preview.context["payload"] == ""
    assert _state(lisbon) == before


def test_staff_without_the_change_permission_cannot_import(client, lisbon):
    viewer = make_user(is_staff=True)
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(*Permission.objects.filter(codename__in=["view_forum", "view_session"]))
    client.force_login(viewer)

    assert client.get(_admin_url(lisbon, "csv")).status_code == 200
    assert client.get(_import_url(lisbon)).status_code == 403


@pytest.mark.parametrize("size", [8, 300])
def test_import_preview_queries_stay_flat(organiser_client, db, django_assert_num_queries, size):
    forum = synthetic_forum_build(
        slug="synthetic",
        roundtables=4,
        sessions=size,
        people=20,
        rooms=4,
        themes=3,
        issues=0,
        points=0,
        seed=1,
        starts_on=datetime.date(2099, 1, 5),
        time_zone="Asia/Manila",
    )
    content = _xlsx_edited(organiser_client.get(_admin_url(forum, "xlsx")).content, {"1.1": {"title": "New"}})
    organiser_client.get(_import_url(forum))  # the user's permissions are cached from here on

    # session, user, forum, permissions (2), scope (3), sessions with their themes and roles, rooms, people, themes
    with django_assert_num_queries(14):
        preview = _upload(organiser_client, forum, "x.xlsx", content)

    assert [row.outcome for row in preview.context["plan"].rows].count("unchanged") == size - 1


def test_history_records_the_import_through_reversion(organiser_client, lisbon):
    with reversion.create_revision():
        Session.objects.get(title="Skills").save()

    exported = organiser_client.get(_admin_url(lisbon, "xlsx")).content
    preview = _upload(organiser_client, lisbon, "x.xlsx", _xlsx_edited(exported, {"1.2": {"title": "Skills for all"}}))
    organiser_client.post(_import_url(lisbon), {"payload": preview.context["payload"]})

    assert list(
        Version.objects.get_for_object(Session.objects.get(title="Skills for all")).values_list(
            "object_repr", flat=True
        )
    ) == ["1.2 Skills for all", "1.2 Skills"]


def test_a_row_that_would_book_a_room_or_a_person_twice_is_refused(organiser_client, lisbon):
    before = _state(lisbon)
    rows = _csv_rows(organiser_client.get(_admin_url(lisbon, "csv")).content)
    rows[2][COLUMNS.index("day")] = "2099-06-01"  # 1.2 moves onto 1.1's time, in 1.1's room, with 1.1's chair
    rows[2][COLUMNS.index("start")] = "10:00"
    rows[2][COLUMNS.index("end")] = "11:00"
    rows[2][COLUMNS.index("room")] = "Plenary"

    preview = _upload(organiser_client, lisbon, "x.csv", _csv_bytes(rows))

    assert [(row.number, row.reasons) for row in preview.context["plan"].refused] == [
        (
            3,
            [
                "Ana Lima would be in sessions 1.1 and 1.2 at overlapping times.",
                "The room “Plenary” would be booked twice: sessions 1.1 and 1.2 overlap.",
            ],
        )
    ]
    assert _state(lisbon) == before


def test_a_clash_that_was_there_before_the_import_does_not_refuse_it(organiser_client, lisbon):
    Session.objects.filter(title="Skills").update(
        starts_at=forum_time(lisbon, 0, 9), ends_at=forum_time(lisbon, 0, 10), room=lisbon.rooms.get(name="Plenary")
    )
    rows = _csv_rows(organiser_client.get(_admin_url(lisbon, "csv")).content)
    rows[2][COLUMNS.index("title")] = "Skills for all"

    preview = _upload(organiser_client, lisbon, "x.csv", _csv_bytes(rows))

    assert [row.outcome for row in preview.context["plan"].rows] == ["unchanged", "changed", "unchanged", "unchanged"]


def test_a_title_with_control_characters_still_exports(client, lisbon):
    Session.objects.filter(title="Skills").update(title="Skills\x0b and\x1f more")  # PostgreSQL refuses NUL

    xlsx = client.get(_public_url(lisbon, "xlsx"))
    csv_rows = _csv_rows(client.get(_public_url(lisbon, "csv")).content)

    assert xlsx.status_code == 200
    assert _xlsx_rows(xlsx.content)[2][2] == "Skills and more"
    assert csv_rows[2][2] == "Skills\x0b and\x1f more"
