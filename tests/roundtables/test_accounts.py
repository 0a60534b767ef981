import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from core.permissions import ORGANISING_COMMITTEE


@pytest.mark.django_db
def test_organising_committee_group_exists_after_migrate_with_every_programme_permission():
    group = Group.objects.get(name=ORGANISING_COMMITTEE)
    expected = set(
        # contributions: the committee also reviews what civil society sends (contributions/apps.py)
        Permission.objects.filter(
            content_type__app_label__in=["roundtables", "programme_sessions", "contributions"]
        ).values_list("codename", flat=True)
    )

    granted = set(group.permissions.values_list("codename", flat=True))

    assert granted == expected
    assert {"change_session", "add_issue", "delete_participation", "view_forum", "change_document"} <= granted
    assert "change_user" not in granted


@pytest.mark.django_db
def test_ensure_organiser_creates_the_account_and_prints_a_generated_password_once(capsys, monkeypatch):
    monkeypatch.delenv("ORGANISER_PASSWORD", raising=False)

    call_command("ensure_organiser")
    first = capsys.readouterr().out
    call_command("ensure_organiser")
    second = capsys.readouterr().out

    password = next(line.split(":", 1)[1].strip() for line in first.splitlines() if "password:" in line)
    user = get_user_model().objects.get(username="organiser")
    assert user.check_password(password)
    assert user.is_staff
    assert not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == [ORGANISING_COMMITTEE]
    assert "password:" not in second
    assert user.check_password(password)


@pytest.mark.django_db
def test_ensure_organiser_takes_the_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("ORGANISER_PASSWORD", "a-chosen-password-2009")

    call_command("ensure_organiser")

    assert get_user_model().objects.get(username="organiser").check_password("a-chosen-password-2009")
