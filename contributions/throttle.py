"""How many contributions one address may send: counted in Django's cache, so every process shares
the count when the cache is Redis."""

from django.conf import settings
from django.core.cache import cache

from gfmd_portal.security import client_address as _proxy_aware_address


def client_address(request):
    """The submitter's address: REMOTE_ADDR, or the first X-Forwarded-For hop when the proxy is
    trusted (TRUST_X_FORWARDED_PROTO, as for the admin's login throttle)."""
    return _proxy_aware_address(request) or "unknown"


def _key(address):
    return f"contributions:submissions:{address}"


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
