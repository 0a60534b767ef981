import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from sessions.models import Issue, Session
from tests.factories import (
    forum_time,
    make_forum,
    make_issue,
    make_participation,
    make_room,
    make_roundtable,
    make_session,
)


@pytest.mark.django_db
def test_session_code_joins_roundtable_and_session_numbers():
    session = make_session(roundtable=make_roundtable(number=2), number=3)

    assert session.code == "2.3"


@pytest.mark.django_db
def test_duplicate_session_code_in_a_forum_is_refused():
    roundtable = make_roundtable(number=1)
    make_session(roundtable=roundtable, number=2, slug="first")

    with pytest.raises(IntegrityError), transaction.atomic():
        make_session(roundtable=roundtable, number=2, slug="second")


@pytest.mark.django_db
def test_duplicate_session_code_is_a_form_error():
    roundtable = make_roundtable(number=1)
    make_session(roundtable=roundtable, number=2, slug="first")
    duplicate = Session(roundtable=roundtable, number=2, title="Again", slug="second")

    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()

    assert "__all__" in error.value.message_dict


@pytest.mark.django_db
def test_same_session_code_in_another_forum_is_allowed():
    first = make_session(roundtable=make_roundtable(number=1), number=1)

    second = make_session(roundtable=make_roundtable(number=1), number=1)

    assert first.code == second.code == "1.1"


@pytest.mark.django_db
def test_session_outside_forum_dates_is_refused():
    forum = make_forum(starts_on=datetime.date(2009, 11, 2), ends_on=datetime.date(2009, 11, 3))
    session = Session(
        roundtable=make_roundtable(forum=forum),
        number=1,
        title="Late",
        slug="late",
        starts_at=forum_time(forum, 2, 9),
        ends_at=forum_time(forum, 2, 10),
    )

    with pytest.raises(ValidationError) as error:
        session.full_clean()

    assert set(error.value.message_dict) == {"starts_at"}


@pytest.mark.django_db
def test_session_on_the_forum_last_evening_in_its_time_zone_is_accepted():
    forum = make_forum(
        starts_on=datetime.date(2009, 11, 2), ends_on=datetime.date(2009, 11, 3), time_zone="Europe/Athens"
    )
    # 23:00-23:59 on the last day in Athens (21:00 UTC) is still inside the forum.
    session = Session(
        roundtable=make_roundtable(forum=forum),
        number=1,
        title="Evening",
        slug="evening",
        starts_at=forum_time(forum, 1, 23),
        ends_at=forum_time(forum, 1, 23, 59),
    )

    session.full_clean()


@pytest.mark.django_db
def test_session_ending_before_it_starts_is_refused_by_the_database():
    forum = make_forum()

    with pytest.raises(IntegrityError), transaction.atomic():
        make_session(
            roundtable=make_roundtable(forum=forum),
            starts_at=forum_time(forum, 0, 11),
            ends_at=forum_time(forum, 0, 10),
        )


@pytest.mark.django_db
def test_session_with_start_but_no_end_is_a_form_error():
    forum = make_forum()
    session = Session(
        roundtable=make_roundtable(forum=forum), number=1, title="T", slug="t", starts_at=forum_time(forum, 0, 9)
    )

    with pytest.raises(ValidationError) as error:
        session.full_clean()

    assert "ends_at" in error.value.message_dict


@pytest.mark.django_db
def test_session_room_must_belong_to_its_forum():
    session = make_session()
    session.room = make_room()

    with pytest.raises(ValidationError) as error:
        session.full_clean()

    assert set(error.value.message_dict) == {"room"}


@pytest.mark.django_db
def test_roundtable_with_sessions_cannot_be_deleted():
    session = make_session()

    with pytest.raises(ProtectedError):
        session.roundtable.delete()


@pytest.mark.django_db
def test_person_with_a_role_cannot_be_deleted():
    participation = make_participation()

    with pytest.raises(ProtectedError):
        participation.person.delete()


@pytest.mark.django_db
def test_sub_point_without_parent_is_refused_by_the_database():
    session = make_session()

    with pytest.raises(IntegrityError), transaction.atomic():
        Issue.objects.create(session=session, kind=Issue.Kind.POINT, text="Orphan")


@pytest.mark.django_db
def test_sub_points_nest_only_one_level():
    issue = make_issue()
    point = make_issue(parent=issue)
    deeper = Issue(session=issue.session, parent=point, kind=Issue.Kind.POINT, text="Too deep")

    with pytest.raises(ValidationError) as error:
        deeper.full_clean()

    assert set(error.value.message_dict) == {"parent"}


@pytest.mark.django_db
def test_sub_point_of_another_session_is_refused():
    issue = make_issue()
    stray = Issue(session=make_session(), parent=issue, kind=Issue.Kind.POINT, text="Elsewhere")

    with pytest.raises(ValidationError) as error:
        stray.full_clean()

    assert set(error.value.message_dict) == {"parent"}


@pytest.mark.django_db
def test_a_document_has_one_file_per_language():
    from sessions.models import DocumentFile
    from tests.factories import make_document

    document = make_document(session=make_session(), language="fr")

    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentFile.objects.create(document=document, language="fr", file="documents/2099/again.pdf")
