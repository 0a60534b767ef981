"""The committee's dashboard also flags empty published forums, sessions without a background or documents,
and sessions outside the forum's days; a new contribution is announced to the committee by e-mail."""

import datetime

import pytest
from django.urls import reverse

from contributions.services import contribution_submit
from programme.services import contributions_load_demo
from roundtables.models import Forum, Status
from sessions.selectors import forums_for_dashboard
from tests.factories import forum_time, make_document, make_forum, make_roundtable, make_session, make_user

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("admin:roundtables_forum_dashboard")


def _todo(forum):
    [item] = forums_for_dashboard(forum=forum)
    return item


def _titles(sessions):
    return [session.title for session in sessions]


def test_a_published_forum_without_sessions_is_flagged_and_a_draft_one_is_not(organiser_client):
    empty = make_forum(name="Chisinau 2011", status=Status.PUBLISHED)
    make_roundtable(forum=empty)  # a roundtable, but no session
    make_forum(name="Next edition", status=Status.DRAFT)
    full = make_forum(name="Athens 2009", status=Status.PUBLISHED)
    make_session(roundtable=make_roundtable(forum=full))

    flags = {item.forum.name: item.is_published_without_sessions for item in forums_for_dashboard()}
    page = organiser_client.get(DASHBOARD, {"forum": empty.pk}).content.decode()

    assert flags == {"Chisinau 2011": True, "Next edition": False, "Athens 2009": False}
    assert "Published without a session" in page
    assert "Delegates find an empty programme, an empty calendar and an empty booklet." in page


def test_the_demo_chisinau_forum_is_flagged_as_published_without_sessions(athens):
    forum, _contributions = contributions_load_demo()

    item = _todo(forum)

    assert (forum.name, forum.status, item.is_published_without_sessions) == (
        "GFMD meeting, Chisinau 2011",
        Status.PUBLISHED,
        True,
    )


def test_sessions_without_a_background_are_listed(organiser_client):
    roundtable = make_roundtable()
    make_session(roundtable=roundtable, number=1, title="Written", background="Why this session.")
    make_session(roundtable=roundtable, number=2, title="Empty", background="")
    make_session(roundtable=roundtable, number=3, title="Blank", background=" \n ")

    item = _todo(roundtable.forum)
    page = organiser_client.get(DASHBOARD).content.decode()

    assert _titles(item.without_background) == ["Empty", "Blank"]
    assert "Sessions without a background (2)" in page


def test_sessions_without_documents_of_their_own_or_of_their_roundtable_are_listed(organiser_client):
    forum = make_forum()
    with_paper = make_roundtable(forum=forum, number=1)
    without_paper = make_roundtable(forum=forum, number=2)
    own = make_session(roundtable=without_paper, number=1, title="Own document")
    make_session(roundtable=without_paper, number=2, title="No document")
    make_session(roundtable=with_paper, number=1, title="Roundtable's action paper")
    make_document(session=own)
    make_document(roundtable=with_paper, kind="action_paper")
    make_document(forum=forum, kind="concept_note")  # a forum's document is no session's

    item = _todo(forum)
    page = organiser_client.get(DASHBOARD).content.decode()

    assert _titles(item.without_documents) == ["No document"]
    assert "Sessions without documents (none of their own or of their roundtable) (1)" in page


def test_sessions_outside_the_forums_days_after_a_date_change_are_listed(organiser_client):
    forum = make_forum(
        starts_on=datetime.date(2016, 12, 8), ends_on=datetime.date(2016, 12, 10), time_zone="Asia/Dhaka"
    )
    roundtable = make_roundtable(forum=forum)
    make_session(
        roundtable=roundtable,
        number=1,
        title="First morning",
        starts_at=forum_time(forum, 0, 9),
        ends_at=forum_time(forum, 0, 10),
    )
    make_session(
        roundtable=roundtable,
        number=2,
        title="Until midnight",
        starts_at=forum_time(forum, 1, 23),
        ends_at=forum_time(forum, 2, 0),
    )
    make_session(
        roundtable=roundtable,
        number=3,
        title="Last day",
        starts_at=forum_time(forum, 2, 9),
        ends_at=forum_time(forum, 2, 10),
    )
    make_session(roundtable=roundtable, number=4, title="Unscheduled", starts_at=None, ends_at=None)
    # The forum is shortened by a day at each end, as a date change in the forum's form does.
    Forum.objects.filter(pk=forum.pk).update(starts_on=datetime.date(2016, 12, 9), ends_on=datetime.date(2016, 12, 9))
    forum.refresh_from_db()

    item = _todo(forum)
    page = organiser_client.get(DASHBOARD).content.decode()

    assert _titles(item.outside_forum) == ["First morning", "Last day"]
    assert "Sessions outside the forum’s days (2)" in page
    assert "(Thu 8 Dec, 09:00–10:00)" in page


def test_a_forum_with_nothing_missing_counts_no_item(organiser_client):
    roundtable = make_roundtable(background="Written.")
    session = make_session(roundtable=roundtable, room=None)
    make_document(session=session)

    item = _todo(roundtable.forum)

    assert (
        item.without_background,
        item.without_documents,
        item.outside_forum,
        item.is_published_without_sessions,
    ) == ([], [], [], False)


# The committee hears of a new contribution ------------------------------------------------------


def _submit(forum, base_url="https://portal.example.org/"):
    return contribution_submit(
        forum=forum,
        title="Savings groups https://spam.example.com",
        organisation_name="Migrant Voices <script>",
        organisation_kind="diaspora",
        summary="Please click https://spam.example.com",
        practices=[{"country": "Albania", "actors": "Banks", "description": "Meetings.", "lesson": "Trust."}],
        language="fr",
        contact_email="ana@example.org",
        base_url=base_url,
    )


def test_a_new_contribution_is_announced_to_the_committee_without_what_the_sender_typed(
    organiser, mailoutbox, django_capture_on_commit_callbacks
):
    from roundtables.services import organiser_group_ensure

    second = make_user(username="second", email="second@example.org", is_staff=True)
    second.groups.add(organiser_group_ensure())
    make_user(username="gone", email="gone@example.org", is_active=False).groups.add(organiser_group_ensure())
    make_user(username="noaddress", email="").groups.add(organiser_group_ensure())
    make_user(username="outsider", email="outsider@example.org", is_staff=True)
    forum = make_forum(name="Dhaka 2016", time_zone="Asia/Dhaka")

    with django_capture_on_commit_callbacks(execute=True):
        contribution = _submit(forum)

    committee = [mail for mail in mailoutbox if mail.to != ["ana@example.org"]]
    assert [(mail.to, mail.subject) for mail in committee] == [
        (sorted([organiser.email, "second@example.org"]), "New contribution to review: Dhaka 2016")
    ]
    when = contribution.submitted_at.astimezone(forum.zone).strftime("%-d %B %Y, %H:%M")
    admin_path = reverse("admin:contributions_contribution_change", args=[contribution.pk])
    assert committee[0].body == (
        f"A new contribution to Dhaka 2016 was sent on {when} (forum time) and waits for your review:\n"
        f"https://portal.example.org{admin_path}\n"
        "\n"
        "It is published only once someone on the committee approves it.\n"
    )
    assert "spam" not in committee[0].message().as_string()
    assert "Migrant Voices" not in committee[0].message().as_string()


def test_no_committee_address_sends_no_announcement(mailoutbox, django_capture_on_commit_callbacks):
    forum = make_forum()

    with django_capture_on_commit_callbacks(execute=True):
        _submit(forum)

    assert [mail.to for mail in mailoutbox] == [["ana@example.org"]]
