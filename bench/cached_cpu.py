"""CPU time per request, in process, of cached pages and PDFs against a static file of the same size.

    .venv/bin/python bench/peers.py --no-peers --only programme,session,person,booklet --rounds 1  # once
    .venv/bin/python bench/cached_cpu.py              # 1000 requests per page, best of 3 rounds
    .venv/bin/python bench/cached_cpu.py --tree /some/other/checkout --requests 500

Uses what ``peers.py`` prepared (``bench/results/peers/``: its SQLite database and the booklets in
its PDF cache) with the page cache on. Each page is requested through the WSGI application, as
gunicorn would call it, with no cookie (an anonymous visitor), and so is a static file of exactly its
size that WhiteNoise serves under ``/static/bench-cpu/`` (written to ``bench/results/cached-cpu/``).
A file sent whole is handed to the server's file wrapper, as gunicorn's sendfile would take it: its
bytes are not read here. Prints the CPU time per request (``time.process_time``, best of the
rounds) of each, and static ÷ cached: above 1, a cached page costs less CPU than its static twin.

``--tree`` measures another checkout (an earlier commit, say) on the same prepared data. Everything
runs in this one process, so the load of the machine matters less than for requests per second.
"""

import argparse
import io
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / "results" / "peers"
TWINS = HERE / "results" / "cached-cpu"
PAGES = ("programme", "session", "person", "booklet")


def page_paths():
    sys.path.insert(0, str(HERE))
    from peers import portal_paths

    return {
        f"{size}-{page}": path
        for size in ("small", "large")
        for page, path in portal_paths(size).items()
        if page in PAGES
    }


class FileWrapper:
    """The server's ``wsgi.file_wrapper``: a sendfile, so nothing is read in Python."""

    def __init__(self, filelike, block_size=8192):
        self.filelike = filelike

    def __iter__(self):
        return iter(())

    def close(self):
        self.filelike.close()


def make_caller(app):
    def call(path):
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1:8000",
            "HTTP_ACCEPT": "*/*",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
            "wsgi.file_wrapper": FileWrapper,
        }
        answer = {}

        def start_response(status, headers, exc_info=None):
            answer["status"] = status

        body = app(environ, start_response)
        if isinstance(body, FileWrapper):
            size = os.fstat(body.filelike.fileno()).st_size
        else:
            size = sum(len(chunk) for chunk in body)
        body.close()
        return answer["status"], size

    return call


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, default=HERE.parent, help="the checkout to measure")
    parser.add_argument("--requests", type=int, default=1000, help="requests per page and round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    paths = page_paths()
    os.chdir(args.tree)
    sys.path.insert(0, str(args.tree))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="gfmd_portal.settings",
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only-secret-key-not-for-production-use-0123456789"),
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DEBUG="0",
        HTTPS="0",
        DATABASE_URL=f"sqlite:///{WORK / 'portal.sqlite3'}",
        MEDIA_ROOT=str(WORK / "media"),
        LOG_LEVEL="WARNING",
        PAGE_CACHE="1",
    )
    import django

    django.setup()
    from django.test import Client
    from whitenoise.middleware import WhiteNoiseMiddleware

    TWINS.mkdir(parents=True, exist_ok=True)
    for name, path in paths.items():  # the static twins, written before WhiteNoise lists its files
        response = Client(HTTP_HOST="127.0.0.1:8000").get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        (TWINS / f"{name}.html").write_bytes(b"x" * len(body))

    original_init = WhiteNoiseMiddleware.__init__

    def init_with_twins(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self.add_files(str(TWINS), prefix="/static/bench-cpu/")

    WhiteNoiseMiddleware.__init__ = init_with_twins
    from django.core.wsgi import get_wsgi_application

    call = make_caller(get_wsgi_application())
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"load {load} | tree {args.tree}", flush=True)
    results = {}
    for name, path in paths.items():
        twin = f"/static/bench-cpu/{name}.html"
        for _ in range(3):  # stored, then kept as it goes out
            status, size = call(path)
        twin_status, twin_size = call(twin)
        if not (status.startswith("200") and twin_status.startswith("200") and twin_size == size):
            raise SystemExit(f"{name}: {status} {size} B, its twin {twin_status} {twin_size} B")
        best = {"cached": float("inf"), "static": float("inf")}
        for _ in range(args.rounds):
            for kind, address in (("cached", path), ("static", twin)):
                started = time.process_time()
                for _ in range(args.requests):
                    call(address)
                best[kind] = min(best[kind], (time.process_time() - started) / args.requests * 1e6)
        results[name] = {"bytes": size, **best}
        print(
            f"{name:<16} {size:>9} B  cached {best['cached']:6.1f} µs  static {best['static']:6.1f} µs  "
            f"static ÷ cached {best['static'] / best['cached']:5.2f}",
            flush=True,
        )
    (HERE / "results" / "cached-cpu.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
