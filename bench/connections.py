"""What a database connection opened per request costs the uncached pages: run by hand, never by tests.

    .venv/bin/python bench/connections.py                  # SQLite, bench/results/profile.sqlite3
    .venv/bin/python bench/connections.py --skip-prepare   # reuse the database profile_pages.py prepared
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gfmd_bench .venv/bin/python bench/connections.py

The pages of ``bench/profile_pages.py`` (session, person, search; page cache off) are asked through Django's
WSGI handler, as gunicorn asks them, not through the test client (which keeps the connection open whatever
``CONN_MAX_AGE`` says). Requests alternate between two ways, so that both see the same machine:

- kept: the connection of the previous request is used again (``CONN_MAX_AGE`` above 0, the settings'
  default);
- new: the connection is closed before the request, as ``CONN_MAX_AGE=0`` closes it after each one, so the
  request opens its own (counted in its time).

CPU time of the process (``time.process_time``) per request, the first quartile and the median, in
milliseconds, go to ``bench/results/connections-<database>-<time>.json`` and are printed.
"""

import argparse
import datetime
import io
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pages  # bench/pages.py: database preparation
import profile_pages  # the pages measured


def _quartiles(times):
    ordered = sorted(times)
    return {
        "p25_ms": round(ordered[len(ordered) // 4] * 1000, 2),
        "median_ms": round(statistics.median(ordered) * 1000, 2),
    }


def in_process(repeat):
    """Run inside the portal's environment (``--child``)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gfmd_portal.settings")
    sys.path.insert(0, str(pages.ROOT))
    django.setup()
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    if settings.PAGE_CACHE:
        raise SystemExit("The page cache is on: run with PAGE_CACHE=0.")
    if not connection.settings_dict["CONN_MAX_AGE"]:
        raise SystemExit("CONN_MAX_AGE is 0: the connection would never be kept.")
    application = WSGIHandler()

    def ask(address):
        path, _, query = address.partition("?")
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
        }
        status = []
        body = b"".join(application(environ, lambda line, headers, *rest: status.append(line)))
        if not status[0].startswith("200"):
            raise SystemExit(f"{address} answered {status[0]}")
        return body

    rows = []
    for name, address in profile_pages.cases():
        for _ in range(10):  # templates, translations and URL patterns loaded
            ask(address)
        times = {"kept": [], "new": []}
        for _ in range(repeat):
            for way in times:
                started = time.process_time()
                if way == "new":
                    connection.close()
                ask(address)
                times[way].append(time.process_time() - started)
        kept, new = _quartiles(times["kept"]), _quartiles(times["new"])
        rows.append(
            {
                "case": name,
                "path": address,
                "kept": kept,
                "new": new,
                "new_minus_kept_p25_ms": round(new["p25_ms"] - kept["p25_ms"], 2),
            }
        )
    print(json.dumps(rows))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--repeat", type=int, default=300, help="requests per page and way (default 300)")
    parser.add_argument("--skip-prepare", action="store_true", help="use the database as it is")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        in_process(args.repeat)
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
        [str(pages.PYTHON), __file__, "--child", "--repeat", str(args.repeat)],
        cwd=pages.ROOT,
        env={**env, "PAGE_CACHE": "0", "ALLOWED_HOSTS": "127.0.0.1,testserver"},
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    ).stdout
    rows = json.loads(output.strip().splitlines()[-1])
    print(f"Through the WSGI handler, page cache off, CPU time, {args.repeat} requests per page and way:")
    for row in rows:
        kept, new = row["kept"], row["new"]
        print(
            f"  {row['case']:42} kept p25 {kept['p25_ms']:6.2f} median {kept['median_ms']:6.2f} ms   "
            f"new p25 {new['p25_ms']:6.2f} median {new['median_ms']:6.2f} ms   "
            f"a new connection: +{row['new_minus_kept_p25_ms']:.2f} ms",
            flush=True,
        )
    load_after = os.getloadavg()
    print(f"Load average after: {load_after[0]:.2f} {load_after[1]:.2f}", flush=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = pages.RESULTS / f"connections-{database.lower()}-{stamp}.json"
    report = {"database": database, "load_average": [load_before, load_after], "pages": rows}
    path.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"Written to {path.relative_to(pages.ROOT)}")


if __name__ == "__main__":
    main()
