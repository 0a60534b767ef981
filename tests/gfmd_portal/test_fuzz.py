"""Fuzzing the public surface: whatever a visitor types into an address, the portal answers
without a server error and without reflecting the input unescaped."""

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], derandomize=True
)
NASTY = st.sampled_from(
    ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "../../etc/passwd", "%00", "' OR 1=1 --", "ü", ""]
)
TEXT = st.one_of(NASTY, st.text(min_size=0, max_size=40))
OK_STATUSES = {200, 301, 302, 400, 404}


def _assert_safe(response, raw):
    assert response.status_code in OK_STATUSES, (response.status_code, raw)
    if response.status_code == 200 and "text/html" in response.get("Content-Type", "") and len(raw) > 3:
        body = response.content.decode(errors="replace")
        for dangerous in ("<script>", "<img", "onerror="):
            if dangerous in raw:
                assert dangerous not in body.replace('<script src="', ""), raw


@pytest.fixture
def public_client(client, athens):
    client.raise_request_exception = True
    return client


@FUZZ
@given(segment=TEXT, language=st.sampled_from(["en", "fr", "es", "de", "xx", ""]))
def test_fuzzed_slugs_in_public_addresses_never_fail(public_client, segment, language):
    slug = quote(segment, safe="")
    prefix = f"/{language}" if language else ""
    addresses = [
        f"{prefix}/forums/{slug}/",
        f"{prefix}/forums/athens-2009/roundtables/{slug}/",
        f"{prefix}/forums/athens-2009/roundtables/migration-development-nexus/{slug}/",
        f"{prefix}/themes/{slug}/",
        f"{prefix}/people/{slug}/",
        f"{prefix}/{slug}",
    ]

    for address in addresses:
        _assert_safe(public_client.get(address), segment)


@FUZZ
@given(key=st.text(min_size=1, max_size=12), value=TEXT)
def test_fuzzed_query_parameters_never_fail(public_client, key, value):
    addresses = ["/en/forums/", "/en/forums/athens-2009/", "/en/forums/athens-2009/programme/", "/en/themes/"]

    for address in addresses:
        _assert_safe(public_client.get(address, {key: value}), value)
