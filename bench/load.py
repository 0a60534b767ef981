"""Load test of the production set-up: run by hand, never by the tests.

    createdb -h 127.0.0.1 -U postgres gfmd_load
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gfmd_load REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python bench/load.py                    # 64 connections for 30 s

It prepares the database like bench/pages.py (Athens 2009 and the synthetic 300-session forum),
starts gunicorn from gunicorn.conf.py (workers from the CPU count) with the page cache in Redis
when REDIS_URL is set, and drives it with wrk from a second process: every request takes the next
address from a list of public pages (forum, programme, documents, themes, every roundtable, every
session, people, searches, calendars, the sitemap), in a fixed shuffled order, so the load mixes
cached pages, pages made anew and searches. It reports requests per second, p50 and p99 latency,
and the number of non-2xx responses and socket errors, which must be 0. Only 127.0.0.1 is loaded,
for --duration seconds (at most 120).
"""

import argparse
import datetime
import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pages  # the benchmark helpers beside this file

ROOT = pages.ROOT
RESULTS = pages.RESULTS


def public_paths(env):
    """The addresses to load, read from the prepared database."""
    script = """
import json
from roundtables.models import Forum, Theme
from sessions.models import Person, Session
forum = Forum.objects.get(slug="synthetic-forum")
paths = ["/en/", "/en/forums/", forum.get_absolute_url(), f"/en/forums/{forum.slug}/programme/",
         f"/en/forums/{forum.slug}/documents/", "/en/themes/", "/sitemap.xml",
         f"/en/forums/{forum.slug}/calendar.ics", "/en/forums/athens-2009/programme/"]
paths += [theme.get_absolute_url() for theme in Theme.objects.all()]
paths += [roundtable.get_absolute_url() for roundtable in forum.roundtables.all()]
sessions = Session.objects.filter(roundtable__forum=forum).select_related("roundtable__forum")
paths += [session.get_absolute_url() for session in sessions]
paths += [person.get_absolute_url() for person in Person.objects.filter(participations__isnull=False).distinct()[:60]]
paths += [f"/{lang}/search/?q={word}" for lang in ("en", "fr") for word in ("migration", "diaspora", "gender")]
print(json.dumps(paths))
"""
    output = subprocess.run(
        [str(pages.PYTHON), "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def lua_script(paths, target):
    quoted = ",\n  ".join(json.dumps(path) for path in paths)
    target.write_text(
        "-- wrk script written by bench/load.py: each request takes the next address of the list.\n"
        f"local paths = {{\n  {quoted}\n}}\n"
        "local index = 0\n"
        'function setup(thread) index = index + 1; thread:set("start", index * 37) end\n'
        "local counter = nil\n"
        "function request()\n"
        "  if counter == nil then counter = start end\n"
        "  counter = counter + 1\n"
        "  return wrk.format(nil, paths[(counter % #paths) + 1])\n"
        "end\n"
    )


def run_wrk(url, script, *, connections, duration):
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "30s", "-s", str(script)]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    latency = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": pages._milliseconds(latency["50"]),
        "p90_ms": pages._milliseconds(latency["90"]),
        "p99_ms": pages._milliseconds(latency["99"]),
        "non_2xx_or_3xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": sum(int(n) for n in errors.groups()) if errors else 0,
        "wrk_output": output,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--skip-prepare", action="store_true")
    args = parser.parse_args()
    if not args.database_url.startswith(("postgres", "postgresql")):
        parser.error("give a PostgreSQL DATABASE_URL (or --database-url): the load test runs on PostgreSQL")
    if not 5 <= args.duration <= 120:
        parser.error("--duration must be from 5 to 120 seconds")
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")

    RESULTS.mkdir(parents=True, exist_ok=True)
    env = pages.portal_environment(args.database_url)
    env.pop("WEB_CONCURRENCY", None)
    if not args.skip_prepare:
        pages.prepare(env)
    paths = public_paths(env)
    random.Random(2009).shuffle(paths)
    script = RESULTS / "load-paths.lua"
    lua_script(paths, script)

    port = pages.free_port()
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    log_path = RESULTS / f"gunicorn-load-{stamp}.log"
    server_env = {**env, "HOST": "127.0.0.1", "PORT": str(port), "GUNICORN_ACCESS_LOG": "/dev/null"}
    server = pages.start_gunicorn(server_env, port, log_path)
    workers = os.cpu_count()
    try:
        for path in paths[:5]:
            pages.probe(f"http://127.0.0.1:{port}{path}")
        load_before = os.getloadavg()
        result = run_wrk(f"http://127.0.0.1:{port}", script, connections=args.connections, duration=args.duration)
        load_after = os.getloadavg()
    finally:
        pages.stop_gunicorn(server)

    report = {
        "database": "PostgreSQL",
        "cache": "Redis" if env.get("REDIS_URL") else "local memory",
        "addresses": len(paths),
        "connections": args.connections,
        "duration_s": args.duration,
        "cpus": workers,
        "load_average": {"before": load_before, "after": load_after},
        **result,
    }
    (RESULTS / f"load-{stamp}.json").write_text(json.dumps(report, indent=2))
    print(result["wrk_output"])
    print(
        f"{len(paths)} addresses, {args.connections} connections, {args.duration} s, PostgreSQL, cache: "
        f"{report['cache']}: {result['rps']:.1f} req/s, p50 {result['p50_ms']} ms, p90 {result['p90_ms']} ms, "
        f"p99 {result['p99_ms']} ms, non-2xx/3xx {result['non_2xx_or_3xx']}, socket errors "
        f"{result['socket_errors']}; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after."
    )
    if result["non_2xx_or_3xx"] or result["socket_errors"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
