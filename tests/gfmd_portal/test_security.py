import pytest
from django.urls import reverse

from tests.factories import make_user


@pytest.fixture
def staff(db):
    return make_user(username="coordinator", password="the-right-password-2009", is_staff=True)


def _login(client, username, password, address="192.0.2.10"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
    )


def test_admin_login_is_paused_after_repeated_failures_even_with_the_right_password(client, staff, settings):
    settings.LOGIN_FAILURE_LIMIT = 3

    failures = [_login(client, "coordinator", f"wrong-{n}").status_code for n in range(3)]
    blocked = _login(client, "coordinator", "the-right-password-2009")

    assert failures == [200, 200, 200]
    assert blocked.status_code == 200
    assert "Too many failed attempts" in blocked.content.decode()
    assert "_auth_user_id" not in client.session


def test_admin_login_pause_counts_per_account_across_addresses(client, staff, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    for n in range(2):
        _login(client, "coordinator", "wrong", address=f"198.51.100.{n}")

    blocked = _login(client, "coordinator", "the-right-password-2009", address="203.0.113.5")

    assert "Too many failed attempts" in blocked.content.decode()


def test_admin_login_succeeds_below_the_limit_and_clears_the_count(client, staff, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    _login(client, "coordinator", "wrong")
    _login(client, "coordinator", "wrong")

    response = _login(client, "coordinator", "the-right-password-2009")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)


@pytest.mark.django_db
def test_public_pages_carry_security_headers(client, athens):
    response = client.get(athens.get_absolute_url())

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_https_settings_redirect_and_send_hsts(client, athens, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000

    insecure = client.get(athens.get_absolute_url())
    secure = client.get(athens.get_absolute_url(), secure=True)

    assert insecure.status_code == 301
    assert insecure["Location"].startswith("https://")
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.django_db
def test_public_templates_have_no_inline_script_or_style(client, athens):
    import re

    session = athens.roundtables.get(number=1).sessions.get(number=2)
    pages = [athens.get_absolute_url(), session.get_absolute_url(), reverse("roundtables:forum-list")]

    html = "".join(client.get(url).content.decode() for url in pages)

    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert "<style" not in html
    assert re.findall(r"\sstyle=", html) == []
