"""The uncached session page, person page and search in-process, with a profile: run by hand, never by tests.

    .venv/bin/python bench/profile_pages.py                  # SQLite, bench/results/profile.sqlite3
    .venv/bin/python bench/profile_pages.py --skip-prepare   # reuse that database as it is
    .venv/bin/python bench/profile_pages.py --repeat 100 --label after

It prepares a database as ``bench/pages.py`` does (the Athens demo from ``load_programme`` and the
synthetic 300-session forum from ``make_synthetic_forum``), unless ``--skip-prepare``, then in a child
process with the page cache off (``PAGE_CACHE=0``, so every request builds its page from the database)
asks each address through Django's test client:

- one unmeasured request (templates load, translations and URL patterns are read);
- the database queries of one request, counted as they run (their SQL is kept in the JSON file);
- ``--repeat`` requests timed with ``time.process_time`` (CPU time of this process, less sensitive to
  other work on a shared machine than wall time): the median and the best, in milliseconds;
- ``--profile-repeat`` requests under cProfile, whose top functions by cumulative and by own time go
  to ``bench/results/profile-<label>-<case>.txt`` (the whole profile to ``.prof`` beside it).

The addresses: the session page of the Athens demo (8 sessions) and of the
synthetic forum (300 sessions), the person page of the busiest person of the demo forums (Athens has
no people; Dhaka's) and of the synthetic forum, and a search. Figures go to
``bench/results/profile-<label>-<database>-<time>.json`` and are printed.
"""

import argparse
import cProfile
import datetime
import io
import json
import os
import pstats
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pages  # bench/pages.py: database preparation

SESSIONS = [
    ("Athens (8 sessions)", pages.PAGES[1][2]),
    (f"synthetic ({pages.SYNTHETIC_SESSIONS} sessions)", pages.PAGES[3][2]),
]
SEARCH = "/en/search/?q=migration"


def cases():
    """(name, address) of each page measured; the person pages are found in the database."""
    from django.db.models import Count

    from sessions.models import Person

    found = [(f"session page, {forum}", path) for forum, path in SESSIONS]
    people = Person.objects.annotate(roles=Count("participations", distinct=True)).order_by("-roles", "slug")
    synthetic = "participations__session__roundtable__forum__slug"
    demo = people.exclude(**{synthetic: "synthetic-forum"}).first()  # Athens has no people: the Dhaka demo's
    busiest = people.filter(**{synthetic: "synthetic-forum"}).first()
    found.append((f"person page, demo ({demo.roles} roles)", f"/en/people/{demo.slug}/"))
    found.append((f"person page, synthetic ({busiest.roles} roles)", f"/en/people/{busiest.slug}/"))
    found.append(("search “migration”", SEARCH))
    return found


def profile_text(profiler, limit):
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.strip_dirs()
    stats.sort_stats("cumulative").print_stats(limit)
    stats.sort_stats("tottime").print_stats(limit)
    return out.getvalue()


def in_process(repeat, profile_repeat, label):
    """Run inside the portal's environment (``--child``)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gfmd_portal.settings")
    sys.path.insert(0, str(pages.ROOT))
    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    if settings.PAGE_CACHE:
        raise SystemExit("The page cache is on: run with PAGE_CACHE=0.")
    client = Client()
    rows = []
    for name, path in cases():
        response = client.get(path)  # unmeasured
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
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(profile_repeat):
            client.get(path)
        profiler.disable()
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        profile_path = pages.RESULTS / f"profile-{label}-{slug}.txt"
        profiler.dump_stats(profile_path.with_suffix(".prof"))  # for pstats or snakeviz
        profile_path.write_text(
            f"{name}: {path}, {profile_repeat} requests\n\n" + profile_text(profiler, 40), encoding="utf-8"
        )
        rows.append(
            {
                "case": name,
                "path": path,
                "median_ms": round(statistics.median(times), 2),
                "best_ms": round(min(times), 2),
                "queries": len(queries),
                "sql": queries,
                "bytes": len(response.content),
                "profile": str(profile_path.relative_to(pages.ROOT)),
            }
        )
    print(json.dumps(rows))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--repeat", type=int, default=60, help="timed requests per page (default 60)")
    parser.add_argument("--profile-repeat", type=int, default=20, help="profiled requests per page (default 20)")
    parser.add_argument("--label", default="run", help="names the result files (e.g. before, after)")
    parser.add_argument("--skip-prepare", action="store_true", help="use the database as it is")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        in_process(args.repeat, args.profile_repeat, args.label)
        return

    pages.RESULTS.mkdir(parents=True, exist_ok=True)
    database_url = args.database_url or f"sqlite:///{pages.RESULTS / 'profile.sqlite3'}"
    database = "PostgreSQL" if database_url.startswith(("postgres", "postgresql")) else "SQLite"
    env = pages.portal_environment(database_url)
    if not args.skip_prepare:
        pages.prepare(env)

    load_before = os.getloadavg()
    print(f"{database}; load average {load_before[0]:.2f} {load_before[1]:.2f} on {os.cpu_count()} CPUs", flush=True)
    output = subprocess.run(
        [
            str(pages.PYTHON),
            __file__,
            "--child",
            "--repeat",
            str(args.repeat),
            "--profile-repeat",
            str(args.profile_repeat),
            "--label",
            args.label,
        ],
        cwd=pages.ROOT,
        env={**env, "PAGE_CACHE": "0", "ALLOWED_HOSTS": "testserver"},
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    ).stdout
    rows = json.loads(output.strip().splitlines()[-1])
    print(f"In-process, page cache off, CPU time, {args.repeat} requests per page:")
    for row in rows:
        print(
            f"  {row['case']:42} median {row['median_ms']:7.2f} ms  best {row['best_ms']:7.2f} ms  "
            f"{row['queries']:2} queries  {row['bytes']:7} bytes  {row['profile']}",
            flush=True,
        )
    load_after = os.getloadavg()
    print(f"Load average after: {load_after[0]:.2f} {load_after[1]:.2f}", flush=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = pages.RESULTS / f"profile-{args.label}-{database.lower()}-{stamp}.json"
    report = {"database": database, "label": args.label, "load_average": [load_before, load_after], "pages": rows}
    path.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"Written to {path.relative_to(pages.ROOT)}")


if __name__ == "__main__":
    main()
