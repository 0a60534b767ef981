"""The portal side by side with other programme systems, on the same two programmes: run by hand.

    .venv/bin/python bench/peers.py                          # 15 s per run, 3 rounds (about an hour)
    .venv/bin/python bench/peers.py --duration 5 --rounds 1  # a short look
    .venv/bin/python bench/peers.py --skip-prepare --only programme,session

It needs the peers' folder (``--peers-dir``, by default ``../shared/peers`` beside this tree): its
generator of the two benchmark programmes as neutral JSON (``small``: the Athens 2009 shape, 8
sessions; ``large``: 300 sessions, 400 speakers), its wrk script (one JSON line per run) and, for
each peer whose set-up was run there (``bash peers/wafer/setup.sh``, ``bash peers/pretalx/setup.sh``;
their files are in ``/tmp/peers``), the shell helpers that start and stop it. A peer without its
set-up is left out of the table.

1. Prepares (unless ``--skip-prepare``) a fresh SQLite database, ``bench/results/peers/portal.sqlite3``:
   both programmes, converted by ``bench/peer_programme.py`` and loaded with ``load_programme``; the
   static files; each programme's English booklet rendered into the PDF cache (``render_booklets``).
2. Starts the portal's gunicorn twice (2 sync workers each, ``gunicorn.conf.py``), on 127.0.0.1: with
   ``PAGE_CACHE=0`` (uncached: every page made from the database for its request) and with the page
   cache on. Writes, for each page measured cached, a static file of exactly its size, served by the
   same gunicorn (WhiteNoise): the limit a cached page is compared with.
3. Measures, page by page and interleaved (portal uncached, portal cached, the static file of its
   size, then each peer's equivalent page), ``--rounds`` rounds of ``wrk -t2 -c16 -d<duration>s
   --timeout 60s``, one server under load at a time, the load average printed before each run, and
   a drain after each (requests still queued are answered: two probes in a row answer fast).
4. Prints one Markdown table of medians (requests per second), with the uncached portal's ratio to
   the best peer and the cached portal's ratio to the static file, and writes every run to
   ``bench/results/peers-<time>.json``.

Pages: the programme, a session page and a person page (the session and speaker wafer's set-up
chose, found by code and name), the forum's calendar, search (the portal only) and the booklet PDF
(the portal only, from its disk cache). Only 127.0.0.1 is loaded, for a bounded time.
"""

import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from pages import free_port, portal_environment, start_gunicorn, stop_gunicorn  # noqa: E402
from peer_programme import portal_programme  # noqa: E402

WORK = ROOT / "bench" / "results" / "peers"
PYTHON = ROOT / ".venv" / "bin" / "python"
STATIC_DIR = ROOT / "staticfiles" / "bench-peers"  # served by WhiteNoise under /static/bench-peers/
PEERS_TMP = Path(os.environ.get("PEERS_TMP", "/tmp/peers"))
SIZES = ("small", "large")
PAGES = ("programme", "session", "person", "calendar", "search", "booklet")
PAGE_TITLES = {
    "programme": "programme",
    "session": "session page",
    "person": "person page",
    "calendar": "forum calendar",
    "search": "search",
    "booklet": "booklet PDF from cache",
}
SEARCH_WORDS = "migration"


def run(command, **kwargs):
    return subprocess.run(command, check=True, **kwargs)


# Preparing -------------------------------------------------------------------------------------


def prepare(env, peers_dir):
    started = time.perf_counter()
    WORK.mkdir(parents=True, exist_ok=True)
    run([sys.executable, str(peers_dir / "programme" / "gen_programme.py"), str(WORK)], stdout=subprocess.DEVNULL)
    database = WORK / "portal.sqlite3"
    for leftover in WORK.glob("portal.sqlite3*"):
        leftover.unlink()
    shutil.rmtree(WORK / "media", ignore_errors=True)
    manage = [str(PYTHON), "manage.py"]
    run([*manage, "migrate", "--noinput", "--verbosity", "0"], cwd=ROOT, env=env)
    for size in SIZES:
        neutral = json.loads((WORK / f"{size}.json").read_text(encoding="utf-8"))
        portal_file = WORK / f"{size}-portal.json"
        portal_file.write_text(json.dumps(portal_programme(neutral), indent=1, ensure_ascii=False))
        run([*manage, "load_programme", str(portal_file)], cwd=ROOT, env=env)
    run([*manage, "collectstatic", "--noinput", "--verbosity", "0"], cwd=ROOT, env=env)
    for size in SIZES:
        slug = json.loads((WORK / f"{size}.json").read_text(encoding="utf-8"))["slug"]
        run([*manage, "render_booklets", "--forum", slug, "--language", "en"], cwd=ROOT, env=env)
    print(f"Prepared {database} in {time.perf_counter() - started:.0f} s.", flush=True)


def wafer_targets(size):
    path = PEERS_TMP / "wafer" / f"targets-{size}.json"
    return json.loads(path.read_text()) if path.exists() else None


def portal_paths(size):
    """The portal's address of each page for programme ``size``: the session and person wafer measures."""
    neutral = json.loads((WORK / f"{size}.json").read_text(encoding="utf-8"))
    portal = json.loads((WORK / f"{size}-portal.json").read_text(encoding="utf-8"))
    targets = wafer_targets(size) or {}
    code = targets.get("talk_source_code") or neutral["sessions"][0]["code"]
    forum = portal["forum"]["slug"]
    roundtable, session = next(
        (roundtable, session)
        for roundtable in portal["roundtables"]
        for session in roundtable["sessions"]
        if session["code"] == code
    )
    handle = targets.get("speaker_path", "").strip("/").split("/")[-1]
    speaker = next(
        (item for item in neutral["speakers"] if item["email"].split("@")[0] == handle),
        neutral["speakers"][0],
    )
    person = next(item for item in portal["people"] if item["name"] == speaker["name"])
    return {
        "programme": f"/en/forums/{forum}/programme/",
        "session": f"/en/forums/{forum}/roundtables/{roundtable['slug']}/{session['slug']}/",
        "person": f"/en/people/{person['slug']}/",
        "calendar": f"/en/forums/{forum}/calendar.ics",
        "search": f"/en/search/?q={SEARCH_WORDS}",
        "booklet": f"/en/forums/{forum}/programme.pdf",
    }


# Peers -----------------------------------------------------------------------------------------


class Peer:
    """A peer system started and stopped with its own shell helpers (``<name>/env.sh``)."""

    def __init__(self, name, peers_dir, port, one_server_per_size):
        self.name = name
        self.env_sh = peers_dir / name / "env.sh"
        self.url = f"http://127.0.0.1:{port}"
        self.one_server_per_size = one_server_per_size
        self.running = None

    def shell(self, command):
        run(["bash", "-c", f"source {self.env_sh} && {command}"], stdout=subprocess.DEVNULL)

    def start(self, size):
        if self.running == size or (self.running and not self.one_server_per_size):
            return
        self.stop()
        if self.name == "pretalx":
            self.shell("redis_start")
        self.shell(f"gunicorn_start {size}")
        self.running = size

    def stop(self):
        if self.running:
            self.shell("gunicorn_stop")
            if self.name == "pretalx":
                self.shell("redis_stop")
        self.running = None


class Wafer(Peer):
    def __init__(self, peers_dir):
        super().__init__("wafer", peers_dir, int(os.environ.get("WF_PORT", "8392")), one_server_per_size=True)

    @staticmethod
    def available():
        return all(wafer_targets(size) for size in SIZES)

    def paths(self, size):
        targets = wafer_targets(size)
        return {
            "programme": "/schedule/",
            "session": targets["talk_path"],
            "person": targets["speaker_path"],
            "calendar": "/schedule/schedule.ics",
        }


class Pretalx(Peer):
    def __init__(self, peers_dir):
        super().__init__("pretalx", peers_dir, int(os.environ.get("PX_PORT", "8391")), one_server_per_size=False)

    @staticmethod
    def targets(size):
        path = PEERS_TMP / "pretalx" / f"targets-{size}.json"
        return json.loads(path.read_text()) if path.exists() else None

    @classmethod
    def available(cls):
        return all(cls.targets(size) for size in SIZES)

    def paths(self, size):
        targets = self.targets(size)
        slug = targets["slug"]
        return {
            "programme": f"/{slug}/schedule/nojs",
            "session": f"/{slug}/talk/{targets['talk']}/",
            "person": f"/{slug}/speaker/{targets['speaker']}/",
            "calendar": f"/{slug}/schedule.ics",
        }


# Measuring -------------------------------------------------------------------------------------


def fetch(url, timeout=180):
    request = urllib.request.Request(url, headers={"Accept": "text/html,*/*;q=0.8"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=timeout) as response:
        body = response.read()
        return response.status, body, time.perf_counter() - started


def drain(url, rps):
    """Wait until two probes in a row answer fast: the requests queued during the run are done."""
    fast = max(0.25, 3 * 2 / max(rps, 0.1))  # a few times one request's time with 2 workers
    deadline = time.monotonic() + 300
    in_a_row = 0
    while in_a_row < 2 and time.monotonic() < deadline:
        try:
            seconds = fetch(url)[2]
        except OSError:
            seconds = fast + 1
        in_a_row = in_a_row + 1 if seconds <= fast else 0
    time.sleep(0.5)


def load_average():
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def wrk(url, duration, lua):
    command = ["wrk", "-t2", "-c16", f"-d{duration}s", "--timeout", "60s", "-s", str(lua), url]
    output = subprocess.run(command, capture_output=True, text=True, timeout=duration + 120, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def measure(label, url, duration, lua, results, key):
    average = load_average()
    fetch(url)  # warm: the first request fills the worker's cache or opens its files
    drain(url, wrk(url, 2, lua)["rps"])  # at the page's own rate: a slow page's probes are never fast
    line = wrk(url, duration, lua)
    errors = sum(line[name] for name in line if name.startswith("err_"))
    print(
        f"  load {average} | {label:<34} {line['rps']:8.1f} rps  p50 {line['p50_ms']:7.1f} ms  "
        f"p99 {line['p99_ms']:7.1f} ms  errors {errors}",
        flush=True,
    )
    results.setdefault(key, []).append({**line, "load_average": average, "url": url})
    drain(url, line["rps"])


def write_static_twins(base_urls, paths):
    """A static file of the size of each cached page, named after it; returns {(size, page): path}."""
    shutil.rmtree(STATIC_DIR, ignore_errors=True)
    STATIC_DIR.mkdir(parents=True)
    twins = {}
    for (size, page), path in paths.items():
        if page == "search":
            continue
        status, body, _ = fetch(base_urls["cached"] + path)
        if status != 200:
            continue
        name = f"{size}-{page}.html"
        (STATIC_DIR / name).write_bytes(b"x" * len(body))
        twins[(size, page)] = f"/static/bench-peers/{name}"
    return twins


def median(runs, key):
    values = [run[key] for run in runs]
    return statistics.median(values) if values else None


def table(results, peers, rounds, duration):
    def rps(key):
        runs = results.get(key, [])
        return median(runs, "rps") if runs else None

    def cell(value):
        return "" if value is None else f"{value:.1f}"

    names = [peer.name for peer in peers]
    lines = [
        f"Requests per second, medians of {rounds} round(s) of `wrk -t2 -c16 -d{duration}s`; "
        "gunicorn 2 sync workers each; SQLite.",
        "",
        "| page | portal uncached | portal cached | static file, same size | "
        + " | ".join(names)
        + (" | " if names else "")
        + "uncached ÷ best peer | cached ÷ static |",
        "| --- | --- | --- | --- | " + "--- | " * len(names) + "--- | --- |",
    ]
    for page in PAGES:
        for size in SIZES:
            uncached = rps(("portal-uncached", size, page))
            cached = rps(("portal-cached", size, page))
            static = rps(("static", size, page))
            peer_values = [rps((name, size, page)) for name in names]
            best = max((value for value in peer_values if value), default=None)
            ratio_peer = f"{uncached / best:.2f}" if uncached and best else ""
            ratio_static = f"{cached / static:.2f}" if cached and static else ""
            if not any([uncached, cached, static, *peer_values]):
                continue
            label = f"{PAGE_TITLES[page]}, {'8' if size == 'small' else '300'} sessions"
            lines.append(
                f"| {label} | {cell(uncached)} | {cell(cached)} | {cell(static)} | "
                + "".join(f"{cell(value)} | " for value in peer_values)
                + f"{ratio_peer} | {ratio_static} |"
            )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds per wrk run (5 to 60)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-prepare", action="store_true", help="reuse bench/results/peers/ as it is")
    parser.add_argument("--peers-dir", type=Path, default=ROOT.parent / "shared" / "peers")
    parser.add_argument("--only", default=",".join(PAGES), help=f"pages to measure, of {','.join(PAGES)}")
    parser.add_argument("--sizes", default=",".join(SIZES), help="programmes: small,large")
    parser.add_argument("--no-peers", action="store_true", help="measure the portal (and static files) only")
    parser.add_argument(
        "--max-requests", default=None, help="the workers' max_requests (GUNICORN_MAX_REQUESTS; 0: never recycled)"
    )
    options = parser.parse_args()
    if not 5 <= options.duration <= 60:
        parser.error("--duration must be from 5 to 60 seconds")
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    pages = [page for page in options.only.split(",") if page]
    sizes = [size for size in options.sizes.split(",") if size]
    if unknown := (set(pages) - set(PAGES)) | (set(sizes) - set(SIZES)):
        parser.error(f"unknown: {', '.join(sorted(unknown))}")
    lua = options.peers_dir / "lib" / "report.lua"

    env = portal_environment(f"sqlite:///{WORK / 'portal.sqlite3'}")
    env["MEDIA_ROOT"] = str(WORK / "media")
    if options.max_requests is not None:
        env["GUNICORN_MAX_REQUESTS"] = options.max_requests
    if not options.skip_prepare:
        prepare(env, options.peers_dir)
    peers = []
    if not options.no_peers:
        peers = [peer for peer in (Wafer(options.peers_dir), Pretalx(options.peers_dir)) if peer.available()]
    print(f"Peers: {', '.join(peer.name for peer in peers) or 'none set up'}", flush=True)

    paths = {(size, page): path for size in sizes for page, path in portal_paths(size).items() if page in pages}
    servers, base_urls = {}, {}
    results = {}
    try:
        for mode, page_cache in (("uncached", "0"), ("cached", "1")):
            port = free_port()
            servers[mode] = start_gunicorn({**env, "PAGE_CACHE": page_cache}, port, WORK / f"gunicorn-{mode}.log")
            base_urls[mode] = f"http://127.0.0.1:{port}"
        twins = write_static_twins(base_urls, paths)
        # WhiteNoise lists the static files when a worker starts: restart the cached server to serve the twins.
        stop_gunicorn(servers.pop("cached"))
        port = int(base_urls["cached"].rsplit(":", 1)[1])
        servers["cached"] = start_gunicorn({**env, "PAGE_CACHE": "1"}, port, WORK / "gunicorn-cached.log")

        for round_number in range(1, options.rounds + 1):
            print(f"Round {round_number} of {options.rounds}", flush=True)
            for size in sizes:
                for peer in peers:
                    peer.start(size)
                for page in pages:
                    path = paths[(size, page)]
                    if page != "booklet":
                        key = ("portal-uncached", size, page)
                        measure(
                            f"portal uncached {size} {page}",
                            base_urls["uncached"] + path,
                            options.duration,
                            lua,
                            results,
                            key,
                        )
                    if page != "search":
                        key = ("portal-cached", size, page)
                        measure(
                            f"portal cached {size} {page}",
                            base_urls["cached"] + path,
                            options.duration,
                            lua,
                            results,
                            key,
                        )
                    if (size, page) in twins:
                        key = ("static", size, page)
                        measure(
                            f"static file {size} {page}",
                            base_urls["cached"] + twins[(size, page)],
                            options.duration,
                            lua,
                            results,
                            key,
                        )
                    for peer in peers:
                        peer.start(size)
                        peer_path = peer.paths(size).get(page)
                        if peer_path:
                            measure(
                                f"{peer.name} {size} {page}",
                                peer.url + peer_path,
                                options.duration,
                                lua,
                                results,
                                (peer.name, size, page),
                            )
            for peer in peers:
                peer.stop()
    finally:
        for peer in peers:
            peer.stop()
        for server in servers.values():
            stop_gunicorn(server)
        shutil.rmtree(STATIC_DIR, ignore_errors=True)

    print()
    print(table(results, peers, options.rounds, options.duration))
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = ROOT / "bench" / "results" / f"peers-{stamp}.json"
    out.write_text(json.dumps({" ".join(key): runs for key, runs in results.items()}, indent=1))
    print(f"\nEvery run: {out}")


if __name__ == "__main__":
    main()
