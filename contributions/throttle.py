"""How many contributions one address may send: counted in Django's cache, so every process shares
the count when the cache is Redis.

The address is ``core.security.client_address``, the same one the admin login throttle counts:
REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the hop the nearest trusted proxy appended to
X-Forwarded-For, never a hop the client wrote."""

from django.conf import settings
from django.core.cache import cache

from core.security import client_address

__all__ = ["client_address", "submission_record", "submissions_exhausted"]


def _key(address):
    return f"contributions:submissions:{address or 'unknown'}"


def submissions_exhausted(address):
    """True once ``address`` has sent CONTRIBUTION_RATE_LIMIT submissions within the window."""
    return (cache.get(_key(address)) or 0) >= settings.CONTRIBUTION_RATE_LIMIT


def submission_record(address):
    """Count one more submission from ``address``; the window starts with its first one."""
    key = _key(address)
    cache.add(key, 0, timeout=settings.CONTRIBUTION_RATE_WINDOW)
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.set(key, 1, timeout=settings.CONTRIBUTION_RATE_WINDOW)
        return 1
