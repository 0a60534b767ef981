import json

from programme.management.commands.load_programme import DATA_DIR
from programme.services import programme_load
from roundtables.models import Forum, Roundtable, Theme
from sessions.models import Document, Issue, Room, Session

ATHENS_TITLES = {
    "1.1": "Migration and Development: key actors and strategies for win-win solutions",
    "1.2": "Engaging diasporas and migrants in development policies and programs (constraints and opportunities)",
    "1.3": "Maintaining a win-win migration and development relationship during the economic crisis",
    "2.1": "Inclusion, protection and acceptance of migrants in society – linking human rights and migrant "
    "empowerment for development",
    "2.2": "Reintegration and circular migration – effective for development?",
    "3.1": "Policy and Institutional Coherence: Latest Data and Research Findings",
    "3.2": "Regional and Inter-regional Processes and Fora",
    "3.3": "The Future of the Civil Society Days in the GFMD",
}

# (main issues or proposed themes, their sub-points) per session, as in the concept note.
ATHENS_ISSUES = {
    "1.1": (3, 7),
    "1.2": (3, 5),
    "1.3": (3, 0),
    "2.1": (3, 11),
    "2.2": (9, 15),
    "3.1": (3, 3),
    "3.2": (4, 3),
    "3.3": (2, 2),
}


def _snapshot():
    return {
        model.__name__: sorted(tuple(str(value) for value in row) for row in model.objects.values_list(*fields))
        for model, fields in [
            (Forum, ["slug", "name", "starts_on", "ends_on", "time_zone", "description", "updated_at"]),
            (Roundtable, ["number", "title", "slug", "background", "updated_at"]),
            (Session, ["id", "number", "title", "slug", "background", "starts_at", "ends_at", "room", "updated_at"]),
            (Issue, ["id", "session", "parent", "kind", "text", "position"]),
            (Theme, ["slug", "name", "description"]),
            (Room, ["name", "capacity", "position"]),
            (
                Document,
                ["title", "files__language", "files__file", "roundtables__number", "circulated_on", "updated_at"],
            ),
            (Session.themes.through, ["session_id", "theme_id"]),
        ]
    }


def test_athens_programme_has_three_roundtables_and_eight_sessions(athens):
    sessions = Session.objects.filter(roundtable__forum=athens).select_related("roundtable")

    assert athens.roundtables.count() == 3
    assert {session.code: session.title for session in sessions} == ATHENS_TITLES


def test_athens_forum_dates_and_time_zone(athens):
    assert (athens.name, str(athens.starts_on), str(athens.ends_on), athens.time_zone, athens.city) == (
        "Civil Society Days, Athens 2009",
        "2009-11-02",
        "2009-11-03",
        "Europe/Athens",
        "Athens",
    )
    assert "illustrative" in athens.description


def test_athens_issues_are_nested_as_in_the_concept_note(athens):
    counts = {}
    for session in Session.objects.filter(roundtable__forum=athens).select_related("roundtable"):
        top = session.issues.filter(parent__isnull=True)
        points = session.issues.filter(parent__isnull=False)
        counts[session.code] = (top.count(), points.count())

    assert counts == ATHENS_ISSUES
    assert Issue.objects.filter(parent__parent__isnull=False).count() == 0


def test_athens_session_1_2_last_issue_has_its_three_via_points(athens):
    session = Session.objects.get(roundtable__forum=athens, roundtable__number=1, number=2)
    last = session.issues.filter(parent__isnull=True).order_by("position").last()

    assert [point.text for point in last.points.order_by("position")] == [
        "via technical assistance and programming,",
        "via the promotion of enabling environment",
        "as well as via intermediating between home and destination governments and diaspora groups",
    ]


def test_athens_text_is_clean_of_pdf_extraction_damage(athens):
    texts = [
        *Issue.objects.values_list("text", flat=True),
        *Session.objects.values_list("background", flat=True),
        *Roundtable.objects.values_list("background", flat=True),
    ]
    joined = "\n".join(texts)

    assert "\uf0be" not in joined
    assert "􀂾" not in joined
    assert "•" not in joined
    assert "travelrelated" not in joined
    assert "travel-related" in joined
    assert "migrationdevelopment" not in joined
    assert "migration-development relationship" in joined
    assert all("\n" not in text for text in Issue.objects.values_list("text", flat=True))


def test_athens_sessions_are_tagged_and_scheduled(athens):
    sessions = Session.objects.filter(roundtable__forum=athens)

    assert sessions.filter(themes__isnull=True).count() == 0
    assert sessions.filter(starts_at__isnull=True).count() == 0
    assert sessions.filter(room__isnull=True).count() == 0
    assert set(Theme.objects.values_list("slug", flat=True)) >= {
        "gender",
        "diaspora",
        "circular-migration",
        "remittances",
        "data-and-research",
        "migrants-rights",
        "economic-crisis",
    }


def test_athens_concept_note_is_a_document_of_its_three_roundtables_in_english(athens):
    document = athens.documents.get()

    assert (document.kind, str(document.circulated_on)) == ("concept_note", "2009-06-01")
    assert sorted(document.roundtables.values_list("number", flat=True)) == [1, 2, 3]
    assert list(document.sessions.all()) == []
    [english] = document.files.all()
    assert english.language == "en"
    assert english.file.read().startswith(b"jeudi 22 octobre 2009")
    assert english.size == english.file.size


def test_loading_the_programme_twice_changes_nothing(athens):
    before = _snapshot()

    programme_load(path=DATA_DIR / "athens-2009.json")

    assert _snapshot() == before


def test_loading_an_edited_file_applies_just_the_edit(athens, tmp_path):
    data = json.loads((DATA_DIR / "athens-2009.json").read_text())
    issue = data["roundtables"][0]["sessions"][0]["issues"][0]
    issue["points"].append("A new sub-point.")
    issue["points_fr"].append("Un nouveau sous-point.")
    issue["points_es"].append("Un nuevo subpunto.")
    edited = tmp_path / "athens-2009.json"
    edited.write_text(json.dumps(data))
    (tmp_path / "concept-note-csd-athens-2009.txt").write_bytes(
        (DATA_DIR / "concept-note-csd-athens-2009.txt").read_bytes()
    )
    issue_ids = set(Issue.objects.values_list("id", flat=True))

    programme_load(path=edited)

    added = Issue.objects.exclude(id__in=issue_ids)
    assert [issue.text for issue in added] == ["A new sub-point."]
    assert Issue.objects.filter(id__in=issue_ids).count() == len(issue_ids)


def test_load_programme_command_reports_counts(db, capsys):
    from django.core.management import call_command

    call_command("load_programme")

    assert "3 roundtables, 8 sessions" in capsys.readouterr().out


# Editors' groups, publishing and the next edition ------------------------------------------------


def _duplicate_athens(athens, **overrides):
    import datetime

    from programme.services import forum_duplicate

    values = {"name": "Civil Society Days, Manila 2010", "slug": "manila-2010", "starts_on": datetime.date(2010, 6, 7)}
    values.update(overrides)
    return forum_duplicate(forum=athens, **values)


def test_duplicating_a_forum_copies_its_programme_with_exact_counts(athens):
    copy = _duplicate_athens(athens)

    sessions = Session.objects.filter(roundtable__forum=copy)
    counts = {
        "roundtables": copy.roundtables.count(),
        "sessions": sessions.count(),
        "issues": Issue.objects.filter(session__roundtable__forum=copy, parent__isnull=True).count(),
        "sub-points": Issue.objects.filter(session__roundtable__forum=copy, parent__isnull=False).count(),
        "rooms": copy.rooms.count(),
        "documents": Document.objects.filter(forum=copy).count(),
        "session themes": Session.themes.through.objects.filter(session__roundtable__forum=copy).count(),
    }
    assert counts == {
        "roundtables": 3,
        "sessions": 8,
        "issues": 30,
        "sub-points": 46,
        "rooms": 3,
        "documents": 0,
        "session themes": Session.themes.through.objects.filter(session__roundtable__forum=athens).count(),
    }
    assert Session.objects.filter(roundtable__forum=athens).count() == 8


def test_a_duplicated_forum_and_its_sessions_are_drafts(athens):
    copy = _duplicate_athens(athens)

    assert copy.status == "draft"
    assert set(Session.objects.filter(roundtable__forum=copy).values_list("status", flat=True)) == {"draft"}
    assert (copy.name, copy.slug, str(copy.starts_on), str(copy.ends_on), copy.time_zone, copy.city) == (
        "Civil Society Days, Manila 2010",
        "manila-2010",
        "2010-06-07",
        "2010-06-08",
        "Europe/Athens",
        "Athens",
    )


def test_duplicated_sessions_keep_their_local_time_across_daylight_saving_time(athens):
    copy = _duplicate_athens(athens)

    def local_times(forum):
        return {
            session.code: (
                session.starts_at.astimezone(forum.zone).strftime("%a %H:%M"),
                session.ends_at.astimezone(forum.zone).strftime("%H:%M"),
                session.room.name,
            )
            for session in Session.objects.filter(roundtable__forum=forum).select_related("roundtable", "room")
        }

    # 2 November 2009 was a Monday, and so is 7 June 2010 (Athens: UTC+2 in November, UTC+3 in June).
    assert local_times(copy) == local_times(athens)
    first = Session.objects.get(roundtable__forum=copy, roundtable__number=1, number=1)
    assert first.starts_at.isoformat() == "2010-06-07T06:30:00+00:00"
    assert first.room.forum == copy


def test_duplicated_issues_keep_their_sub_points_and_order(athens):
    copy = _duplicate_athens(athens)

    def outline(forum):
        session = Session.objects.get(roundtable__forum=forum, roundtable__number=1, number=2)
        return [
            (issue.kind, issue.text, [point.text for point in issue.points.order_by("position")])
            for issue in session.issues.filter(parent__isnull=True).order_by("position")
        ]

    assert outline(copy) == outline(athens)
    assert Issue.objects.filter(session__roundtable__forum=copy, parent__session__roundtable__forum=athens).count() == 0


def test_duplicating_with_people_copies_the_roles(db):
    import datetime

    from programme.services import forum_duplicate
    from tests.factories import make_forum, make_participation, make_roundtable, make_session

    forum = make_forum()
    participation = make_participation(session=make_session(roundtable=make_roundtable(forum=forum)), role="chair")

    copy = forum_duplicate(
        forum=forum, name="Next", slug="next", starts_on=datetime.date(2010, 11, 1), with_people=True
    )

    copied = Session.objects.get(roundtable__forum=copy).participations.get()
    assert (copied.person, copied.role, copied.position) == (participation.person, "chair", participation.position)


def test_duplicating_records_one_revision(athens):
    from reversion.models import Version

    copy = _duplicate_athens(athens)

    [version] = Version.objects.get_for_object(copy)
    assert version.revision.get_comment() == "Duplicated from “Civil Society Days, Athens 2009”."
    assert version.revision.version_set.count() == 1 + 3 + 3 + 8 + 76


def test_loading_the_programme_records_what_it_changed_as_one_revision(athens):
    from reversion.models import Version

    [version] = Version.objects.get_for_object(athens)

    assert version.revision.get_comment() == "Loaded from athens-2009.json."
    programme_load(path=DATA_DIR / "athens-2009.json")
    assert Version.objects.get_for_object(athens).count() == 1


def test_forum_publish_and_unpublish_say_whether_they_changed_anything(db):
    from roundtables.services import forum_publish, forum_unpublish
    from tests.factories import make_forum

    forum = make_forum(status="draft")

    results = [forum_publish(forum=forum), forum_publish(forum=forum), forum_unpublish(forum=forum)]

    forum.refresh_from_db()
    assert (results, forum.status) == ([True, False, True], "draft")


def test_coordinator_group_views_the_programme_and_edits_sessions_issues_and_roles(db):
    from roundtables.services import coordinator_group_ensure

    granted = set(coordinator_group_ensure().permissions.values_list("content_type__app_label", "codename"))

    edits = {(app, codename) for app, codename in granted if not codename.startswith("view_")}
    assert edits == {
        ("programme_sessions", f"{action}_{model}")
        for action in ("add", "change", "delete")
        for model in ("session", "issue", "participation", "document", "documentfile")
    } | {
        # people and organisations for their sessions (programme.accounts.person_editable_by narrows the change)
        ("programme_sessions", "add_person"),
        ("programme_sessions", "change_person"),
        ("programme_sessions", "add_organisation"),
    }
    assert {
        ("roundtables", "view_forum"),
        ("roundtables", "view_roundtable"),
        ("programme_sessions", "view_person"),
        ("programme_sessions", "view_document"),
    } <= granted


def test_granting_access_puts_the_roundtables_coordinators_in_their_group(db):
    from core.permissions import ROUNDTABLE_COORDINATORS
    from roundtables.services import roundtable_coordinators_grant_access
    from tests.factories import make_roundtable, make_user

    roundtable = make_roundtable()
    user = make_user(is_staff=True)
    roundtable.coordinators.add(user)

    added = [roundtable_coordinators_grant_access(roundtable=roundtable) for _ in range(2)]

    assert added == [[user], []]
    assert list(user.groups.values_list("name", flat=True)) == [ROUNDTABLE_COORDINATORS]
