"""/healthz: database (and shared cache, when configured) reachability for a load balancer.

Pages survive a cache outage (they are made without it), but /healthz still reports it, so that
operators and the load balancer see it.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache():
    probe = getattr(cache, "probe", None)
    if probe is not None:  # the portal's Redis backend, which otherwise hides an outage (cache_backends.py)
        probe()
        return
    key = "healthz-probe"
    value = str(time.monotonic())
    cache.set(key, value, timeout=10)
    if cache.get(key) != value:
        raise RuntimeError("cache did not return what was stored")


@never_cache
def healthz(request):
    checks = {"database": _check_database}
    if settings.REDIS_URL:
        checks["cache"] = _check_cache
    results = {}
    healthy = True
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except Exception as error:  # any failure means unhealthy, reported by name
            results[name] = f"error: {error.__class__.__name__}"
            healthy = False
    return JsonResponse({"status": "ok" if healthy else "error", "checks": results}, status=200 if healthy else 503)
