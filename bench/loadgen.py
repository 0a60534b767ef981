"""A small HTTP load generator, for when wrk is not installed: keep-alive connections on threads.

    .venv/bin/python bench/loadgen.py http://127.0.0.1:8110/en/ --connections 16 --duration 10

Each of ``--connections`` threads keeps one HTTP/1.1 connection open and sends GET requests one
after another until the time is up; the latency of each request is recorded. Python's threads
share one interpreter lock, so on a small machine the generator itself can be the limit: prefer
wrk when it is available (bench/pages.py does).
"""

import argparse
import http.client
import json
import statistics
import threading
import time
from urllib.parse import urlsplit


def percentile(sorted_values, fraction):
    """The value below which ``fraction`` of the values fall (nearest rank)."""
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


def run(url, *, connections=16, duration=10.0, timeout=30.0):
    """Load ``url`` for ``duration`` seconds; returns requests per second, latencies (ms) and errors."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    lock = threading.Lock()
    latencies, statuses, errors = [], {}, []
    deadline = time.perf_counter() + duration
    start_barrier = threading.Barrier(connections + 1)

    def worker():
        local_latencies, local_statuses, local_errors = [], {}, 0
        connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout)
        start_barrier.wait()
        while time.perf_counter() < deadline:
            target = path
            began = time.perf_counter()
            try:
                connection.request("GET", target, headers={"Host": parts.netloc})
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                local_errors += 1
                connection.close()
                connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout)
                continue
            local_latencies.append((time.perf_counter() - began) * 1000)
            local_statuses[response.status] = local_statuses.get(response.status, 0) + 1
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
                connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout)
        connection.close()
        with lock:
            latencies.extend(local_latencies)
            for status, count in local_statuses.items():
                statuses[status] = statuses.get(status, 0) + count
            errors.append(local_errors)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    start_barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "tool": "python",
        "requests": len(latencies),
        "seconds": round(elapsed, 2),
        "rps": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(percentile(latencies, 0.50), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "mean_ms": round(statistics.fmean(latencies), 2) if latencies else 0.0,
        "non_2xx": sum(count for status, count in statuses.items() if not 200 <= status < 300),
        "errors": sum(errors),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=float, default=10.0)
    args = parser.parse_args()
    if urlsplit(args.url).hostname not in {"127.0.0.1", "localhost", "::1"}:
        parser.error("only loopback addresses are loaded")
    print(json.dumps(run(args.url, connections=args.connections, duration=args.duration)))


if __name__ == "__main__":
    main()
