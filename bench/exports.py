"""Requests per second and latency of the programme exports for other tools, uncached: run by hand.

    .venv/bin/python bench/exports.py                        # SQLite, 10 s per export
    .venv/bin/python bench/exports.py --duration 5 --connections 2
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gfmd_bench_exports .venv/bin/python bench/exports.py

It prepares a database as ``bench/pages.py`` does (the Athens demo and the synthetic 300-session
forum; ``bench/results/exports.sqlite3`` unless ``DATABASE_URL`` or ``--database-url`` is given),
starts gunicorn with 2 workers on 127.0.0.1 with ``PAGE_CACHE=0`` (every request makes the export
anew), and loads each export of the 300-session forum (and the Athens schedule and calendar, for scale) with a
few connections for a bounded time: the frab schedule (XML and JSON) and the calendars of the
forum, of a roundtable, of a theme and of a person. Results go to ``bench/results/``.

``--in-process`` measures instead inside one Django process, with the test client and ``PAGE_CACHE=0``:
each export asked ``--repeat`` times after one unmeasured request; the median and the best CPU time per
request (``time.process_time``, so other work on the machine matters less), the database queries of one
request, and the size. With ``--save-bodies DIR`` it writes each export's body there, to compare the
files before and after a change (``diff -r``) on the same database (``--skip-prepare``).
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pages  # bench/pages.py: database preparation, gunicorn, load generators

SYNTHETIC = f"synthetic ({pages.SYNTHETIC_SESSIONS} sessions)"
EXPORTS = [
    ("Athens demo (8 sessions)", "schedule.xml", "/en/forums/athens-2009/schedule.xml"),
    ("Athens demo (8 sessions)", "forum calendar", "/en/forums/athens-2009/calendar.ics"),
    (SYNTHETIC, "schedule.xml", "/en/forums/synthetic-forum/schedule.xml"),
    (SYNTHETIC, "schedule.json", "/en/forums/synthetic-forum/schedule.json"),
    (SYNTHETIC, "forum calendar", "/en/forums/synthetic-forum/calendar.ics"),
    (SYNTHETIC, "roundtable calendar", "/en/forums/synthetic-forum/roundtables/roundtable-1/calendar.ics"),
    (SYNTHETIC, "theme calendar", "/en/themes/synthetic-theme-1/calendar.ics"),
    (SYNTHETIC, "person calendar", "/en/people/synthetic-forum-person-1/calendar.ics"),
]


def in_process(repeat, save_bodies):
    """Run inside the portal's environment (``--child``): CPU time of each export with the test client."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gfmd_portal.settings")
    sys.path.insert(0, str(pages.ROOT))
    django.setup()
    from django.db import connection
    from django.test import Client

    client = Client()
    rows = []
    for forum, export, path in EXPORTS:
        response = client.get(path)  # unmeasured: the first request fills what processes keep
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        queries = []

        def counted(execute, sql, *args, queries=queries):
            queries.append(sql)
            return execute(sql, *args)

        with connection.execute_wrapper(counted):
            client.get(path)
        times = []
        for _ in range(repeat):
            started = time.process_time()
            client.get(path)
            times.append((time.process_time() - started) * 1000)
        if save_bodies:
            name = path.strip("/").replace("/", "_")
            Path(save_bodies, name).write_bytes(response.content)
        rows.append(
            {
                "forum": forum,
                "export": export,
                "path": path,
                "median_ms": round(statistics.median(times), 2),
                "best_ms": round(min(times), 2),
                "queries": len(queries),
                "bytes": len(response.content),
            }
        )
    print(json.dumps(rows))


def run_in_process(env, *, repeat, save_bodies):
    arguments = ["--child", "--repeat", str(repeat)]
    if save_bodies:
        Path(save_bodies).mkdir(parents=True, exist_ok=True)
        arguments += ["--save-bodies", str(Path(save_bodies).resolve())]
    output = subprocess.run(
        [str(pages.PYTHON), __file__, *arguments],
        cwd=pages.ROOT,
        env={**env, "PAGE_CACHE": "0", "ALLOWED_HOSTS": "testserver"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--duration", type=int, default=10, help="seconds per export, 5 to 60 (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load before each export")
    parser.add_argument("--connections", type=int, default=2, help="1 to 16 (default 2, one per worker)")
    parser.add_argument("--tool", choices=["wrk", "python"], default="wrk" if shutil.which("wrk") else "python")
    parser.add_argument("--skip-prepare", action="store_true", help="use the database as it is")
    parser.add_argument("--in-process", action="store_true", help="CPU time per request in one process instead")
    parser.add_argument("--repeat", type=int, default=30, help="in-process requests per export (default 30)")
    parser.add_argument("--save-bodies", metavar="DIR", help="in-process: write each export's body to DIR")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        in_process(args.repeat, args.save_bodies)
        return
    if not 5 <= args.duration <= 60:
        parser.error("--duration must be from 5 to 60 seconds")
    if not 1 <= args.connections <= 16:
        parser.error("--connections must be from 1 to 16")

    pages.RESULTS.mkdir(parents=True, exist_ok=True)
    database_url = args.database_url or f"sqlite:///{pages.RESULTS / 'exports.sqlite3'}"
    database = "PostgreSQL" if database_url.startswith(("postgres", "postgresql")) else "SQLite"
    env = pages.portal_environment(database_url)
    if not args.skip_prepare:
        pages.prepare(env)
    if args.in_process:
        print(f"In-process, {database}, PAGE_CACHE=0, {args.repeat} requests per export (CPU time):", flush=True)
        for row in run_in_process(env, repeat=args.repeat, save_bodies=args.save_bodies):
            print(
                f"  {row['forum']:28} {row['export']:20} median {row['median_ms']:8.2f} ms  "
                f"best {row['best_ms']:8.2f} ms  {row['queries']:2} queries  {row['bytes'] // 1024:5d} KiB",
                flush=True,
            )
        return

    load = pages.run_wrk if args.tool == "wrk" else pages.run_python
    load_before = os.getloadavg()
    port = pages.free_port()
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    log_path = pages.RESULTS / f"gunicorn-exports-{stamp}.log"
    print(
        f"gunicorn (2 workers, PAGE_CACHE=0) on 127.0.0.1:{port}, {database}, {args.tool}, "
        f"{args.connections} connections, {args.duration} s per export",
        flush=True,
    )
    rows = []
    server = pages.start_gunicorn({**env, "PAGE_CACHE": "0"}, port, log_path)
    try:
        for forum, export, path in EXPORTS:
            url = f"http://127.0.0.1:{port}{path}"
            checked = pages.probe(url)
            if checked["status"] != 200:
                raise SystemExit(f"{url} answered {checked['status']}")
            load(url, connections=args.connections, duration=args.warmup)
            pages.probe(url)
            result = load(url, connections=args.connections, duration=args.duration)
            row = {"forum": forum, "export": export, "path": path, "bytes": checked["bytes"], **result}
            rows.append(row)
            print(
                f"  {forum:28} {export:20} {row['rps']:7.1f} req/s  p50 {row['p50_ms']:8.1f} ms  "
                f"p99 {row['p99_ms']:8.1f} ms  {row['bytes'] // 1024:5d} KiB  non-2xx {row['non_2xx']}",
                flush=True,
            )
    finally:
        pages.stop_gunicorn(server)

    report = {
        "database": database,
        "tool": args.tool,
        "connections": args.connections,
        "duration_s": args.duration,
        "page_cache": False,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "rows": rows,
    }
    result_path = pages.RESULTS / f"exports-{database.lower()}-{stamp}.json"
    result_path.write_text(json.dumps(report, indent=2))
    print(f"\n### {database}, uncached\n")
    print("| forum | export | req/s | p50 (ms) | p99 (ms) | size |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(
            f"| {row['forum']} | {row['export']} | {row['rps']:.1f} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} | "
            f"{row['bytes'] // 1024} KiB |"
        )
    print(
        f"\nLoad average before {load_before[0]:.2f}, after {report['load_average']['after'][0]:.2f} "
        f"on {os.cpu_count()} CPUs. Results: {result_path}"
    )


if __name__ == "__main__":
    main()
