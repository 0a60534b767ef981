import pytest
from django.test import RequestFactory
from django.urls import reverse

from core.security import client_address
from tests.factories import make_user

ORGANISER_PASSWORD = "the-right-password-2009"
OWN_PASSWORD = "my-own-password-2009"
THROTTLED = "Too many failed attempts to log in. For your account's safety, please wait 15 minutes and try again."
FULLWIDTH_ORGANISER = "\uff4frganiser"  # "ｏrganiser": the login form reads it as "organiser" (NFKC)


@pytest.fixture
def staff(db):
    return make_user(username="organiser", password=ORGANISER_PASSWORD, is_staff=True)


@pytest.fixture
def own_account(db):
    """The attacker's own staff account, whose password they know."""
    return make_user(username="visitor", password=OWN_PASSWORD, is_staff=True)


def _login(client, username, password, address="192.0.2.10", **extra):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
        **extra,
    )


def _outcome(response):
    """What a login POST came to: "in" (logged in), "wrong" (password refused) or "throttled"."""
    if response.status_code == 302:
        return "in"
    errors = response.context["form"].non_field_errors()
    if errors == [THROTTLED]:
        return "throttled"
    assert [error.startswith("Please enter the correct") for error in errors] == [True]
    return "wrong"


def _logged_in_as(client):
    return client.session.get("_auth_user_id")


def test_admin_login_is_paused_after_repeated_failures_even_with_the_right_password(client, staff):
    failures = [_outcome(_login(client, "organiser", f"wrong-{n}")) for n in range(5)]
    blocked = _login(client, "organiser", ORGANISER_PASSWORD)

    assert failures == ["wrong", "wrong", "wrong", "wrong", "throttled"]
    assert blocked.status_code == 429
    assert blocked.context["form"].non_field_errors() == [THROTTLED]
    assert "Too many failed attempts" in blocked.content.decode()
    assert _logged_in_as(client) is None


def test_admin_login_page_still_opens(client, db):
    response = client.get(reverse("admin:login"))

    assert response.status_code == 200
    assert 'name="username"' in response.content.decode()


def test_admin_login_pause_counts_per_account_across_addresses(client, staff, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for n in range(2):
        _login(client, "organiser", "wrong", address=f"198.51.100.{n}")

    blocked = _login(client, "organiser", ORGANISER_PASSWORD, address="203.0.113.5")

    assert _outcome(blocked) == "throttled"
    assert _logged_in_as(client) is None


def test_admin_login_succeeds_below_the_limit_and_clears_the_count(client, staff):
    typos = [_outcome(_login(client, "organiser", "wrong")) for _ in range(4)]

    first = _login(client, "organiser", ORGANISER_PASSWORD)
    client.logout()
    more_typos = [_outcome(_login(client, "organiser", "wrong")) for _ in range(4)]

    assert typos == ["wrong"] * 4
    assert first.status_code == 302
    assert more_typos == ["wrong"] * 4  # the first four were forgotten: eight typos, no pause


@pytest.mark.parametrize(
    ("guessed_as", "logs_in_as"),
    [("organiser", FULLWIDTH_ORGANISER), (FULLWIDTH_ORGANISER, "organiser")],
    ids=["plain-then-fullwidth", "fullwidth-then-plain"],
)
def test_admin_login_lock_holds_for_every_spelling_of_the_account(client, staff, guessed_as, logs_in_as):
    for n in range(5):
        _login(client, guessed_as, f"guess-{n}", address=f"198.51.100.{n}")

    response = _login(client, logs_in_as, ORGANISER_PASSWORD, address="203.0.113.5")

    assert _outcome(response) == "throttled"
    assert _logged_in_as(client) is None


def test_admin_login_to_ones_own_account_keeps_the_address_failures_at_another(client, staff, own_account):
    guesses = [_outcome(_login(client, "organiser", f"guess-{n}")) for n in range(4)]
    own = _outcome(_login(client, "visitor", OWN_PASSWORD))
    client.logout()

    fifth = _outcome(_login(client, "someone-else", "guess-4"))
    own_again = _outcome(_login(client, "visitor", OWN_PASSWORD))

    assert guesses == ["wrong"] * 4
    assert [own, fifth, own_again] == ["in", "throttled", "throttled"]
    assert _logged_in_as(client) is None


def test_admin_login_guesses_between_logins_to_ones_own_account_stop_at_the_limit(client, staff, own_account):
    """Four guesses at the organiser, one login to one's own account, and again: twenty guesses in all."""
    outcomes = []
    for round_ in range(5):
        for n in range(4):
            outcomes.append(_outcome(_login(client, "organiser", f"guess-{round_}-{n}")))
        _login(client, "visitor", OWN_PASSWORD)
        client.logout()

    found = _login(client, "organiser", ORGANISER_PASSWORD)

    assert outcomes == ["wrong"] * 4 + ["throttled"] * 16
    assert _outcome(found) == "throttled"
    assert _logged_in_as(client) is None


def test_admin_login_guesses_at_many_accounts_between_own_logins_stop_at_the_limit(client, own_account):
    """Spraying: each round guesses four of five accounts once, then logs into one's own; no account reaches the
    limit in twenty guesses, and the twentieth is the right password of the account it tries."""
    members = [make_user(username=f"member{n}", password=f"member-{n}-password", is_staff=True) for n in range(5)]
    outcomes = []
    for round_ in range(5):
        for n in range(4):
            member = members[(round_ + n) % 5]
            last = (round_, n) == (4, 3)
            password = f"member-{member.username[-1]}-password" if last else f"guess-{round_}-{n}"
            outcomes.append(_outcome(_login(client, member.username, password)))
        _login(client, "visitor", OWN_PASSWORD)
        client.logout()

    assert outcomes == ["wrong"] * 4 + ["throttled"] * 16


def test_admin_login_by_the_owner_elsewhere_gives_no_fresh_guesses_here(client, staff):
    guesses = [_outcome(_login(client, "organiser", f"guess-{n}", address="198.51.100.7")) for n in range(4)]
    owner = _outcome(_login(client, "organiser", ORGANISER_PASSWORD, address="203.0.113.5"))
    client.logout()

    fifth = _outcome(_login(client, "organiser", "guess-4", address="198.51.100.7"))
    sixth = _outcome(_login(client, "organiser", ORGANISER_PASSWORD, address="198.51.100.7"))

    assert guesses == ["wrong"] * 4
    assert [owner, fifth, sixth] == ["in", "throttled", "throttled"]


def test_admin_login_throttle_counts_the_address_the_trusted_proxy_appended(client, own_account, settings):
    """Behind one proxy, rotating a first X-Forwarded-For hop the client writes gives no fresh address."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXY_COUNT = 1
    proxied = {"address": "127.0.0.1"}

    guesses = [
        _outcome(_login(client, f"member{n}", "guess", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.5", **proxied))
        for n in range(6)
    ]
    own = _outcome(
        _login(client, "visitor", OWN_PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.99, 203.0.113.5", **proxied)
    )
    neighbour = _outcome(_login(client, "visitor", OWN_PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.6", **proxied))

    assert guesses == ["wrong"] * 4 + ["throttled"] * 2
    assert [own, neighbour] == ["throttled", "in"]


@pytest.mark.parametrize(
    ("username", "field_errors"),
    [
        ("\u0390" * 150, ["__all__"]),  # 150 characters after normalisation: checked, and counted
        ("\ufb03" * 150, ["username"]),  # "ﬃ" normalises to "ffi": 450 characters, refused by the form
        ("x" * 5000, ["username"]),
        ("organ\x00iser", ["username"]),
    ],
    ids=["long-greek", "ligatures", "very-long", "nul"],
)
def test_admin_login_with_odd_names_is_refused_cleanly(client, staff, username, field_errors):
    response = _login(client, username, ORGANISER_PASSWORD)

    assert response.status_code == 200
    assert sorted(response.context["form"].errors) == field_errors
    assert _logged_in_as(client) is None


def test_failed_logins_are_listed_for_superusers_under_the_normalised_name(client, staff):
    from django.test import Client

    _login(client, FULLWIDTH_ORGANISER, "guess", address="198.51.100.7")
    admin = Client()
    admin.force_login(make_user(username="root", is_staff=True, is_superuser=True))

    response = admin.get(reverse("admin:axes_accessattempt_changelist"))

    assert response.status_code == 200
    assert [(a.username, a.ip_address, a.failures_since_start) for a in response.context["cl"].result_list] == [
        ("organiser", "198.51.100.7", 1)
    ]


@pytest.mark.parametrize(
    ("proxies", "remote_addr", "forwarded_for", "expected"),
    [
        (0, "192.0.2.1", None, "192.0.2.1"),
        (0, "192.0.2.1", "198.51.100.9", "192.0.2.1"),
        (1, "127.0.0.1", "198.51.100.9, 203.0.113.7", "203.0.113.7"),
        (1, "127.0.0.1", "203.0.113.7", "203.0.113.7"),
        (1, "127.0.0.1", None, "127.0.0.1"),
        (1, "127.0.0.1", "198.51.100.9, not-an-address", "127.0.0.1"),
        (1, "127.0.0.1", '1.1.1.1, ", 203.0.113.7', "203.0.113.7"),
        (2, "10.0.0.2", "198.51.100.9, 203.0.113.7, 10.0.0.1", "203.0.113.7"),
        (2, "10.0.0.2", "203.0.113.7", "10.0.0.2"),
        (1, "127.0.0.1", "198.51.100.9,  2001:db8::7 ", "2001:db8::7"),
        (0, "::ffff:192.0.2.1", None, "192.0.2.1"),
        (0, "", None, None),
    ],
    ids=[
        "remote-addr",
        "header-ignored-without-proxy",
        "hop-appended-by-the-proxy",
        "single-hop",
        "no-header",
        "garbage-where-the-proxy-writes",
        "quote-written-by-the-client",
        "two-proxies",
        "fewer-hops-than-proxies",
        "ipv6",
        "ipv4-mapped",
        "no-address",
    ],
)
def test_client_address_is_the_hop_the_nearest_trusted_proxy_wrote(
    settings, proxies, remote_addr, forwarded_for, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    headers = {} if forwarded_for is None else {"HTTP_X_FORWARDED_FOR": forwarded_for}

    request = RequestFactory().post("/", REMOTE_ADDR=remote_addr, **headers)

    assert client_address(request) == expected


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
