"""Outages: an unreachable Redis makes pages uncached, not broken; an unreachable database answers 503."""

import json
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
import redis
from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connections

from core import outage
from tests.factories import make_forum, make_roundtable, make_session, make_user

ROOT = Path(__file__).resolve().parents[2]
CLOSED_PORT = "redis://127.0.0.1:1/0"  # nothing listens there: every connection is refused
ROUNDTABLE_URL = "/en/forums/lisbon-2099/roundtables/labour-mobility/"


def _redis_cache(location, backend="core.cache_backends.ResilientRedisCache"):
    return {
        "default": {
            "BACKEND": backend,
            "LOCATION": location,
            "KEY_PREFIX": "gfmd-test",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@pytest.fixture(autouse=True)
def _fresh_outage_log():
    """Each test sees its own first log line: the once-a-minute memory starts empty."""
    outage._last_logged.clear()
    yield
    outage._last_logged.clear()


@pytest.fixture
def redis_down(settings):
    settings.REDIS_URL = CLOSED_PORT
    settings.CACHES = _redis_cache(CLOSED_PORT)


@pytest.fixture
def lisbon(db):
    forum = make_forum(slug="lisbon-2099")
    roundtable = make_roundtable(forum=forum, number=1, slug="labour-mobility")
    make_session(roundtable=roundtable, number=1, title="Decent work", slug="decent-work")
    return roundtable


def _records(caplog, name):
    return [(record.levelname, record.getMessage()) for record in caplog.records if record.name == name]


# Redis unreachable -----------------------------------------------------------------------------------------


def test_settings_with_redis_use_the_backend_that_survives_an_outage():
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL"}}
    env.update(REDIS_URL="redis://127.0.0.1:6379/3", SECRET_KEY="x" * 50, ALLOWED_HOSTS="testserver")
    script = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"

    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )

    assert result.stdout.strip().splitlines()[-1] == "core.cache_backends.ResilientRedisCache", result.stderr


def test_public_pages_are_made_without_an_unreachable_redis(client, lisbon, redis_down, caplog):
    responses = [client.get(ROUNDTABLE_URL) for _ in range(3)]
    calendar = client.get("/en/forums/lisbon-2099/calendar.ics")

    assert [response.status_code for response in responses] == [200, 200, 200]
    assert "Decent work" in responses[2].content.decode()
    assert (calendar.status_code, calendar["Content-Type"]) == (200, "text/calendar; charset=utf-8")
    [(level, message)] = _records(caplog, "core.cache_backends")  # logged once, not per request
    assert level == "ERROR"
    assert message.startswith("Cache unavailable (ConnectionError on get: ")


def test_the_admin_login_works_without_an_unreachable_redis(client, db, redis_down):
    make_user(username="organiser", password="a-long-test-password", is_staff=True)

    wrong = client.post("/admin/login/", {"username": "organiser", "password": "not-the-password"})
    right = client.post(
        "/admin/login/", {"username": "organiser", "password": "a-long-test-password", "next": "/admin/"}
    )

    assert wrong.status_code == 200
    assert "Please enter the correct username and password" in wrong.content.decode()
    assert (right.status_code, right["Location"]) == (302, "/admin/")


def test_healthz_still_reports_an_unreachable_redis(client, db, redis_down):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert json.loads(response.content)["checks"] == {"database": "ok", "cache": "error: ConnectionError"}


def test_an_unreachable_cache_reads_as_empty_and_drops_writes(redis_down, caplog):
    results = {
        "get": cache.get("key", "default"),
        "get_many": cache.get_many(["a", "b"]),
        "has_key": cache.has_key("key"),
        "add": cache.add("key", 1),
        "set": cache.set("key", 1),
        "set_many": cache.set_many({"a": 1, "b": 2}),
        "touch": cache.touch("key"),
        "delete": cache.delete("key"),
        "delete_many": cache.delete_many(["a"]),
        "get_or_set": cache.get_or_set("key", 5),
    }
    with pytest.raises(ValueError, match="the cache is unavailable"):  # as for a key that is not there
        cache.incr("key")

    assert results == {
        "get": "default",
        "get_many": {},
        "has_key": False,
        "add": False,
        "set": None,
        "set_many": ["a", "b"],
        "touch": False,
        "delete": False,
        "delete_many": None,
        "get_or_set": 5,
    }
    assert len(_records(caplog, "core.cache_backends")) == 1


def test_after_a_failure_the_cache_rests_a_few_seconds_then_tries_again(redis_down, monkeypatch):
    from core import cache_backends

    clock = {"now": 1000.0}
    attempts = []
    monkeypatch.setattr(cache_backends.time, "monotonic", lambda: clock["now"])
    redis_get = cache_backends.RedisCache.get

    def counting_get(self, *args, **kwargs):
        attempts.append(clock["now"])
        return redis_get(self, *args, **kwargs)

    monkeypatch.setattr(cache_backends.RedisCache, "get", counting_get)

    for step in [0, 4, 2, 1]:
        clock["now"] += step
        cache.get("key")

    assert attempts == [1000.0, 1006.0]  # not at 1004 (resting), again at 1006, then resting until 1011


def test_the_cache_works_as_usual_when_redis_answers(settings):
    location = "redis://127.0.0.1:6379/13"
    try:
        redis.Redis.from_url(location, socket_connect_timeout=0.5).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.CACHES = _redis_cache(location)

    cache.set("key", {"value": 1}, 10)
    stored = cache.get("key")
    cache.probe()
    cache.delete("key")

    assert stored == {"value": 1}
    assert cache.get("key") is None


# Database unreachable --------------------------------------------------------------------------------------


@pytest.fixture
def database_down(lisbon):
    """``database_down(OperationalError)``: from then on every query raises it, as when the server is gone.
    Undone before the test database is rolled back."""
    patches = []

    def broken(error_class):
        error = error_class("could not connect to server: Connection refused")
        patches.append(mock.patch.object(connections["default"], "cursor", side_effect=error))
        patches[-1].start()

    yield broken
    for patch in patches:
        patch.stop()


@pytest.mark.parametrize("error_class", [OperationalError, InterfaceError])
def test_a_public_page_answers_503_with_the_sites_page_when_the_database_is_down(
    client, database_down, error_class, caplog
):
    database_down(error_class)

    responses = [client.get(ROUNDTABLE_URL), client.get("/en/forums/")]

    page = responses[0].content.decode()
    assert [(r.status_code, r["Retry-After"], r["Content-Type"]) for r in responses] == [
        (503, "30", "text/html; charset=utf-8")
    ] * 2
    assert "<h1>The programme is temporarily unavailable</h1>" in page
    assert '<html lang="en">' in page
    assert '<a class="brand" href="/en/">GFMD Civil Society Days</a>' in page  # the site's own header
    assert f'href="{ROUNDTABLE_URL}">Try again</a>' in page
    assert "no-store" in responses[0]["Cache-Control"]
    assert "Content-Security-Policy" in responses[0]
    [(level, message)] = _records(caplog, "core.outage")  # once, not per request
    assert (level, message.split(" at ")[0]) == (
        "ERROR",
        f"Database unavailable ({error_class.__name__}: could not connect to server: Connection refused)",
    )


def test_the_503_page_speaks_the_language_of_the_address(client, database_down):
    database_down(OperationalError)

    response = client.get("/fr/forums/lisbon-2099/")

    page = response.content.decode()
    assert response.status_code == 503
    assert '<html lang="fr">' in page
    assert "<h1>Le programme est momentanément indisponible</h1>" in page
    assert 'href="/fr/forums/lisbon-2099/">Réessayer</a>' in page


def test_the_admin_login_answers_503_when_the_database_is_down(client, database_down):
    database_down(OperationalError)

    response = client.post("/admin/login/", {"username": "organiser", "password": "a-long-test-password"})

    assert (response.status_code, response["Retry-After"]) == (503, "30")


def test_other_database_errors_stay_server_errors(client, database_down):
    database_down(DatabaseError)
    client.raise_request_exception = False

    response = client.get(ROUNDTABLE_URL)

    assert response.status_code == 500
