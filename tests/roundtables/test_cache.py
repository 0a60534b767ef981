"""The programme's version stamp: only what the public sees moves it, once per transaction, on commit."""

import pytest
from django.contrib.auth.models import Group
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from contributions.services import contribution_approve, contribution_reject, contribution_submit
from core.programme_version import programme_changed, programme_version, programme_version_changed
from sessions.models import Issue, Participation, Session
from tests.admin_forms import admin_change_data
from tests.contributions.factories import make_contribution
from tests.factories import (
    forum_time,
    make_document,
    make_forum,
    make_issue,
    make_organisation,
    make_participation,
    make_person,
    make_room,
    make_roundtable,
    make_session,
    make_theme,
    make_user,
)

PRACTICE = {"country": "Ghana", "actors": "Home town associations", "description": "Built a school.", "lesson": "Ask."}


def _stamp_updates(queries):
    return [q["sql"] for q in queries if q["sql"].startswith('UPDATE "roundtables_programmestamp"')]


class _Changed:
    """``with _Changed() as delta:`` sets ``delta.value`` to how far the programme version moved in the block."""

    value = None

    def __enter__(self):
        self.before = programme_version()
        return self

    def __exit__(self, *exc):
        self.value = programme_version() - self.before
        return False


@pytest.fixture
def changed(transactional_db):
    """Transactions really commit in these tests, so on-commit callbacks run as in production."""
    return _Changed


@pytest.fixture
def programme(transactional_db):
    """Every kind of programme record, made before any test takes its snapshot."""
    forum_room = make_room()
    session = make_session(roundtable=make_roundtable(forum=forum_room.forum), room=forum_room, themes=[make_theme()])
    organisation = make_organisation()
    person = make_person(organisation=organisation)
    return {
        "session": session,
        "room": forum_room,
        "spare_room": make_room(forum=forum_room.forum),
        "theme": make_theme(),
        "issue": make_issue(session=session),
        "participation": make_participation(session=session, person=person),
        "person": person,
        "organisation": organisation,
        "document": make_document(session=session),
        "roundtable": session.roundtable,
        "forum": session.roundtable.forum,
        "coordinator": make_user(is_staff=True),
        # records nothing protects from deletion
        "spare_forum": make_forum(),
        "spare_roundtable": make_roundtable(forum=forum_room.forum),
        "spare_person": make_person(),
    }


def _rename(record, field="title", value="Renamed"):
    setattr(record, field, value)
    record.save()


PUBLIC_CHANGES = {
    "session renamed": lambda p: _rename(p["session"]),
    "session deleted": lambda p: p["session"].delete(),
    "issue edited": lambda p: _rename(p["issue"], "text", "Edited issue"),
    "issue deleted": lambda p: p["issue"].delete(),
    "theme added to a session": lambda p: p["session"].themes.add(p["theme"]),
    "session added from the theme's side": lambda p: p["theme"].sessions.add(p["session"]),
    "theme removed from a session": lambda p: p["session"].themes.remove(p["session"].themes.first()),
    "session's themes cleared": lambda p: p["session"].themes.clear(),
    "theme renamed": lambda p: _rename(p["theme"], "name", "Remittances"),
    "theme deleted": lambda p: p["theme"].delete(),
    "participation deleted": lambda p: p["participation"].delete(),
    "person renamed": lambda p: _rename(p["person"], "name", "Someone else"),
    "organisation renamed": lambda p: _rename(p["organisation"], "name", "Another organisation"),
    "room renamed": lambda p: _rename(p["room"], "name", "Hall B"),
    "room deleted": lambda p: p["spare_room"].delete(),
    "document deleted": lambda p: p["document"].delete(),
    "roundtable renamed": lambda p: _rename(p["roundtable"]),
    "forum renamed": lambda p: _rename(p["forum"], "name", "Athens"),
    "forum deleted": lambda p: p["spare_forum"].delete(),
    "roundtable deleted": lambda p: p["spare_roundtable"].delete(),
    "person deleted": lambda p: p["spare_person"].delete(),
    "organisation deleted": lambda p: p["organisation"].delete(),
    "sessions deleted in bulk": lambda p: Session.objects.filter(pk=p["session"].pk).delete(),
    "issues deleted in bulk": lambda p: Issue.objects.filter(session=p["session"]).delete(),
    "participations deleted in bulk": lambda p: Participation.objects.filter(session=p["session"]).delete(),
    "session's themes replaced": lambda p: p["session"].themes.set([p["theme"]]),
    "theme's sessions cleared from its side": lambda p: p["session"].themes.get().sessions.clear(),
}


@pytest.mark.parametrize("change", PUBLIC_CHANGES.values(), ids=PUBLIC_CHANGES.keys())
def test_programme_changes_move_the_version_by_exactly_one(programme, changed, change):
    with changed() as delta:
        change(programme)

    assert delta.value == 1


def test_a_roundtable_coordinator_assigned_leaves_the_version_alone(programme, changed):
    """Coordinators are never shown to the public."""
    with changed() as delta:
        programme["roundtable"].coordinators.add(programme["coordinator"])

    assert delta.value == 0


def test_a_users_group_change_leaves_the_version_alone(programme, changed):
    group = Group.objects.create(name="Readers")

    with changed() as delta:
        programme["coordinator"].groups.add(group)
        programme["coordinator"].groups.remove(group)

    assert delta.value == 0


def test_logging_in_leaves_the_version_alone(programme, changed, client):
    make_user(username="reader", password="a-long-test-password", is_staff=True)

    with changed() as delta:
        response = client.post("/admin/login/", {"username": "reader", "password": "a-long-test-password"})

    assert response.status_code == 302
    assert delta.value == 0


def test_a_pending_contribution_leaves_the_version_alone(programme, changed):
    with changed() as delta:
        contribution_submit(
            forum=programme["forum"],
            session=programme["session"],
            title="Home town associations",
            organisation_name="Diaspora Forum",
            organisation_kind="diaspora",
            summary="Summary.",
            language="en",
            practices=[PRACTICE],
            themes=[programme["theme"]],
        )

    assert delta.value == 0


def test_approving_a_contribution_moves_the_version_by_one(programme, changed):
    contribution = make_contribution(forum=programme["forum"], status="pending")

    with changed() as delta:
        contribution_approve(contribution=contribution)

    assert delta.value == 1


def test_rejecting_an_approved_contribution_moves_the_version_and_a_pending_one_does_not(programme, changed):
    approved = make_contribution(forum=programme["forum"], status="approved")
    pending = make_contribution(forum=programme["forum"], status="pending")

    with changed() as withdrawn:
        contribution_reject(contribution=approved, reason="Withdrawn by its authors.")
    with changed() as refused:
        contribution_reject(contribution=pending, reason="Out of scope.")

    assert (withdrawn.value, refused.value) == (1, 0)


def test_editing_a_contribution_moves_the_version_only_once_it_is_public(programme, changed):
    approved = make_contribution(forum=programme["forum"], status="approved")
    pending = make_contribution(forum=programme["forum"], status="pending")
    rejected = make_contribution(forum=programme["forum"], status="rejected")
    to_delete = make_contribution(forum=programme["forum"], status="approved")

    with changed() as public:
        _rename(approved)
    with changed() as public_themes:
        approved.themes.add(programme["theme"])
    with changed() as public_deleted:
        to_delete.delete()
    with changed() as private:
        _rename(pending)
        pending.themes.add(programme["theme"])
        _rename(rejected)
        rejected.delete()
        pending.delete()

    assert (public.value, public_themes.value, public_deleted.value, private.value) == (1, 1, 1, 0)


def test_many_changes_in_one_transaction_move_the_version_once_on_commit(programme, changed):
    session = programme["session"]
    before = programme_version()

    with changed() as delta, transaction.atomic():
        for n in range(5):
            make_issue(session=session, text=f"Issue {n}")
        session.themes.add(programme["theme"])
        inside = programme_version()

    assert (inside, delta.value) == (before, 1)


def _rename_then_fail(record, **values):
    with transaction.atomic():
        _rename(record, **values)
        raise RuntimeError("the save failed later")


def test_a_rolled_back_change_leaves_the_version_alone(programme, changed):
    with changed() as delta:
        with pytest.raises(RuntimeError):
            _rename_then_fail(programme["session"])
        with transaction.atomic():
            pass  # a later, empty transaction on the same connection commits nothing new

    assert delta.value == 0


def test_a_change_after_a_rolled_back_savepoint_still_moves_the_version(programme, changed):
    with changed() as delta, transaction.atomic():
        with pytest.raises(RuntimeError):
            _rename_then_fail(programme["session"], value="Undone")  # a savepoint, rolled back
        _rename(programme["issue"], "text", "Kept")

    assert delta.value == 1


def test_programme_changed_outside_a_transaction_bumps_at_once(programme):
    before = programme_version()

    programme_changed()
    once = programme_version()
    programme_changed()

    assert (once, programme_version()) == (before + 1, before + 2)


def test_a_theme_tagging_a_contribution_from_its_side_counts_only_for_approved_ones(programme, changed):
    theme = programme["theme"]
    approved = make_contribution(forum=programme["forum"], status="approved")
    pending = make_contribution(forum=programme["forum"], status="pending")

    with changed() as private:
        theme.contributions.add(pending)
    with changed() as public:
        theme.contributions.add(approved)
    with changed() as cleared:
        theme.contributions.clear()

    assert (private.value, public.value, cleared.value) == (0, 1, 1)


def test_an_admin_save_with_five_inline_rows_updates_the_stamp_once(organiser_client, programme, changed):
    session = programme["session"]
    forum = session.roundtable.forum
    day = forum_time(forum, 0, 9).strftime("%Y-%m-%d")
    data = admin_change_data(
        organiser_client,
        session,
        starts_at_0=day,
        starts_at_1="09:30",
        ends_at_0=day,
        ends_at_1="11:00",
        **{"issues-TOTAL_FORMS": "6"},
    )
    assert (data["issues-INITIAL_FORMS"], data["issues-0-id"]) == ("1", str(programme["issue"].pk))
    for n in range(1, 6):
        data.update(
            {f"issues-{n}-kind": "main_issue", f"issues-{n}-text_en": f"Issue {n}", f"issues-{n}-position": n + 1}
        )

    with CaptureQueriesContext(connection) as queries, changed() as delta:
        response = organiser_client.post(f"/admin/programme_sessions/session/{session.pk}/change/", data)

    assert response.status_code == 302, response.context["errors"] if response.context else response
    assert session.issues.count() == 6  # the fixture's issue and the five new ones
    assert Session.objects.get(pk=session.pk).starts_at == forum_time(forum, 0, 9, 30)
    assert (len(_stamp_updates(queries.captured_queries)), delta.value) == (1, 1)


def test_a_failed_bump_is_logged_and_the_change_still_saved(programme, monkeypatch, caplog):
    from core import programme_version as cache

    def broken_bump(**kwargs):
        raise DatabaseError("the stamp row is locked")

    monkeypatch.setattr(cache, "programme_bump", broken_bump)

    _rename(programme["session"], value="Saved anyway")

    assert Session.objects.get(pk=programme["session"].pk).title == "Saved anyway"
    assert [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "django.db.backends.base"] == [
        (
            "ERROR",
            "Error calling _bump_callback.<locals>.programme_bump_on_commit in on_commit() (the stamp row is locked).",
        )
    ]


def test_programme_version_changed_is_sent_once_per_committed_transaction(programme):
    received = []

    def receiver(sender, using, **kwargs):
        received.append((using, programme_version()))

    programme_version_changed.connect(receiver)
    try:
        with transaction.atomic():
            _rename(programme["session"])
            make_issue(session=programme["session"])
        with pytest.raises(RuntimeError):
            _rename_then_fail(programme["forum"], field="name", value="Rolled back")
    finally:
        programme_version_changed.disconnect(receiver)

    assert received == [("default", programme_version())]
