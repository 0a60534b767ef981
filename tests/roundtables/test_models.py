import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from roundtables.models import Forum
from tests.factories import make_forum, make_roundtable


@pytest.mark.django_db
def test_forum_ending_before_it_starts_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_forum(starts_on=datetime.date(2009, 11, 3), ends_on=datetime.date(2009, 11, 2))


@pytest.mark.django_db
def test_forum_ending_before_it_starts_is_a_form_error():
    forum = Forum(
        name="X",
        slug="x",
        city="Athens",
        country="Greece",
        starts_on=datetime.date(2009, 11, 3),
        ends_on=datetime.date(2009, 11, 2),
        time_zone="Europe/Athens",
    )

    with pytest.raises(ValidationError) as error:
        forum.full_clean()

    assert "ends_on" in error.value.message_dict


@pytest.mark.django_db
def test_forum_with_unknown_time_zone_is_refused():
    forum = make_forum()
    forum.time_zone = "Mars/Olympus"

    with pytest.raises(ValidationError) as error:
        forum.full_clean()

    assert set(error.value.message_dict) == {"time_zone"}


@pytest.mark.django_db
def test_roundtable_number_is_unique_in_its_forum():
    roundtable = make_roundtable(number=1)

    with pytest.raises(IntegrityError), transaction.atomic():
        make_roundtable(forum=roundtable.forum, number=1, slug="other")


@pytest.mark.django_db
def test_roundtable_number_may_repeat_in_another_forum():
    first = make_roundtable(number=1)

    second = make_roundtable(number=1)

    assert (first.number, second.number) == (1, 1)
    assert first.forum != second.forum


@pytest.mark.django_db
def test_forum_with_roundtables_cannot_be_deleted():
    from django.db.models import ProtectedError

    roundtable = make_roundtable()

    with pytest.raises(ProtectedError):
        roundtable.forum.delete()
