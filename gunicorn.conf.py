"""gunicorn settings for the portal; HOST, PORT, WEB_CONCURRENCY and GUNICORN_TIMEOUT override."""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", max(2, multiprocessing.cpu_count())))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Workers are not recycled (GUNICORN_MAX_REQUESTS=0, the default; set it to recycle a worker after
# that many requests, with a tenth of it as jitter). Measured on 2 sync workers (bench/peers.py, a
# 9 KiB static file, wrk -c16 -d10s, one run, load average about 7): with max_requests=2000 a worker
# restarts every few seconds at these rates, and the static file gave 186 requests/s with a p99 of
# 4.7 s; without recycling 387 requests/s, p99 55 ms. A restart also empties the worker's page
# cache (the local-memory cache without Redis). Nothing here needs recycling: PDFs are laid out by
# the task worker (db_worker), not by web workers, except bounded staff previews.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
