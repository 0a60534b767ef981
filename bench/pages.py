"""Requests per second and latency of the public pages under gunicorn: run by hand, never by the tests.

    .venv/bin/python bench/pages.py                       # SQLite, 15 s per case
    .venv/bin/python bench/pages.py --duration 10 --tool python
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gfmd_bench .venv/bin/python bench/pages.py

It prepares a database holding the Athens 2009 demo and a synthetic 300-session forum
(``make_synthetic_forum``), starts gunicorn with 2 workers on 127.0.0.1 (a free port from 8110 to
8119), and loads the programme page and a session page of each forum with 16 connections for a
bounded time, first uncached (gunicorn started with PAGE_CACHE=0, so every request makes the page
anew), then cached (the page cache on, the same address again and again). See bench/README.md.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
PORTS = range(8110, 8120)
SYNTHETIC_SESSIONS = 300

PAGES = [
    ("Athens demo (8 sessions)", "programme", "/en/forums/athens-2009/programme/"),
    (
        "Athens demo (8 sessions)",
        "session",
        "/en/forums/athens-2009/roundtables/migration-development-nexus/key-actors-win-win-solutions/",
    ),
    (f"synthetic ({SYNTHETIC_SESSIONS} sessions)", "programme", "/en/forums/synthetic-forum/programme/"),
    (
        f"synthetic ({SYNTHETIC_SESSIONS} sessions)",
        "session",
        "/en/forums/synthetic-forum/roundtables/roundtable-1/session-1/",
    ),
]
MODES = [("uncached", "0"), ("cached", "1")]


def portal_environment(database_url):
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env.update(
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only-secret-key-not-for-production-use-0123456789"),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DEBUG="0",
        HTTPS="0",
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(RESULTS / "media"),
        LOG_LEVEL="WARNING",
    )
    return env


def manage(env, *args):
    subprocess.run([str(PYTHON), "manage.py", *args], cwd=ROOT, env=env, check=True)


def prepare(env):
    """Migrate, load Athens, (re)build the synthetic forum, collect static files."""
    started = time.perf_counter()
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    manage(env, "load_programme")
    manage(env, "make_synthetic_forum", "--replace", "--sessions", str(SYNTHETIC_SESSIONS))
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    print(f"Prepared the database in {time.perf_counter() - started:.1f} s.", flush=True)


def free_port():
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit(f"No free port from {PORTS.start} to {PORTS.stop - 1}.")


def start_gunicorn(env, port, log_path):
    env = {
        **env,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "1",
        "GUNICORN_ACCESS_LOG": "/dev/null",
    }
    log = open(log_path, "ab")  # noqa: SIM115 (kept open for the server's life, closed in stop_gunicorn)
    server = subprocess.Popen(
        [str(GUNICORN), "--config", "gunicorn.conf.py", "gfmd_portal.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopping it stops its workers
    )
    server.log = log
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited ({server.returncode}); see {log_path}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return server
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    stop_gunicorn(server)
    raise SystemExit(f"gunicorn did not answer on port {port}; see {log_path}")


def stop_gunicorn(server):
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    server.log.close()


def probe(url):
    """Status, size and Cache-Control of one response, to check the page before loading it.

    Also lets the server settle: requests still queued from the previous case are answered first.
    """
    with urllib.request.urlopen(url, timeout=180) as response:
        body = response.read()
        return {"status": response.status, "bytes": len(body), "cache_control": response.headers["Cache-Control"]}


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _milliseconds(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return round(float(number) * _UNITS[unit], 2)


def run_wrk(url, *, connections, duration):
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "30s"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    requests = re.search(r"(\d+) requests in ([\d.]+)(m?s)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "tool": "wrk",
        "requests": int(requests.group(1)),
        "seconds": duration,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": _milliseconds(latency["50"]),
        "p99_ms": _milliseconds(latency["99"]),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "errors": sum(int(n) for n in errors.groups()) if errors else 0,
    }


def run_python(url, *, connections, duration):
    sys.path.insert(0, str(ROOT / "bench"))
    import loadgen

    return loadgen.run(url, connections=connections, duration=duration)


def measure(env, port, log_path, *, tool, connections, duration, warmup):
    """Each mode gets its own gunicorn: PAGE_CACHE=0 for "uncached", the page cache on for "cached"."""
    load = run_wrk if tool == "wrk" else run_python
    rows = []
    for mode, page_cache in MODES:
        server = start_gunicorn({**env, "PAGE_CACHE": page_cache}, port, log_path)
        try:
            for forum, page, path in PAGES:
                url = f"http://127.0.0.1:{port}{path}"
                checked = probe(url)
                if checked["status"] != 200:
                    raise SystemExit(f"{url} answered {checked['status']}")
                load(url, connections=connections, duration=warmup)
                probe(url)  # settle after the warm-up
                result = load(url, connections=connections, duration=duration)
                probe(url)  # settle before the next case
                row = {"forum": forum, "page": page, "mode": mode, "path": path, "bytes": checked["bytes"], **result}
                row["cache_control"] = checked["cache_control"]
                rows.append(row)
                print(
                    f"  {forum:28} {page:9} {mode:8} {row['rps']:8.1f} req/s  p50 {row['p50_ms']:8.2f} ms  "
                    f"p99 {row['p99_ms']:8.2f} ms  non-2xx {row['non_2xx']}  errors {row['errors']}",
                    flush=True,
                )
        finally:
            stop_gunicorn(server)
    return rows


def markdown_table(database, rows):
    lines = [
        f"### {database}",
        "",
        "| forum | page | mode | req/s | p50 (ms) | p99 (ms) | non-2xx | errors | page size |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| {row['forum']} | {row['page']} | {row['mode']} | {row['rps']:.1f} | {row['p50_ms']:.2f} | "
            f"{row['p99_ms']:.2f} | {row['non_2xx']} | {row['errors']} | {row['bytes'] // 1024} KiB |"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="database to prepare and serve (default: DATABASE_URL, else bench/results/bench.sqlite3)",
    )
    parser.add_argument("--duration", type=int, default=15, help="seconds per case, 5 to 60 (default 15)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load before each case")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--tool", choices=["wrk", "python"], default="wrk" if shutil.which("wrk") else "python")
    parser.add_argument("--skip-prepare", action="store_true", help="use the database as it is")
    args = parser.parse_args()
    if not 5 <= args.duration <= 60:
        parser.error("--duration must be from 5 to 60 seconds")

    RESULTS.mkdir(parents=True, exist_ok=True)
    database_url = args.database_url or f"sqlite:///{RESULTS / 'bench.sqlite3'}"
    database = "PostgreSQL" if database_url.startswith(("postgres", "postgresql")) else "SQLite"
    env = portal_environment(database_url)
    if not args.skip_prepare:
        prepare(env)

    load_before = os.getloadavg()
    if load_before[0] > (os.cpu_count() or 1) / 2:
        print(f"Warning: load average {load_before[0]:.1f} on {os.cpu_count()} CPUs: other work will skew the figures.")
    port = free_port()
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    log_path = RESULTS / f"gunicorn-{stamp}.log"
    print(f"gunicorn (2 workers) on 127.0.0.1:{port}, {database}, {args.tool}, {args.connections} connections, "
          f"{args.duration} s per case", flush=True)  # fmt: skip
    rows = measure(
        env, port, log_path, tool=args.tool, connections=args.connections, duration=args.duration, warmup=args.warmup
    )

    report = {
        "database": database,
        "tool": args.tool,
        "connections": args.connections,
        "duration_s": args.duration,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "rows": rows,
    }
    result_path = RESULTS / f"pages-{database.lower()}-{stamp}.json"
    result_path.write_text(json.dumps(report, indent=2))
    print()
    print(markdown_table(database, rows))
    print(
        f"\nLoad average before "
        f"{load_before[0]:.2f}, after {report['load_average']['after'][0]:.2f} on {os.cpu_count()} CPUs. "
        f"Results: {result_path}"
    )


if __name__ == "__main__":
    main()
