"""Requests per second and latency of the programme exports for other tools, uncached: run by hand.

    .venv/bin/python bench/exports.py                        # SQLite, 10 s per export
    .venv/bin/python bench/exports.py --duration 5 --connections 2
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gfmd_bench_exports .venv/bin/python bench/exports.py

It prepares a database as ``bench/pages.py`` does (the Athens demo and the synthetic 300-session
forum; ``bench/results/exports.sqlite3`` unless ``DATABASE_URL`` or ``--database-url`` is given),
starts gunicorn with 2 workers on 127.0.0.1 with ``PAGE_CACHE=0`` (every request makes the export
anew), and loads each export of the 300-session forum (and the Athens schedule, for scale) with a
few connections for a bounded time: the frab schedule (XML and JSON) and the calendars of the
forum, of a roundtable, of a theme and of a person. Results go to ``bench/results/``.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pages  # bench/pages.py: database preparation, gunicorn, load generators

SYNTHETIC = f"synthetic ({pages.SYNTHETIC_SESSIONS} sessions)"
EXPORTS = [
    ("Athens demo (8 sessions)", "schedule.xml", "/en/forums/athens-2009/schedule.xml"),
    (SYNTHETIC, "schedule.xml", "/en/forums/synthetic-forum/schedule.xml"),
    (SYNTHETIC, "schedule.json", "/en/forums/synthetic-forum/schedule.json"),
    (SYNTHETIC, "forum calendar", "/en/forums/synthetic-forum/calendar.ics"),
    (SYNTHETIC, "roundtable calendar", "/en/forums/synthetic-forum/roundtables/roundtable-1/calendar.ics"),
    (SYNTHETIC, "theme calendar", "/en/themes/synthetic-theme-1/calendar.ics"),
    (SYNTHETIC, "person calendar", "/en/people/synthetic-forum-person-1/calendar.ics"),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--duration", type=int, default=10, help="seconds per export, 5 to 60 (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load before each export")
    parser.add_argument("--connections", type=int, default=2, help="1 to 16 (default 2, one per worker)")
    parser.add_argument("--tool", choices=["wrk", "python"], default="wrk" if shutil.which("wrk") else "python")
    parser.add_argument("--skip-prepare", action="store_true", help="use the database as it is")
    args = parser.parse_args()
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
