import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(*args, **env):
    ours = {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "HTTPS", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {key: value for key, value in os.environ.items() if key not in ours}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_start_up_without_secret_key_stops_with_a_clear_message():
    result = _run("check", ALLOWED_HOSTS="portal.example.org")

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_start_up_without_allowed_hosts_stops_with_a_clear_message():
    result = _run("check", SECRET_KEY="x" * 50)

    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


def test_deploy_check_passes_without_warnings():
    key = "k8Jd2-fQ_p9ZxL0vT3mN7wRb5YcA1eHs6GuK4iOj-Vq8XzW2nP"

    result = _run("check", "--deploy", "--fail-level", "WARNING", SECRET_KEY=key, ALLOWED_HOSTS="portal.example.org")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _conn_max_age(**env):
    result = _run(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DATABASES['default']['CONN_MAX_AGE'])",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="portal.example.org",
        **env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]  # after the note of what the shell imported


def test_a_sqlite_connection_is_kept_between_requests_as_a_postgresql_one_is(tmp_path):
    sqlite = f"sqlite:///{tmp_path / 'portal.sqlite3'}"

    assert _conn_max_age(DATABASE_URL=sqlite) == "60"
    assert _conn_max_age(DATABASE_URL=sqlite, CONN_MAX_AGE="0") == "0"
    assert _conn_max_age(DATABASE_URL="postgres://postgres@127.0.0.1:5432/gfmd") == "60"
