"""Machine instructions per request of the uncached pages, counted by valgrind: run by hand, never by tests.

    apt-get install -y valgrind
    .venv/bin/python bench/instructions.py --skip-prepare              # the database profile_pages.py prepared
    .venv/bin/python bench/instructions.py --skip-prepare --tree /tmp/before   # another checkout, same data

Times on a shared machine move by tens of percent from one minute to the next; the number of instructions a
request executes does not (two runs agree within about 0.5%). So a change of a few percent, too small to see
in requests per second, can be measured here, and two checkouts compared one after the other.

For each page of ``bench/profile_pages.py`` (page cache off), a child process under ``valgrind
--tool=cachegrind`` sets Django up, asks the page 10 times through the test client (templates, translations
and URL patterns loaded), then ``--requests`` times more; a second child asks only the first 10. The
difference of their instruction counts, divided by ``--requests``, is one request's instructions (Python's
start-up and the warm-up cancel out). The test client keeps the database connection: what opening one costs
is ``bench/connections.py``'s to measure. Results go to ``bench/results/instructions-<time>.json``.
"""

import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pages  # bench/pages.py: database preparation

WARM_UP = 10


def child(tree, address, requests):
    """Inside valgrind: ask ``address`` WARM_UP + ``requests`` times."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gfmd_portal.settings")
    sys.path.insert(0, tree)
    os.chdir(tree)
    django.setup()
    from django.test import Client

    client = Client()
    for _ in range(WARM_UP + requests):
        response = client.get(address)
        if response.status_code != 200:
            raise SystemExit(f"{address} answered {response.status_code}")


def list_cases(tree):
    """The (name, address) pages of ``bench/profile_pages.py``, found in the database."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gfmd_portal.settings")
    sys.path.insert(0, tree)
    django.setup()
    import profile_pages

    print(json.dumps(profile_pages.cases()))


def instructions(python, tree, env, address, requests):
    """Instructions executed by a child asking ``address`` WARM_UP + ``requests`` times."""
    command = [
        "valgrind",
        "--tool=cachegrind",
        "--cache-sim=no",
        "--cachegrind-out-file=/dev/null",
        str(python),
        __file__,
        "--child",
        address,
        "--requests",
        str(requests),
        "--tree",
        tree,
    ]
    result = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True, check=True)
    found = re.search(r"I\s+refs:\s+([\d,]+)", result.stderr)
    if not found:
        raise SystemExit(f"valgrind printed no instruction count:\n{result.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--requests", type=int, default=40, help="measured requests per page (default 40)")
    parser.add_argument("--tree", default=str(pages.ROOT), help="the checkout to measure (default this one)")
    parser.add_argument("--label", default="run", help="names the result file (e.g. before, after)")
    parser.add_argument("--skip-prepare", action="store_true", help="use the database as it is")
    parser.add_argument("--child", metavar="ADDRESS", help=argparse.SUPPRESS)
    parser.add_argument("--list", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.tree, args.child, args.requests)
        return
    if args.list:
        list_cases(args.tree)
        return
    if not shutil.which("valgrind"):
        raise SystemExit("valgrind is not installed (apt-get install -y valgrind).")

    tree = str(Path(args.tree).resolve())
    python = Path(tree) / ".venv" / "bin" / "python"
    if not python.exists():
        python = pages.PYTHON
    database_url = args.database_url or f"sqlite:///{pages.RESULTS / 'profile.sqlite3'}"
    env = {**pages.portal_environment(database_url), "PAGE_CACHE": "0", "ALLOWED_HOSTS": "testserver"}
    if not args.skip_prepare:
        pages.prepare(pages.portal_environment(database_url))
    listed = subprocess.run(
        [str(pages.PYTHON), __file__, "--list", "--tree", str(pages.ROOT)],
        cwd=pages.ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    cases = json.loads(listed.strip().splitlines()[-1])
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=tree, capture_output=True, text=True).stdout
    print(f"{tree} at {commit.strip()}; {args.requests} requests per page, millions of instructions per request:")
    rows = []
    for name, address in cases:
        measured = instructions(python, tree, env, address, args.requests)
        baseline = instructions(python, tree, env, address, 0)
        per_request = (measured - baseline) / args.requests
        rows.append({"case": name, "path": address, "instructions": round(per_request)})
        print(f"  {name:42} {per_request / 1e6:7.2f} M", flush=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = pages.RESULTS / f"instructions-{args.label}-{stamp}.json"
    report = {"tree": tree, "commit": commit.strip(), "requests": args.requests, "pages": rows}
    path.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"Written to {path.relative_to(pages.ROOT)}")


if __name__ == "__main__":
    main()
