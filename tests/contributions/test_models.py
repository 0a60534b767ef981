import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from contributions.models import Contribution, GoodPractice
from tests.contributions.factories import make_contribution, make_practice


@pytest.mark.parametrize(
    ("changes", "constraint"),
    [
        ({"status": "rejected", "rejection_reason": ""}, "contribution_rejection_has_reason"),
        ({"status": "approved", "reviewed_at": None}, "contribution_review_is_dated"),
        (
            {"status": "published", "reviewed_at": datetime.datetime(2011, 10, 12, tzinfo=datetime.UTC)},
            "contribution_status_known",
        ),
        ({"organisation_kind": "party"}, "contribution_kind_known"),
        ({"language": "de"}, "contribution_language_known"),
        ({"summary": "x" * 5001}, "contribution_summary_length"),
        ({"recommendations": "x" * 5001}, "contribution_recommendations_length"),
    ],
)
def test_database_refuses_an_invalid_contribution(db, changes, constraint):
    contribution = make_contribution(status="pending")

    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        Contribution.objects.filter(pk=contribution.pk).update(**changes)


@pytest.mark.parametrize(("field", "limit"), [("actors", 1000), ("description", 4000), ("lesson", 2000)])
def test_database_refuses_too_long_practice_texts(db, field, limit):
    practice = make_practice(contribution=make_contribution(practices=0))
    GoodPractice.objects.filter(pk=practice.pk).update(**{field: "x" * limit})

    with pytest.raises(IntegrityError, match=f"practice_{field}_length"), transaction.atomic():
        GoodPractice.objects.filter(pk=practice.pk).update(**{field: "x" * (limit + 1)})


def test_full_clean_reports_a_rejection_without_reason_on_its_field(db):
    contribution = make_contribution(status="pending")
    contribution.status = "rejected"

    with pytest.raises(ValidationError) as error:
        contribution.full_clean()

    assert error.value.message_dict["rejection_reason"] == ["Give the reason the submitter will be told."]


def test_published_means_approved_in_a_published_forum(db):
    from tests.factories import make_forum

    shown = make_contribution()
    make_contribution(status="pending")
    make_contribution(status="rejected")
    make_contribution(forum=make_forum(status="draft"))

    assert list(Contribution.objects.published()) == [shown]


def test_str_and_absolute_url(db):
    contribution = make_contribution(title="Savings groups", slug="savings-groups")
    practice = make_practice(contribution=contribution, country="Albania")

    assert [str(contribution), contribution.get_absolute_url(), str(practice)] == [
        "Savings groups",
        "/en/good-practices/savings-groups/",
        "Albania: Savings groups",
    ]
