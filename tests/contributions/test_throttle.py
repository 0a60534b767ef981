from django.test import RequestFactory

from contributions.throttle import client_address, submission_record, submissions_exhausted


def test_address_is_remote_addr_by_default():
    request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="198.51.100.9")

    assert client_address(request) == "192.0.2.1"


def test_address_behind_one_trusted_proxy_is_the_hop_it_appended_not_the_first(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().post("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.9, 203.0.113.7")

    assert client_address(request) == "203.0.113.7"


def test_address_is_the_one_the_login_throttle_counts():
    from core import security

    assert client_address is security.client_address


def test_count_is_per_address_and_stops_at_the_limit(settings):
    settings.CONTRIBUTION_RATE_LIMIT = 2

    counts = [submission_record("192.0.2.1"), submission_record("192.0.2.1"), submission_record("192.0.2.2")]

    assert counts == [1, 2, 1]
    assert [submissions_exhausted("192.0.2.1"), submissions_exhausted("192.0.2.2")] == [True, False]


def test_count_lives_in_the_shared_cache_and_ends_with_the_window(settings):
    from django.core.cache import cache

    settings.CONTRIBUTION_RATE_WINDOW = 3600
    submission_record("192.0.2.1")
    stored = cache.get("contributions:submissions:192.0.2.1")
    cache.delete("contributions:submissions:192.0.2.1")  # what expiry does at the end of the window

    assert stored == 1
    assert submission_record("192.0.2.1") == 1
