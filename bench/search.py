"""Search against the uncached session page, in-process and under gunicorn: run by hand, never by the tests.

    .venv/bin/python bench/search.py                         # SQLite
    .venv/bin/python bench/search.py --duration 5 --skip-prepare
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gfmd_bench_search .venv/bin/python bench/search.py

It prepares a database as ``bench/pages.py`` does (the demo programmes, with the search index
``load_programme`` leaves, and the synthetic 300-session forum, which ``make_synthetic_forum`` indexes;
``bench/results/search.sqlite3`` unless ``DATABASE_URL`` or ``--database-url`` is given), then:

1. **in-process**: each address asked ``--repeat`` times through Django's test client, page cache off
   (``PAGE_CACHE=0``), after one unmeasured request; the median and the best time per request, and the
   database queries of one request;
2. **under gunicorn** (unless ``--no-http``): 2 workers with ``PAGE_CACHE=0``, each address loaded with
   ``--connections`` connections for ``--duration`` seconds, as ``bench/pages.py`` does.

The addresses: the session pages of Athens (8 sessions) and of the synthetic forum, the two pages search
should be at least as fast as, and searches over the whole database (Athens, Dhaka, the demo good
practices and the 300 sessions): a word in hundreds of records, a rarer one, a later page, two words,
and a French and a Spanish word. It prints the load average before and after; other work on the machine
skews the figures, so each in-process case also gives the CPU time of the benchmark's process (on SQLite that
includes the database's work; on PostgreSQL the server's share is not in it). Results go to
``bench/results/search-<database>-<time>.json``.

``--profile`` then runs the search for "migration" (and the session pages, for comparison) ``--repeat`` times
each under cProfile and writes the statistics, sorted by cumulative and by own time, to
``bench/results/search-profile-<database>-<case>-<time>.txt``; the first lines are printed.

After preparing, it runs ``ANALYZE`` (statistics for the query planner, as a database in use has them).

``--demo-only`` uses (and prepares) a database holding the demo programmes alone, without the synthetic
forum (``bench/results/search-demo.sqlite3``, or the ``DATABASE_URL`` given): the cases of the synthetic
forum are left out.

    .venv/bin/python bench/search.py --skip-prepare --no-http --repeat 30 --profile
    .venv/bin/python bench/search.py --demo-only --no-http --repeat 30 --profile
"""

import argparse
import cProfile
import datetime
import io
import json
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pages  # bench/pages.py: database preparation, gunicorn, load generators

CASES = [
    ("session page, Athens (8 sessions)", pages.PAGES[1][2]),
    ("session page, synthetic (300 sessions)", pages.PAGES[3][2]),
    ("search “migration” (hundreds of results)", "/en/search/?q=migration"),
    ("search “migration”, page 3", "/en/search/?q=migration&page=3"),
    ("search “remittances”", "/en/search/?q=remittances"),
    ("search “diaspora engagement”", "/en/search/?q=diaspora+engagement"),
    ("search “1.2” (a session code)", "/en/search/?q=1.2"),
    ("/fr/ search “developpement”", "/fr/search/?q=developpement"),
    ("/es/ search “remesas”", "/es/search/?q=remesas"),
]


SYNTHETIC = {pages.PAGES[3][2]}  # left out with --demo-only
PROFILED = ("session page", "search “migration” (hundreds of results)")  # cases whose names start so
PROFILE_LINES = 30


def profile(client, name, path, repeat, label):
    """Run ``path`` ``repeat`` times under cProfile; write the statistics to bench/results/, return the top."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        client.get(path)
    profiler.disable()
    out = io.StringIO()
    out.write(f"{name}: {path}, {repeat} requests ({label})\n")
    for order in ("cumulative", "tottime"):
        stats = pstats.Stats(profiler, stream=out)
        stats.strip_dirs().sort_stats(order).print_stats(PROFILE_LINES * 2 if order == "cumulative" else PROFILE_LINES)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    slug = "".join(c if c.isalnum() else "-" for c in name.split("(")[0].strip()).strip("-").lower()
    target = pages.RESULTS / f"search-profile-{label}-{slug}-{stamp}.txt"
    target.write_text(out.getvalue(), encoding="utf-8")
    return target


def in_process(repeat, *, with_profile=False, demo_only=False, label=""):
    """Run inside the portal's environment (``--child``): time each case with the test client."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gfmd_portal.settings")
    sys.path.insert(0, str(pages.ROOT))
    django.setup()
    from django.db import connection
    from django.test import Client
    from django.utils import translation

    from programme.search import page_number, programme_search

    client = Client()
    rows = []
    profiles = []
    for name, path in CASES:
        if demo_only and path in SYNTHETIC:
            continue
        response = client.get(path)  # unmeasured: the first request fills what processes keep
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        queries = []

        def counted(execute, sql, *args, queries=queries):
            queries.append(sql)
            return execute(sql, *args)

        with connection.execute_wrapper(counted):
            client.get(path)  # (Django forgets a request's queries when the next starts: counted as they run)
        times, cpu = [], []
        for _ in range(repeat):
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        results = None
        if "/search/" in path:
            query = parse_qs(urlsplit(path).query)
            with translation.override(path.split("/")[1]):
                found = programme_search(query=query["q"][0], page=page_number(query.get("page", ["1"])[0]))
            results = found.total
        rows.append(
            {
                "case": name,
                "path": path,
                "median_ms": round(statistics.median(times), 2),
                "best_ms": round(min(times), 2),
                "cpu_ms": round(statistics.median(cpu), 2),
                "queries": len(queries),
                "results": results,
                "bytes": len(response.content),
            }
        )
        if with_profile and name.startswith(PROFILED):
            profiles.append(str(profile(client, name, path, repeat, label).relative_to(pages.ROOT)))
    print(json.dumps({"rows": rows, "profiles": profiles}))


def run_in_process(env, repeat, *, with_profile=False, demo_only=False, label=""):
    flags = ["--profile"] * with_profile + ["--demo-only"] * demo_only + ["--label", label]
    output = subprocess.run(
        [str(pages.PYTHON), __file__, "--child", "--repeat", str(repeat), *flags],
        cwd=pages.ROOT,
        env={**env, "PAGE_CACHE": "0", "ALLOWED_HOSTS": "testserver"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def run_http(env, *, tool, connections, duration, warmup, demo_only=False):
    load = pages.run_wrk if tool == "wrk" else pages.run_python
    port = pages.free_port()
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    log_path = pages.RESULTS / f"gunicorn-search-{stamp}.log"
    rows = []
    server = pages.start_gunicorn({**env, "PAGE_CACHE": "0"}, port, log_path)
    try:
        for name, path in CASES:
            if demo_only and path in SYNTHETIC:
                continue
            url = f"http://127.0.0.1:{port}{path}"
            if pages.probe(url)["status"] != 200:
                raise SystemExit(f"{url} did not answer 200")
            load(url, connections=connections, duration=warmup)
            pages.probe(url)
            result = load(url, connections=connections, duration=duration)
            pages.probe(url)
            rows.append({"case": name, "path": path, **result})
            print(
                f"  {name:44} {result['rps']:8.1f} req/s  p50 {result['p50_ms']:8.2f} ms  "
                f"p99 {result['p99_ms']:8.2f} ms  non-2xx {result['non_2xx']}  errors {result['errors']}",
                flush=True,
            )
    finally:
        pages.stop_gunicorn(server)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--repeat", type=int, default=50, help="in-process requests per case (default 50)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per case under gunicorn, 5 to 60")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load before each case")
    parser.add_argument("--connections", type=int, default=4, help="1 to 16 (default 4, two per worker)")
    parser.add_argument("--tool", choices=["wrk", "python"], default="wrk" if shutil.which("wrk") else "python")
    parser.add_argument("--no-http", action="store_true", help="in-process figures only")
    parser.add_argument("--skip-prepare", action="store_true", help="use the database as it is")
    parser.add_argument("--profile", action="store_true", help="profile the search for “migration” (cProfile)")
    parser.add_argument("--demo-only", action="store_true", help="a database with the demo programmes alone")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--label", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        in_process(args.repeat, with_profile=args.profile, demo_only=args.demo_only, label=args.label)
        return
    if not 5 <= args.duration <= 60:
        parser.error("--duration must be from 5 to 60 seconds")
    if not 1 <= args.connections <= 16:
        parser.error("--connections must be from 1 to 16")

    pages.RESULTS.mkdir(parents=True, exist_ok=True)
    sqlite_name = "search-demo.sqlite3" if args.demo_only else "search.sqlite3"
    database_url = args.database_url or f"sqlite:///{pages.RESULTS / sqlite_name}"
    database = "PostgreSQL" if database_url.startswith(("postgres", "postgresql")) else "SQLite"
    label = database.lower() + ("-demo" if args.demo_only else "")
    env = pages.portal_environment(database_url)
    if not args.skip_prepare:
        if args.demo_only:
            pages.manage(env, "migrate", "--noinput", "--verbosity", "0")
            pages.manage(env, "load_programme")
            pages.manage(env, "collectstatic", "--noinput", "--verbosity", "0")
        else:
            pages.prepare(env)
        # statistics for the query planner, as a database in use has them (PostgreSQL's autovacuum gathers
        # them in time; without them it joined the matched issues to every visible session: 13 ms, not 1)
        pages.manage(env, "shell", "-c", "from django.db import connection; connection.cursor().execute('ANALYZE')")

    load_before = os.getloadavg()
    print(f"{database}; load average {load_before[0]:.2f} {load_before[1]:.2f} on {os.cpu_count()} CPUs", flush=True)
    print(f"In-process, page cache off, {args.repeat} requests per case:", flush=True)
    found = run_in_process(env, args.repeat, with_profile=args.profile, demo_only=args.demo_only, label=label)
    local = found["rows"]
    for row in local:
        print(
            f"  {row['case']:44} median {row['median_ms']:7.2f} ms  best {row['best_ms']:7.2f} ms  "
            f"CPU {row['cpu_ms']:7.2f} ms  {row['queries']:2} queries  results {row['results']}",
            flush=True,
        )
    for profile_path in found["profiles"]:
        print(f"Profile: {profile_path}")
        print("".join((pages.ROOT / profile_path).read_text(encoding="utf-8").splitlines(keepends=True)[:40]))
    http = []
    if not args.no_http:
        print(f"gunicorn (2 workers, PAGE_CACHE=0), {args.tool}, {args.connections} connections, {args.duration} s:")
        http = run_http(
            env,
            tool=args.tool,
            connections=args.connections,
            duration=args.duration,
            warmup=args.warmup,
            demo_only=args.demo_only,
        )
    load_after = os.getloadavg()
    print(f"Load average after: {load_after[0]:.2f} {load_after[1]:.2f}", flush=True)

    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = pages.RESULTS / f"search-{database.lower()}-{stamp}.json"
    report = {
        "database": database,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load_average": {"before": load_before, "after": load_after},
        "in_process": local,
        "profiles": found["profiles"],
        "http": http,
    }
    path.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"Written to {path.relative_to(pages.ROOT)}")


if __name__ == "__main__":
    main()
