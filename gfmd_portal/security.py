"""Admin login throttling: a pause after repeated failed passwords, per address and per account.

Failures are counted in Django's cache, so with Redis configured every server shares the count.
"""

import hashlib

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def client_address(request):
    """The visitor's address: REMOTE_ADDR, or the proxy's X-Forwarded-For when the proxy is trusted."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


def _keys(request, username):
    account = hashlib.sha256((username or "").strip().lower().encode()).hexdigest()[:32]
    return [f"login-failures:addr:{client_address(request)}", f"login-failures:user:{account}"]


def login_is_blocked(request, username):
    limit = settings.LOGIN_FAILURE_LIMIT
    return any((cache.get(key) or 0) >= limit for key in _keys(request, username))


def login_failed(request, username):
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    for key in _keys(request, username):
        if not cache.add(key, 1, timeout=window):
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, timeout=window)


def login_succeeded(request, username):
    cache.delete_many(_keys(request, username))


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "throttled": _(
            "Too many failed attempts to log in. For your account's safety, please wait %(minutes)s "
            "minutes and try again."
        ),
    }

    def clean(self):
        username = self.data.get("username", "")
        if self.request is not None and login_is_blocked(self.request, username):
            raise ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)},
            )
        try:
            cleaned_data = super().clean()
        except ValidationError:
            if self.request is not None:
                login_failed(self.request, username)
            raise
        if self.request is not None:
            login_succeeded(self.request, username)
        return cleaned_data
