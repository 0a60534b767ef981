"""The shared cache as the portal uses it: Redis, where an outage means an empty cache, not an error.

Everything the portal keeps in the cache can be made again or counted again (whole pages, rate
limits), so when Redis cannot be reached or fails, ``ResilientRedisCache`` answers every read with
a miss and drops every write, and the page is simply made from the database. Each failure is logged,
at most once a minute per process (``core.outage.log_outage``). After a failure the cache is not asked again for
``RETRY_AFTER_SECONDS`` (by that thread), so that a Redis that does not answer costs a request its connect timeout
once in that time, not on every call.

``/healthz`` asks Redis itself through ``probe()``, which raises, so a load balancer still sees
the outage (503).

Django's own Redis backend does the work; django-redis's ``IGNORE_EXCEPTIONS`` option does the same
swallowing but logs every failed call with its traceback and retries on each call, which floods the
log and slows every request for as long as the outage lasts.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

from .outage import log_outage

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


class CacheUnavailable(ValueError):
    """``incr`` of a key in an unreachable cache: a missing key, as Django's contract has it (ValueError)."""


class ResilientRedisCache(RedisCache):
    """Django's Redis cache that treats an unreachable or failing Redis as an empty cache (see the module)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._down_until = 0.0  # Django makes one backend object per thread

    # Failure bookkeeping ---------------------------------------------------------------------------

    def _is_resting(self):
        return time.monotonic() < self._down_until

    def _failed(self, action, error):
        self._down_until = time.monotonic() + RETRY_AFTER_SECONDS
        log_outage(
            logger,
            "cache",
            "Cache unavailable (%s on %s: %s); serving without it, next try in %s s.",
            type(error).__name__,
            action,
            error,
            RETRY_AFTER_SECONDS,
        )

    def _call(self, action, fallback, method, *args, **kwargs):
        if self._is_resting():
            return fallback
        try:
            return method(*args, **kwargs)
        except RedisError as error:
            self._failed(action, error)
            return fallback

    def probe(self):
        """Write and read back a value in Redis itself; raises on any failure. For health checks."""
        key = self.make_and_validate_key("healthz-probe")
        value = str(time.monotonic())
        self._cache.set(key, value, 10)
        if self._cache.get(key, None) != value:
            raise RuntimeError("the cache did not return what was stored")
        self._down_until = 0.0

    # The cache API -----------------------------------------------------------------------------------

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", False, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        missing = object()
        result = self._call("incr", missing, super().incr, key, delta, version)
        if result is missing:
            raise CacheUnavailable(f"Key '{key}' not found: the cache is unavailable.")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, super().delete_many, keys, version)

    def clear(self):
        return self._call("clear", False, super().clear)
