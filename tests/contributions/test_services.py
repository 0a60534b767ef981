import datetime
import threading
import time

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction

from contributions import services
from contributions.models import Contribution
from contributions.services import (
    contribution_approve,
    contribution_reject,
    contribution_reviewers_ensure,
    contribution_submit,
)
from core.programme_version import programme_version
from programme.services import contributions_load_demo
from roundtables.models import Forum, Theme
from tests.contributions.factories import make_contribution
from tests.factories import make_forum, make_roundtable, make_session, make_user

PRACTICE = {"country": "Ghana", "actors": "Home town associations", "description": "Built a school.", "lesson": "Ask."}


def _submit(**overrides):
    values = {
        "forum": make_forum(name="Athens 2009"),
        "title": "Home town associations",
        "organisation_name": "Diaspora Forum",
        "organisation_kind": "diaspora",
        "country": "Greece",
        "contact_name": "Kofi",
        "contact_email": "kofi@example.org",
        "summary": "Summary.",
        "language": "en",
        "practices": [PRACTICE],
    }
    values.update(overrides)
    return contribution_submit(**values)


def test_submit_records_a_pending_contribution_with_a_unique_slug(db):
    first = _submit()
    second = _submit()

    assert [(c.slug, c.status) for c in (first, second)] == [
        ("home-town-associations", "pending"),
        ("home-town-associations-2", "pending"),
    ]
    assert list(first.practices.values("country", "actors", "description", "lesson", "position")) == [
        {**PRACTICE, "position": 1}
    ]


@pytest.fixture
def slug_race(monkeypatch):
    """Let another submission with the same title take the slug ours computed, just before ours inserts
    it, as a parallel request does; ``slug_race(times=n, forum=…)`` does it to the next n computations."""

    def start(*, forum, times):
        compute = services._unique_slug
        taken = []

        def computed_then_taken(title):
            slug = compute(title)
            if len(taken) < times:
                taken.append(make_contribution(forum=forum, title=title, slug=slug, status="pending").slug)
            return slug

        monkeypatch.setattr(services, "_unique_slug", computed_then_taken)
        return taken

    return start


def test_submit_takes_the_next_slug_when_parallel_submissions_take_it_first(db, slug_race):
    forum = make_forum()
    taken = slug_race(forum=forum, times=2)

    contribution = _submit(forum=forum)

    assert taken == ["home-town-associations", "home-town-associations-2"]
    assert contribution.slug == "home-town-associations-3"
    assert sorted(Contribution.objects.values_list("slug", flat=True)) == [
        "home-town-associations",
        "home-town-associations-2",
        "home-town-associations-3",
    ]
    assert list(contribution.practices.values_list("country", flat=True)) == ["Ghana"]


def test_submit_gives_up_with_a_message_when_every_slug_it_tries_is_taken(db, slug_race):
    forum = make_forum()
    taken = slug_race(forum=forum, times=100)

    with pytest.raises(ValidationError) as error:
        _submit(forum=forum)

    assert error.value.messages == [
        "Many contributions with this title are being sent at this moment: please send yours again."
    ]
    assert taken == ["home-town-associations"] + [f"home-town-associations-{n}" for n in range(2, 11)]
    assert not Contribution.objects.filter(organisation_name="Diaspora Forum").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one writing transaction at a time")
@pytest.mark.django_db(transaction=True)
def test_submit_waiting_on_a_parallel_insert_of_its_slug_takes_the_next_one():
    """The race as it happens on PostgreSQL: another request has inserted the slug and not committed;
    ours finds the slug free, waits on the unique index, and gets an IntegrityError once the other
    commits."""
    forum = make_forum()
    inserted, outcome = threading.Event(), {}

    def other_request():
        try:
            with transaction.atomic():
                make_contribution(forum=forum, title="Home town associations", slug="home-town-associations")
                inserted.set()
                outcome["waited"] = _wait_until_another_transaction_waits_on_ours()
        finally:
            connection.close()

    other = threading.Thread(target=other_request)
    other.start()
    inserted.wait(timeout=10)
    try:
        contribution = _submit(forum=forum)
    finally:
        other.join(timeout=20)

    assert outcome == {"waited": True}
    assert contribution.slug == "home-town-associations-2"
    assert sorted(Contribution.objects.values_list("slug", flat=True)) == [
        "home-town-associations",
        "home-town-associations-2",
    ]


def _wait_until_another_transaction_waits_on_ours(timeout=10):
    """True once a transaction of this database waits for a lock this connection's transaction holds."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pg_backend_pid() = ANY(pg_blocking_pids(pid))"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.02)
    return False


def test_submit_slug_skips_every_taken_number(db):
    forum = make_forum()
    for slug in ["home-town-associations", "home-town-associations-2", "home-town-associations-4"]:
        make_contribution(forum=forum, slug=slug)

    contribution = _submit(forum=forum)

    assert contribution.slug == "home-town-associations-3"


def test_submit_to_a_session_fills_in_its_roundtable(db):
    session = make_session()

    contribution = _submit(forum=session.roundtable.forum, session=session)

    assert (contribution.roundtable, contribution.session) == (session.roundtable, session)


def test_submit_refuses_a_session_of_another_forum(db):
    session = make_session()

    with pytest.raises(ValidationError) as error:
        _submit(session=session)

    assert error.value.message_dict == {
        "roundtable": ["Choose a roundtable of this contribution's forum."],
        "session": ["Choose a session of this contribution's forum."],
    }


def test_submit_refuses_a_roundtable_of_another_forum(db):
    with pytest.raises(ValidationError) as error:
        _submit(roundtable=make_roundtable())

    assert error.value.message_dict == {"roundtable": ["Choose a roundtable of this contribution's forum."]}


def test_submit_needs_a_practice(db):
    with pytest.raises(ValidationError) as error:
        _submit(practices=[])

    assert error.value.messages == ["Share at least one good practice."]
    assert Contribution.objects.count() == 0


def test_submit_acknowledges_receipt_once_committed(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _submit()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert (message.to, message.subject, message.from_email) == (
        ["kofi@example.org"],
        "We have received your contribution “Home town associations”",
        "programme@localhost",
    )
    assert message.body == (
        "Hello,\n\n"
        "Thank you for your contribution “Home town associations” to Athens 2009.\n\n"
        "The organising committee will review it before it is published on the portal. "
        "We will write to you again once it has been reviewed.\n\n"
        "If you did not send this contribution, you can ignore this message: "
        "nothing is published without the committee's review.\n\n"
        "The organising committee of the GFMD Civil Society Days\n\n"
    )


def test_receipt_links_to_the_forum_page_under_the_portal_address(db, django_capture_on_commit_callbacks):
    forum = make_forum(name="Athens 2009", slug="athens-2009")

    with django_capture_on_commit_callbacks(execute=True):
        _submit(forum=forum, base_url="https://gfmd.example/", language="fr")

    assert "\nhttps://gfmd.example/fr/forums/athens-2009/\n" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("title", "quoted"),
    [
        ("Home town associations", "Home town associations"),
        ("Line one\nline two\r\n\tthree", "Line one line two three"),
        ("Right\u202eto left\u200b and\u2028back", "Right to left and back"),
        (
            "See http://a.example/x, www.b.example and c.example.",
            "See [link removed] [link removed] and [link removed]",
        ),
        ("Write to me@example.org", "Write to [link removed]"),
        ("Migration 2.0, e.g. in the U.S.", "Migration 2.0, e.g. in the U.S."),
        ("x" * 100, "x" * 79 + "…"),
    ],
)
def test_mail_title_is_one_short_line_without_links(title, quoted):
    assert services.mail_title(title) == quoted


def test_mail_is_written_in_the_language_of_the_contribution(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        contribution = _submit(language="fr")

    assert contribution.language == "fr"
    assert len(mail.outbox) == 1


def test_approve_publishes_and_mails_the_public_address(db, django_capture_on_commit_callbacks):
    reviewer = make_user()
    contribution = make_contribution(status="pending", title="Savings", contact_email="a@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        approved = contribution_approve(contribution=contribution, reviewer=reviewer, base_url="https://gfmd.example/")

    approved.refresh_from_db()
    assert (approved.status, approved.reviewed_by, approved.rejection_reason) == ("approved", reviewer, "")
    assert approved.reviewed_at is not None
    assert [(m.to, m.subject) for m in mail.outbox] == [(["a@example.org"], "Your contribution “Savings” is published")]
    assert f"\nhttps://gfmd.example/en/good-practices/{approved.slug}/\n" in mail.outbox[0].body


def test_approve_twice_is_refused(db):
    contribution = make_contribution(status="approved", title="Savings")

    with pytest.raises(ValidationError) as error:
        contribution_approve(contribution=contribution)

    assert error.value.messages == ["“Savings” is already approved."]


def test_reject_needs_a_reason(db):
    contribution = make_contribution(status="pending")

    with pytest.raises(ValidationError) as error:
        contribution_reject(contribution=contribution, reason="   ")

    contribution.refresh_from_db()
    assert error.value.messages == ["Give the reason the submitter will be told."]
    assert contribution.status == "pending"


def test_reject_withdraws_an_approved_contribution_and_says_why(db, django_capture_on_commit_callbacks):
    contribution = make_contribution(status="approved", title="Savings", contact_email="a@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        contribution_reject(contribution=contribution, reason="  Duplicate of an earlier one.  ")

    contribution.refresh_from_db()
    assert (contribution.status, contribution.rejection_reason) == ("rejected", "Duplicate of an earlier one.")
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["a@example.org"], "Your contribution “Savings” was not published")
    ]
    assert "\n\nDuplicate of an earlier one.\n\n" in mail.outbox[0].body


def test_no_mail_without_an_address(db, django_capture_on_commit_callbacks):
    contribution = make_contribution(status="pending", contact_email="")

    with django_capture_on_commit_callbacks(execute=True):
        contribution_approve(contribution=contribution)

    assert mail.outbox == []


def test_a_failing_mail_server_does_not_undo_the_decision(db, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    contribution = make_contribution(status="pending")

    with django_capture_on_commit_callbacks(execute=True):
        contribution_approve(contribution=contribution)

    contribution.refresh_from_db()
    assert contribution.status == "approved"


def test_reviewers_group_gets_every_contribution_permission(db):
    group = contribution_reviewers_ensure()

    codenames = set(
        group.permissions.filter(content_type__app_label="contributions").values_list("codename", flat=True)
    )

    assert codenames == {
        f"{action}_{model}"
        for action in ["add", "change", "delete", "view"]
        for model in ["contribution", "goodpractice"]
    }


@pytest.fixture
def demo(athens):
    forum, contributions = contributions_load_demo()
    return forum, contributions[0]


def test_demo_forum_is_chisinau_2011(demo):
    forum, _ = demo

    assert (
        forum.slug,
        forum.name,
        forum.city,
        forum.country,
        forum.starts_on,
        forum.ends_on,
        forum.time_zone,
        forum.status,
        forum.roundtables.count(),
    ) == (
        "chisinau-2011",
        "GFMD meeting, Chisinau 2011",
        "Chisinau",
        "Moldova",
        datetime.date(2011, 10, 12),
        datetime.date(2011, 10, 13),
        "Europe/Chisinau",
        "published",
        0,
    )
    assert "The portal keeps the contribution the Joint Migration and Development Initiative sent" in forum.description
    assert forum.description.endswith("the meeting's own roundtable programme is not in the portal.")


def test_demo_contribution_is_the_jmdi_paper_with_its_three_practices(demo):
    forum, contribution = demo

    assert (contribution.forum, contribution.status, contribution.organisation_kind, contribution.language) == (
        forum,
        "approved",
        "international",
        "en",
    )
    assert contribution.organisation_name == "Joint Migration and Development Initiative (JMDI)"
    assert contribution.title == (
        "Good practices in engaging non-governmental actors in migration related development policies"
    )
    practices = list(contribution.practices.order_by("position"))
    assert [p.country for p in practices] == ["Georgia", "Sri Lanka", "Moldova"]
    assert "Ministry of Labour, Health and Social Affairs" in practices[0].actors
    assert "qualified returnees" in practices[0].description
    assert "Central Bank of Sri Lanka" in practices[1].actors
    assert "rechargeable remittance cards" in practices[1].description
    assert "steering committees" in practices[2].description
    assert "long-term commitment" in practices[2].lesson
    assert set(contribution.themes.values_list("slug", flat=True)) == {
        "civil-society-engagement",
        "policy-coherence",
        "diaspora",
        "remittances",
        "return-and-reintegration",
    }
    recommendations = contribution.recommendations.split("\n\n")
    assert len(recommendations) == 6
    assert recommendations[0] == (
        "Policymakers, at a local and national level, need to collaborate with non-governmental actors to obtain "
        "contextual evidence necessary to formulate and implement pertinent M&D policies."
    )
    assert recommendations[2] == (
        "Cooperation with non-governmental actors can guide policymakers towards innovative and interesting "
        "policies that might have escaped them otherwise."
    )


def test_demo_loads_twice_without_changing_anything(demo):
    version = programme_version()
    snapshot = list(Contribution.objects.values()), list(Forum.objects.values())

    contributions_load_demo()

    assert programme_version() == version
    assert (list(Contribution.objects.values()), list(Forum.objects.values())) == snapshot


def test_demo_puts_back_what_was_edited(demo):
    _, contribution = demo
    contribution.practices.order_by("position").first().delete()
    contribution.themes.clear()
    Contribution.objects.filter(pk=contribution.pk).update(title="Edited")

    contributions_load_demo()

    contribution.refresh_from_db()
    assert contribution.title.startswith("Good practices in engaging")
    assert [p.country for p in contribution.practices.order_by("position")] == ["Georgia", "Sri Lanka", "Moldova"]
    assert contribution.themes.count() == 5


def test_demo_needs_the_themes_of_the_athens_programme(db):
    with pytest.raises(ValidationError) as error:
        contributions_load_demo()

    assert error.value.messages == [
        "Unknown themes civil-society-engagement, policy-coherence, diaspora, remittances, return-and-reintegration: "
        "load the programme that defines them first."
    ]
    assert Forum.objects.count() == 0


def test_load_programme_command_loads_athens_then_the_demo_idempotently(db, capsys):
    call_command("load_programme")
    version = programme_version()
    counts = (Forum.objects.count(), Contribution.objects.count(), Theme.objects.count())

    call_command("load_programme")

    output = capsys.readouterr().out
    assert counts == (3, 1, Theme.objects.count())  # Athens 2009, Dhaka 2016 and the contributions' forum
    assert (Forum.objects.count(), Contribution.objects.count()) == (3, 1)
    assert programme_version() == version
    assert output.count("GFMD meeting, Chisinau 2011: 1 contributions loaded.") == 2


def test_load_programme_with_another_file_leaves_the_demo_alone(db, tmp_path):
    from programme.management.commands.load_programme import DATA_DIR

    for name in ["athens-2009.json", "concept-note-csd-athens-2009.txt"]:
        (tmp_path / name).write_bytes((DATA_DIR / name).read_bytes())
    path = tmp_path / "athens-2009.json"

    call_command("load_programme", str(path))

    assert (Forum.objects.count(), Contribution.objects.count()) == (1, 0)
