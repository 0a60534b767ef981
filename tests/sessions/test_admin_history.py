"""Every change is recorded with who, when and what; an editor sees the history and restores a version."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils import formats, timezone
from reversion.models import Version

from sessions.models import Issue, Session
from tests.admin_forms import admin_change_data, admin_form_data
from tests.factories import forum_time, make_forum, make_issue, make_person, make_roundtable, make_session
from tests.sessions.test_admin_restore import submitted


def _change_url(session):
    return reverse("admin:programme_sessions_session_change", args=[session.pk])


@pytest.fixture
def session(db):
    forum = make_forum()
    session = make_session(
        roundtable=make_roundtable(forum=forum),
        title="First title",
        starts_at=forum_time(forum, 0, 9),
        ends_at=forum_time(forum, 0, 10),
    )
    make_issue(session=session, text="First issue", position=1)
    return session


def test_an_admin_save_records_who_when_and_the_change_message(organiser_client, organiser, session):
    organiser_client.post(_change_url(session), admin_change_data(organiser_client, session, title="Second title"))

    [version] = Version.objects.get_for_object(session)
    assert (version.revision.user, version.revision.get_comment(), version.field_dict["title"]) == (
        organiser,
        "Changed Title.",
        "Second title",
    )


def test_the_change_message_names_translations_by_language(organiser_client, session):
    data = admin_change_data(
        organiser_client, session, title_fr="Premier titre", **{"issues-0-text_es": "Primera cuestión"}
    )

    organiser_client.post(_change_url(session), data)

    [version] = Version.objects.get_for_object(session)
    assert version.revision.get_comment() == "Changed Title (French). Changed Text (Spanish) for issue “First issue”."


def test_a_session_version_includes_its_issues_sub_points_and_roles(organiser_client, session):
    person = make_person()
    data = admin_change_data(
        organiser_client,
        session,
        **{
            "issues-0-points": "A point",
            "participations-TOTAL_FORMS": "1",
            "participations-0-person": person.pk,
            "participations-0-role": "chair",
            "participations-0-position": "1",
        },
    )

    organiser_client.post(_change_url(session), data)

    [version] = Version.objects.get_for_object(session)
    included = sorted((item.content_type.model, item.object_repr) for item in version.revision.version_set.all())
    assert included == [
        ("issue", "A point"),
        ("issue", "First issue"),
        ("participation", f"{person.name} (Chair)"),
        ("session", str(session)),
    ]


def test_the_history_page_shows_what_changed_between_versions(organiser_client, session):
    organiser_client.post(_change_url(session), admin_change_data(organiser_client, session))
    session.refresh_from_db()
    organiser_client.post(
        _change_url(session),
        admin_change_data(organiser_client, session, title="Second title", **{"issues-0-text": "Second issue"}),
    )

    response = organiser_client.get(reverse("admin:programme_sessions_session_history", args=[session.pk]))

    latest, first = response.context["history_entries"]
    assert [(change.label, change.old, change.new, change.kind) for change in latest.changes] == [
        ("Title", "First title", "Second title", "changed"),
        ("Issue “Second issue”: Text", "First issue", "Second issue", "changed"),
    ]
    assert first.changes == []
    html = response.content.decode()
    assert "<del>First title</del> → <ins>Second title</ins>" in html
    assert reverse("admin:programme_sessions_session_revision", args=[session.pk, first.version.pk]) in html


def test_the_history_page_lists_issues_added_and_removed(organiser_client, session):
    organiser_client.post(_change_url(session), admin_change_data(organiser_client, session))
    session.refresh_from_db()
    data = admin_change_data(
        organiser_client,
        session,
        **{
            "issues-0-DELETE": "on",
            "issues-TOTAL_FORMS": "2",
            "issues-1-kind": "question",
            "issues-1-text": "A new question",
            "issues-1-position": "2",
        },
    )
    organiser_client.post(_change_url(session), data)

    response = organiser_client.get(reverse("admin:programme_sessions_session_history", args=[session.pk]))

    latest = response.context["history_entries"][0]
    assert [(change.label, change.kind, change.old, change.new) for change in latest.changes] == [
        ("Issue", "added", "", "A new question"),
        ("Issue", "removed", "First issue", ""),
    ]


def test_restoring_an_earlier_version_brings_back_its_fields_and_issues(organiser_client, session):
    organiser_client.post(_change_url(session), admin_change_data(organiser_client, session))
    session.refresh_from_db()
    organiser_client.post(
        _change_url(session),
        admin_change_data(organiser_client, session, title="Second title", **{"issues-0-text": "Changed"}),
    )
    first = Version.objects.get_for_object(session).order_by("pk").first()
    revision_url = reverse("admin:programme_sessions_session_revision", args=[session.pk, first.pk])
    page = organiser_client.get(revision_url)
    data = admin_form_data(page)  # the restored version as the page shows it

    response = organiser_client.post(revision_url, data)

    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.title, list(session.issues.values_list("text", flat=True))) == ("First title", ["First issue"])
    latest = Version.objects.get_for_object(session).order_by("-pk").first()
    saved_on = formats.date_format(
        timezone.localtime(first.revision.date_created, session.roundtable.forum.zone), "DATETIME_FORMAT"
    )
    assert latest.revision.get_comment() == f"Restored the version saved on {saved_on}: Title, Issues."


def test_an_issue_changed_on_its_own_page_shows_in_the_session_history(organiser_client, session):
    issue = session.issues.get()
    data = admin_change_data(organiser_client, issue, text="Edited on the issue page")

    organiser_client.post(reverse("admin:programme_sessions_issue_change", args=[issue.pk]), data)

    assert [version.revision.get_comment() for version in Version.objects.get_for_object(session)] == ["Changed Text."]
    assert Issue.objects.get(pk=issue.pk).text == "Edited on the issue page"


def test_history_times_are_shown_in_the_forum_time_zone(organiser_client, session):
    organiser_client.post(_change_url(session), admin_change_data(organiser_client, session))
    session.refresh_from_db()
    organiser_client.post(_change_url(session), admin_change_data(organiser_client, session, starts_at_1="08:00"))

    response = organiser_client.get(reverse("admin:programme_sessions_session_history", args=[session.pk]))

    [change] = response.context["history_entries"][0].changes
    assert (change.label, change.old, change.new) == ("Starts at", "Nov. 2, 2009, 9 a.m.", "Nov. 2, 2009, 8 a.m.")


def test_sessions_moved_up_record_the_move(organiser_client, session):
    other = make_session(roundtable=session.roundtable, number=2, title="Second session")

    organiser_client.post(reverse("admin:programme_sessions_session_move", args=[other.pk, "up"]))

    assert [version.revision.get_comment() for version in Version.objects.get_for_object(other)] == [
        "Moved session 1.2 up."
    ]
    assert dict(Session.objects.values_list("title", "number")) == {"First title": 2, "Second session": 1}


def _session_1_2(forum):
    return Session.objects.get(roundtable__forum=forum, roundtable__number=1, number=2)


def test_an_unchanged_save_records_no_change_to_sub_points(organiser_client, athens):
    session = _session_1_2(athens)
    page = organiser_client.get(_change_url(session))

    response = organiser_client.post(_change_url(session), submitted(page, Session))

    assert response.status_code == 302
    entry = LogEntry.objects.get(object_id=str(session.pk), content_type__model="session")
    latest = Version.objects.get_for_object(session).first()
    assert (entry.get_change_message(), latest.revision.get_comment()) == ("No fields changed.", "No fields changed.")
    response = organiser_client.get(reverse("admin:programme_sessions_session_history", args=[session.pk]))
    assert response.context["history_entries"][0].changes == []


def test_a_changed_sub_point_is_the_only_change_recorded(organiser_client, athens):
    session = _session_1_2(athens)
    issue = session.issues.filter(parent__isnull=True).order_by("position")[2]
    points = list(issue.points.order_by("position").values_list("text", flat=True))
    page = organiser_client.get(_change_url(session))
    data = submitted(page, Session)
    index = next(i for i in range(3) if data[f"issues-{i}-id"] == [str(issue.pk)])
    data[f"issues-{index}-points"] = ["\r\n".join([points[0], "A reworded second sub-point", *points[2:]])]

    organiser_client.post(_change_url(session), data)

    entry = LogEntry.objects.get(object_id=str(session.pk), content_type__model="session")
    assert entry.get_change_message() == f"Changed Sub-points for issue “{issue}”."
    response = organiser_client.get(reverse("admin:programme_sessions_session_history", args=[session.pk]))
    assert [(change.label, change.old, change.new) for change in response.context["history_entries"][0].changes] == [
        ("Issue “A reworded second sub-point”: Text", points[1], "A reworded second sub-point")
    ]
