"""Headless Chromium (Debian's, never a downloaded build) driven by Playwright against live_server.

One browser serves every test of this package. Between its calls, Playwright's sync API leaves its
event loop marked as running in the test thread, so Django's ORM needs DJANGO_ALLOW_ASYNC_UNSAFE
while the browser is open. Both are scoped to this package rather than to the whole session: once
the browser tests are done the browser closes and the variable is gone again, so it reaches neither
the other tests nor the processes they start (``check --deploy`` refuses to pass with it set).
"""

import pytest
from django.test import override_settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="package", autouse=True)
def _async_unsafe_allowed():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="package")
def _plain_http_server():
    """live_server speaks plain HTTP whatever HTTPS says. Its middleware reads SECURE_SSL_REDIRECT once,
    when the server starts, before any function-scoped settings fixture runs, hence this override."""
    with override_settings(SECURE_SSL_REDIRECT=False):
        yield


@pytest.fixture(scope="package")
def live_server(_plain_http_server, live_server):
    return live_server


@pytest.fixture(scope="package")
def browser(_async_unsafe_allowed):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _new_page(browser, live_server, **options):
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(10_000)
    return context, context.new_page()


@pytest.fixture
def page(browser, live_server):
    context, page = _new_page(browser, live_server)
    yield page
    context.close()


@pytest.fixture
def page_without_js(browser, live_server):
    context, page = _new_page(browser, live_server, java_script_enabled=False)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    context, page = _new_page(
        browser, live_server, viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True
    )
    yield page
    context.close()
