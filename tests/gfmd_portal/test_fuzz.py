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
    """No server error, and input with markup characters never comes back verbatim in a page."""
    assert response.status_code in OK_STATUSES, (response.status_code, raw)
    if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
        body = response.content.decode(errors="replace")
        if any(char in raw for char in "<>\"'") and len(raw) > 1:
            assert raw not in body, raw
        for tag in ("<script>alert", "<img src=x"):
            if tag in raw:
                assert tag not in body, raw


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


@FUZZ
@given(query=TEXT, language=st.sampled_from(["en", "fr", "es"]))
def test_fuzzed_search_never_fails_and_never_reflects_markup(public_client, query, language):
    response = public_client.get(f"/{language}/search/", {"q": query})

    _assert_safe(response, query)


# A cookie travels as bytes in HTTP: browsers send visible ASCII, which is what the fuzzer tries.
COOKIE = st.one_of(NASTY, st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=60))


@FUZZ
@given(session=TEXT, action=TEXT, next_url=TEXT, cookie=COOKIE)
def test_fuzzed_agenda_requests_never_fail(public_client, session, action, next_url, cookie):
    public_client.cookies["agenda"] = cookie

    toggled = public_client.post("/en/agenda/toggle/", {"session": session, "action": action, "next": next_url})
    agenda = public_client.get("/en/agenda/")
    calendar = public_client.get("/en/agenda/calendar.ics", {"sessions": session})

    assert toggled.status_code in {302, 303, 400, 404, 409}
    if toggled.status_code in {302, 303}:
        assert not toggled["Location"].startswith(("//", "http:", "https:", "javascript:"))
    _assert_safe(agenda, cookie)
    assert calendar.status_code in {200, 400, 404}


CONTRIBUTION_FIELDS = [
    "title", "organisation_name", "organisation_kind", "country", "contact_name", "contact_email", "summary",
    "recommendations", "language", "target", "practices-0-country", "practices-0-actors",
    "practices-0-description", "practices-0-lesson", "practices-TOTAL_FORMS",
]  # fmt: skip


@FUZZ
@given(values=st.fixed_dictionaries(dict.fromkeys(CONTRIBUTION_FIELDS, TEXT)))
def test_fuzzed_contribution_form_re_renders_escaped_or_accepts(public_client, values):
    data = {"practices-INITIAL_FORMS": "0", "practices-MIN_NUM_FORMS": "1", "practices-MAX_NUM_FORMS": "10"}
    data.update({key: value.replace("\x00", "") for key, value in values.items()})

    response = public_client.post("/en/contribute/", data, REMOTE_ADDR="192.0.2.77")

    assert response.status_code in {200, 302, 400, 429}
    if response.status_code == 200:
        for value in values.values():
            _assert_safe(response, value)
