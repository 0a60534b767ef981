import pytest
from django.contrib import admin
from django.core import mail
from django.urls import reverse

from contributions.models import Contribution, GoodPractice
from tests.contributions.factories import make_contribution
from tests.factories import make_forum

CHANGELIST = "/admin/contributions/contribution/"


def test_contribution_models_are_in_the_admin():
    assert [model in admin.site._registry for model in (Contribution, GoodPractice)] == [True, True]


@pytest.mark.parametrize("count", [1, 3])
def test_changelist_queries_stay_flat(reviewer_client, django_assert_num_queries, count):
    forum = make_forum()
    for _ in range(count):
        make_contribution(forum=forum, status="pending", practices=2)

    with django_assert_num_queries(12):
        response = reviewer_client.get(CHANGELIST, {"status__exact": "pending"})

    assert response.context["cl"].result_count == count


def test_changelist_filters_by_status(reviewer_client, db):
    pending = make_contribution(status="pending")
    make_contribution(status="approved")

    response = reviewer_client.get(CHANGELIST, {"status__exact": "pending"})

    assert list(response.context["cl"].result_list) == [pending]


def test_approve_action_publishes_and_mails(reviewer_client, db, django_capture_on_commit_callbacks):
    first = make_contribution(status="pending", title="First", contact_email="first@example.org")
    second = make_contribution(status="pending", title="Second", contact_email="second@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer_client.post(
            CHANGELIST, {"action": "approve_selected", "_selected_action": [first.pk, second.pk]}, follow=True
        )

    assert set(Contribution.objects.values_list("status", flat=True)) == {"approved"}
    assert set(Contribution.objects.values_list("reviewed_by", flat=True)) == {reviewer_client.user.pk}
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        ("first@example.org", "Your contribution “First” is published"),
        ("second@example.org", "Your contribution “Second” is published"),
    ]
    assert "2 contributions approved." in response.content.decode()


def test_approve_action_warns_about_an_already_approved_one(reviewer_client, db):
    done = make_contribution(status="approved", title="Done")

    response = reviewer_client.post(
        CHANGELIST, {"action": "approve_selected", "_selected_action": [done.pk]}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == ["“Done” is already approved."]


def test_reject_action_asks_for_a_reason_first(reviewer_client, db):
    contribution = make_contribution(status="pending", title="Spam")

    response = reviewer_client.post(CHANGELIST, {"action": "reject_selected", "_selected_action": [contribution.pk]})

    contribution.refresh_from_db()
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="reason"' in page
    assert f'<input type="hidden" name="_selected_action" value="{contribution.pk}">' in page
    assert contribution.status == "pending"


def test_reject_action_without_a_reason_changes_nothing(reviewer_client, db):
    contribution = make_contribution(status="pending")

    response = reviewer_client.post(
        CHANGELIST,
        {"action": "reject_selected", "_selected_action": [contribution.pk], "apply": "yes", "reason": "  "},
    )

    contribution.refresh_from_db()
    assert response.context["form"].errors == {"reason": ["This field is required."]}
    assert contribution.status == "pending"


def test_reject_action_with_a_reason_rejects_and_mails(reviewer_client, db, django_capture_on_commit_callbacks):
    contribution = make_contribution(status="pending", title="Spam", contact_email="s@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer_client.post(
            CHANGELIST,
            {
                "action": "reject_selected",
                "_selected_action": [contribution.pk],
                "apply": "yes",
                "reason": "Advertising.",
            },
        )

    contribution.refresh_from_db()
    assert (response.status_code, response["Location"]) == (302, CHANGELIST)
    assert (contribution.status, contribution.rejection_reason) == ("rejected", "Advertising.")
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["s@example.org"], "Your contribution “Spam” was not published")
    ]
    assert "\n\nAdvertising.\n\n" in mail.outbox[0].body


def _change_data(contribution, **overrides):
    practice = contribution.practices.get()
    data = {
        "title": contribution.title,
        "slug": contribution.slug,
        "forum": contribution.forum_id,
        "roundtable": "",
        "session": "",
        "language": contribution.language,
        "organisation_name": contribution.organisation_name,
        "organisation_kind": contribution.organisation_kind,
        "country": contribution.country,
        "contact_name": contribution.contact_name,
        "contact_email": contribution.contact_email,
        "summary": contribution.summary,
        "recommendations": contribution.recommendations,
        "review_reason": "",
        "practices-TOTAL_FORMS": "1",
        "practices-INITIAL_FORMS": "1",
        "practices-MIN_NUM_FORMS": "0",
        "practices-MAX_NUM_FORMS": "1000",
        "practices-0-id": practice.pk,
        "practices-0-contribution": contribution.pk,
        "practices-0-position": practice.position,
        "practices-0-country": practice.country,
        "practices-0-actors": practice.actors,
        "practices-0-description": practice.description,
        "practices-0-lesson": practice.lesson,
    }
    data.update(overrides)
    return data


def _change_url(contribution):
    return reverse("admin:contributions_contribution_change", args=[contribution.pk])


def test_change_page_shows_the_private_contact_and_the_decisions(reviewer_client, db):
    contribution = make_contribution(status="pending", contact_email="private@example.org")

    page = reviewer_client.get(_change_url(contribution)).content.decode()

    assert "private@example.org" in page
    assert 'name="_approve"' in page
    assert 'name="_reject"' in page


def test_change_page_edits_then_approves(reviewer_client, db, django_capture_on_commit_callbacks):
    contribution = make_contribution(status="pending", contact_email="a@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer_client.post(
            _change_url(contribution), _change_data(contribution, title="Edited title", _approve="1")
        )

    contribution.refresh_from_db()
    assert response.status_code == 302
    assert (contribution.title, contribution.status) == ("Edited title", "approved")
    assert [m.subject for m in mail.outbox] == ["Your contribution “Edited title” is published"]


def test_change_page_reject_needs_a_reason(reviewer_client, db):
    contribution = make_contribution(status="pending")

    response = reviewer_client.post(_change_url(contribution), _change_data(contribution, _reject="1"))

    contribution.refresh_from_db()
    assert response.context["adminform"].form.errors == {
        "review_reason": ["Give the reason the submitter will be told."]
    }
    assert contribution.status == "pending"


def test_change_page_rejects_with_the_reason(reviewer_client, db, django_capture_on_commit_callbacks):
    contribution = make_contribution(status="pending", title="Off topic", contact_email="a@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        reviewer_client.post(
            _change_url(contribution), _change_data(contribution, _reject="1", review_reason="Not about migration.")
        )

    contribution.refresh_from_db()
    assert (contribution.status, contribution.rejection_reason) == ("rejected", "Not about migration.")
    assert [m.subject for m in mail.outbox] == ["Your contribution “Off topic” was not published"]
    assert "\n\nNot about migration.\n\n" in mail.outbox[0].body


def test_plain_save_keeps_the_status_and_sends_nothing(reviewer_client, db, django_capture_on_commit_callbacks):
    contribution = make_contribution(status="pending")

    with django_capture_on_commit_callbacks(execute=True):
        reviewer_client.post(_change_url(contribution), _change_data(contribution, title="Typo fixed", _save="1"))

    contribution.refresh_from_db()
    assert (contribution.title, contribution.status) == ("Typo fixed", "pending")
    assert mail.outbox == []


def test_status_cannot_be_set_by_posting_it(reviewer_client, db):
    contribution = make_contribution(status="pending")

    reviewer_client.post(_change_url(contribution), _change_data(contribution, status="approved"))

    contribution.refresh_from_db()
    assert contribution.status == "pending"
