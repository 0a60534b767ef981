"""How long the programme booklet takes to render, and how much memory: run by hand.

    .venv/bin/python bench/pdf.py                 # Athens demo + a synthetic 300-session forum
    .venv/bin/python bench/pdf.py --sessions 600  # a bigger synthetic forum
    .venv/bin/python bench/pdf.py --language fr   # labels in French

The large forum comes from the ``make_synthetic_forum`` command when the project has it (else, or
with --own-builder, from this script's own bulk_create builder, with longer texts).

It works on a throwaway SQLite database and MEDIA_ROOT in a temporary directory, so it touches
neither db.sqlite3 nor media/. For each forum it measures, each case in a fresh forked process (as
a gunicorn worker would run it; the compiler runs in a child process of its own):

- cold: no PDF on disk, so ``render_into_cache`` renders the booklet, writes it and returns its path
  (what the queue's worker does after a change);
- cached: the PDF of the current programme version is on disk; ``render_into_cache`` finds it;
- cached + read: the same, plus reading the file into memory (what serving it costs at most).

Each case reports wall time and CPU time (user + system, ``getrusage`` of the process and of the
child process that runs the Typst compiler, so the queries and the layout are both included). On a
machine that other work shares, wall time says more about the machine than about the code: compare
CPU times, and read the load averages printed before and after.
``--repeat N`` renders each cold case N times (each in a fresh process) and reports the fastest and
the median. Memory is the process's peak resident set size, and how much it grew during the case,
then the peak resident set size of the compiler's child process (never below the process's own
size when it starts the child, which begins as a copy of it; the two peaks are not at the same
moment: the child starts once the process has built the JSON); ``--tracemalloc`` also reports
Python's own peak allocation (slower, so timed separately).

    .venv/bin/python bench/pdf.py --repeat 3          # cold renders three times each
    .venv/bin/python bench/pdf.py --skip-athens       # the synthetic forum only
"""

import argparse
import contextlib
import datetime
import multiprocessing
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 10.0


def _cpu_seconds():
    """CPU time (user + system) of this process and of its children that have ended (the Typst compiler)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _load():
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def _rss_kib():
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


@contextlib.contextmanager
def temporary_folder(prefix, *, keep=False):
    """A folder for one run's database, media and PDFs: removed at the end, or kept (and said so) with ``keep``."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield folder
    finally:
        if keep:
            print(f"Kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def _setup(workdir):
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "gfmd_portal.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _athens():
    from programme.management.commands.load_programme import DATA_DIR
    from programme.services import programme_load

    return programme_load(path=DATA_DIR / "athens-2009.json")


def _atomic(function):
    """transaction.atomic, imported once Django is set up."""

    def wrapper(*args, **kwargs):
        from django.db import transaction

        with transaction.atomic():
            return function(*args, **kwargs)

    return wrapper


LOREM = (
    "Migration can be made to work for development when the rights of migrants are protected, when "
    "diasporas are engaged as partners and when policies of countries of origin and destination are "
    "coherent. Civil society organisations bring the experience of migrants and their families, of "
    "trade unions and of local authorities to this debate, and propose concrete commitments."
)


@_atomic
def _synthetic_forum(session_total):
    """A published forum of ``session_total`` sessions built with bulk_create (no signals, fast)."""
    from roundtables.models import Forum, Roundtable, Status, Theme
    from sessions.models import Issue, Organisation, Participation, Person, Room, Session

    per_roundtable = 15
    roundtable_total = -(-session_total // per_roundtable)
    forum = Forum.objects.create(
        name=f"Civil Society Days, Synthetic {session_total}",
        slug=f"synthetic-{session_total}",
        city="Genève",
        country="Suisse",
        venue="Centre international de conférences",
        starts_on=datetime.date(2030, 11, 4),
        ends_on=datetime.date(2030, 11, 6),
        time_zone="Europe/Zurich",
        status=Status.PUBLISHED,
        description=LOREM,
    )
    rooms = Room.objects.bulk_create(Room(forum=forum, name=f"Salle {i}", capacity=80, position=i) for i in range(1, 9))
    themes = list(Theme.objects.all()[:12]) or Theme.objects.bulk_create(
        Theme(name=f"Theme {i}", slug=f"bench-theme-{i}") for i in range(1, 13)
    )
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Organisation « {i} » ({session_total})", slug=f"bench-org-{session_total}-{i}")
        for i in range(1, 41)
    )
    people = Person.objects.bulk_create(
        Person(name=f"Persona Núñez {i}", slug=f"bench-person-{session_total}-{i}", organisation=organisations[i % 40])
        for i in range(1, 201)
    )
    roundtables = Roundtable.objects.bulk_create(
        Roundtable(
            forum=forum,
            number=n,
            title=f"Roundtable {n}: partnerships for migration and human development – ¿qué sigue?",
            slug=f"roundtable-{n}",
            background=f"{LOREM}\n\n{LOREM}",
        )
        for n in range(1, roundtable_total + 1)
    )
    zone = forum.zone
    slots = [(day, hour) for day in range(3) for hour in (9, 11, 14, 16)]
    sessions = []
    for index in range(session_total):
        roundtable = roundtables[index // per_roundtable]
        day, hour = slots[(index // len(rooms)) % len(slots)]
        starts_at = datetime.datetime.combine(
            forum.starts_on + datetime.timedelta(days=day), datetime.time(hour, 0), tzinfo=zone
        )
        sessions.append(
            Session(
                roundtable=roundtable,
                number=index % per_roundtable + 1,
                title=f"Session {index + 1}: “Safe, orderly and regular” migration and decent work",
                slug=f"session-{index % per_roundtable + 1}",
                background=f"{LOREM}\n\n{LOREM}",
                starts_at=starts_at,
                ends_at=starts_at + datetime.timedelta(minutes=90),
                room=rooms[index % len(rooms)],
                status=Status.PUBLISHED,
            )
        )
    sessions = Session.objects.bulk_create(sessions)
    Through = Session.themes.through
    Through.objects.bulk_create(
        Through(session_id=s.pk, theme_id=themes[(i + k) % len(themes)].pk)
        for i, s in enumerate(sessions)
        for k in range(3)
    )
    Participation.objects.bulk_create(
        Participation(session=s, person=people[(i * 4 + k) % len(people)], role=role, position=k)
        for i, s in enumerate(sessions)
        for k, role in enumerate(["chair", "moderator", "speaker", "speaker", "rapporteur"])
    )
    issues = Issue.objects.bulk_create(
        Issue(session=s, kind=kind, text=f"{kind.replace('_', ' ').capitalize()} {k}: {LOREM[:140]}", position=k)
        for s in sessions
        for k, kind in enumerate(["main_issue", "main_issue", "proposed_theme"], start=1)
    )
    Issue.objects.bulk_create(
        Issue(session_id=issue.session_id, parent=issue, kind="point", text=f"Sub-point {k}: {LOREM[:90]}", position=k)
        for issue in issues
        for k in range(1, 3)
    )
    from core.programme_version import programme_bump

    programme_bump()
    return forum


def _large_forum(session_total, *, own_builder=False):
    """The project's ``make_synthetic_forum`` forum when that command exists, else this script's own."""
    import io

    from django.core.management import call_command, get_commands

    from roundtables.models import Forum

    if not own_builder and "make_synthetic_forum" in get_commands():
        slug = f"bench-synthetic-{session_total}"
        call_command("make_synthetic_forum", slug=slug, sessions=session_total, stdout=io.StringIO())
        return Forum.objects.get(slug=slug), "make_synthetic_forum"
    return _synthetic_forum(session_total), "bench/pdf.py's builder"


def _case(forum_pk, language, case, with_tracemalloc, queue):
    """One measurement, in a forked child: time, peak RSS, growth of RSS, optional tracemalloc peak."""
    from django.db import connections

    from roundtables.models import Forum
    from sessions.pdf import content, store

    connections.close_all()
    forum = Forum.objects.get(pk=forum_pk)
    export = content.export_for(content.BOOKLET, forum, language=language)
    before = _rss_kib()
    if with_tracemalloc:
        tracemalloc.start()
    cpu_started = _cpu_seconds()
    started = time.perf_counter()
    cached = store.render_into_cache(export)
    if case == "cached + read":
        cached.path.read_bytes()
    elapsed = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu_started
    traced = tracemalloc.get_traced_memory()[1] if with_tracemalloc else None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    queue.put(
        {
            "seconds": elapsed,
            "cpu_seconds": cpu,
            "peak_rss_mib": peak / 1024,
            "rss_growth_mib": max(0, peak - before) / 1024,
            "child_peak_rss_mib": child_peak / 1024,
            "traced_peak_mib": traced / 1024 / 1024 if traced is not None else None,
            "path": str(cached.path),
        }
    )


def _measure(forum, language, case, with_tracemalloc=False):
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_case, args=(forum.pk, language, case, with_tracemalloc, queue))
    process.start()
    result = queue.get(timeout=600)
    process.join()
    return result


def _summary(runs, key):
    values = sorted(run[key] for run in runs)
    if len(values) == 1:
        return f"{values[0]:>8.2f}s {'':>8}"
    return f"{values[0]:>8.2f}s {statistics.median(values):>7.2f}s"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=300, help="sessions of the synthetic forum (default 300)")
    parser.add_argument("--language", default="en", choices=["en", "fr", "es"])
    parser.add_argument("--repeat", type=int, default=1, help="cold renders per forum (default 1)")
    parser.add_argument("--skip-athens", action="store_true", help="measure the synthetic forum only")
    parser.add_argument("--tracemalloc", action="store_true", help="also measure Python's peak allocation")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (PDFs, database)")
    parser.add_argument(
        "--own-builder", action="store_true", help="build the synthetic forum here, not with make_synthetic_forum"
    )
    args = parser.parse_args()

    with temporary_folder("gfmd-bench-pdf-", keep=args.keep) as workdir:
        _setup(workdir)
        from importlib import metadata

        from pypdf import PdfReader

        from sessions.pdf import store

        cache = Path(os.environ["MEDIA_ROOT"]) / store.CACHE_DIR_NAME
        forums = [] if args.skip_athens else [("Athens 2009 demo", _athens())]
        started = time.perf_counter()
        forum, builder = _large_forum(args.sessions, own_builder=args.own_builder)
        forums.append((f"synthetic, {args.sessions} sessions", forum))
        print(f"Built the synthetic forum with {builder} in {time.perf_counter() - started:.1f} s.")
        print(f"typst {metadata.version('typst')} (in a child process), language {args.language}, workdir {workdir}")
        print(f"{os.cpu_count()} CPUs, load average {_load()} (1, 5, 15 min) before\n")
        spread = "median" if args.repeat > 1 else ""
        header = (
            f"{'forum':<28} {'case':<14} {'wall':>9} {spread:>8} {'CPU':>9} {spread:>8} {'peak RSS':>10} {'RSS +':>9}"
            f" {'child RSS':>10}"
        )
        if args.tracemalloc:
            header += f" {'py peak':>9}"
        print(header)
        print("-" * len(header))
        results = {}
        for label, forum in forums:
            for case in ("cold", "cached", "cached + read"):
                runs = []
                for _ in range(args.repeat if case == "cold" else 1):
                    if case == "cold":
                        shutil.rmtree(cache, ignore_errors=True)
                    runs.append(_measure(forum, args.language, case))
                results[(label, case)] = runs
                line = (
                    f"{label:<28} {case:<14} {_summary(runs, 'seconds')} {_summary(runs, 'cpu_seconds')}"
                    f" {max(run['peak_rss_mib'] for run in runs):>8.0f}MiB"
                    f" {max(run['rss_growth_mib'] for run in runs):>7.0f}MiB"
                    f" {max(run['child_peak_rss_mib'] for run in runs):>8.0f}MiB"
                )
                if args.tracemalloc:
                    if case == "cold":
                        shutil.rmtree(cache, ignore_errors=True)
                    traced = _measure(forum, args.language, case, with_tracemalloc=True)
                    line += f" {traced['traced_peak_mib']:>7.0f}MiB"
                print(line, flush=True)
            path = Path(results[(label, "cold")][-1]["path"])
            pages = len(PdfReader(path).pages)
            print(f"{'':<28} {pages} pages, {path.stat().st_size / 1024:.0f} KiB\n")
        print(f"Load average {_load()} after.")
        cold = results[(forums[-1][0], "cold")]
        wall = min(run["seconds"] for run in cold)
        cpu = min(run["cpu_seconds"] for run in cold)
        verdict = "within" if wall < TARGET_SECONDS else "OVER"
        print(
            f"{forums[-1][0]}: cold render {wall:.1f} s ({cpu:.1f} s of CPU), {verdict} the {TARGET_SECONDS:.0f} s"
            " target. The worker renders it after each change; visitors get the cached case."
        )


if __name__ == "__main__":
    main()
