import pytest


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Tests render templates without a collectstatic manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _plain_http(settings):
    """The test client and live_server speak plain HTTP; HTTPS settings are tested on their own."""
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """Queued tasks (PDF renders) run inside the call that queues them; the tests of the queue itself
    set TASKS back to the database backend."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # A committed change would otherwise render every booklet inside the test that made it.
    settings.PDF_REFRESH_ON_CHANGE = False


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language: a request under /fr/ or /es/ leaves its language active in
    the thread (LocaleMiddleware activates it and nothing deactivates it), which would leak into the next test."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def organiser(db):
    from roundtables.services import organiser_group_ensure
    from tests.factories import make_user

    user = make_user(username="committee", is_staff=True)
    user.groups.add(organiser_group_ensure())
    return user


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    return client


@pytest.fixture
def athens(db):
    """The Athens 2009 programme as shipped with the portal."""
    from programme.management.commands.load_programme import DATA_DIR
    from programme.services import programme_load

    return programme_load(path=DATA_DIR / "athens-2009.json")


@pytest.fixture
def coordinator(db):
    """A staff member in the "Roundtable coordinators" group, assigned to no roundtable yet."""
    from roundtables.services import coordinator_group_ensure
    from tests.factories import make_user

    user = make_user(username="coordinator", is_staff=True)
    user.groups.add(coordinator_group_ensure())
    return user
