"""Who is asking, and the admin login throttle.

``client_address`` is the one answer to "which address sent this request", used by the login throttle and by
the contribution limit: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the hop the nearest trusted proxy
wrote into X-Forwarded-For (hops further left are written by the client).

The login throttle is django-axes, configured in settings (AXES_*) and completed here:

- failures are counted per account and, separately, per address, in the database that every process shares;
- the account is named as authentication names it (``login_account_name``), so another spelling of a locked
  name that logs into the same account meets the same lock;
- a successful login forgets only the failures made at that account from that address
  (``forget_own_failures``): never another account's, nor the address's failures at other accounts;
- a refused login shows the login page with a message saying how long to wait, answered 429.
"""

import ipaddress
import math

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _


def client_address(request):
    """The client's address as a normalised IP string, or None when there is none to trust.

    With TRUSTED_PROXY_COUNT = 0 this is REMOTE_ADDR and X-Forwarded-For is ignored. Behind N proxies, each
    appending to X-Forwarded-For the address it received the request from, the client is the N-th hop from the
    right. A header with fewer hops than that, or no address there, did not come through every proxy: the
    address is then REMOTE_ADDR, which the client cannot choose either.
    """
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted > 0:
        hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if len(hops) >= trusted:
            address = _ip(hops[-trusted])
            if address is not None:
                return address
    return _ip(request.META.get("REMOTE_ADDR", ""))


def _ip(value):
    """``value`` as a canonical IP string (an IPv4 client of an IPv6 socket as plain IPv4), or None."""
    try:
        address = ipaddress.ip_address(value.strip().split("%", 1)[0])  # without an IPv6 zone (fe80::1%eth0)
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address)


def login_account_name(request, credentials=None):
    """The account a login attempt is about (AXES_USERNAME_CALLABLE), spelt as authentication spells it.

    The login form normalises the name it is given (NFKC, as the user model's ``normalize_username``), so
    "ｏrganiser" with a fullwidth o logs into "organiser": the lock must be keyed on that same spelling. Case is
    left as typed because the account lookup (ModelBackend, an exact match on SQLite and PostgreSQL) tells
    "Organiser" from "organiser"; a lookup that ignored case would need the case folded here as well.
    """
    username = (request.POST if credentials is None else credentials).get("username")
    if not isinstance(username, str):
        return None
    # No account has a longer name than its field allows, and axes stores at most that many characters.
    return get_user_model().normalize_username(username)[: AccessAttempt._meta.get_field("username").max_length]


def forget_own_failures(request, user):
    """After ``user`` logged in, forget the failures this address made at this account (the owner's typos), and
    nothing else.

    Axes' own AXES_RESET_ON_SUCCESS would clear every failure from the address, at every account, so that
    guessing another account's password between logins to one's own never reached the limit. Axes' cache
    handler keeps only a total per account and per address, so it cannot forget one pair: the database handler
    keeps one row per account, address and browser, and here those of this pair are deleted.
    """
    AccessAttempt.objects.filter(
        username=login_account_name(request, {"username": user.get_username()}),
        ip_address=client_address(request),
    ).delete()


def lockout_minutes(request):
    """How long a lock lasts after the failure that set it (AXES_COOLOFF_TIME), in whole minutes."""
    return max(1, math.ceil(get_cool_off(request).total_seconds() / 60))


def lockout_response(request, original_response, credentials):
    """Axes' answer to a refused login (AXES_LOCKOUT_CALLABLE): the login page, which already says why and how
    long to wait, with the status 429 Too Many Requests."""
    original_response.status_code = settings.AXES_HTTP_RESPONSE_CODE
    return original_response


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin login form, saying so when axes refuses a login and forgetting one's own failures on success.

    The refusal itself happens in ``authenticate()``: AxesStandaloneBackend, first in AUTHENTICATION_BACKENDS,
    stops a locked-out attempt before any password is checked and marks the request ``axes_locked_out``, as
    does the failure that reaches the limit.
    """

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "throttled": _(
            "Too many failed attempts to log in. For your account's safety, please wait %(minutes)s "
            "minutes and try again."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        # AuthenticationForm gives the field its max_length after building it, so no validator enforces it:
        # a longer name would reach authenticate(), and axes' record of the failure (255 characters at most,
        # a database error on PostgreSQL). Refuse it in the form, as any other field would.
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))

    def get_invalid_login_error(self):
        if getattr(self.request, "axes_locked_out", False):
            return ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": lockout_minutes(self.request)},
            )
        return super().get_invalid_login_error()

    def clean(self):
        cleaned_data = super().clean()
        if self.request is not None and self.user_cache is not None:
            forget_own_failures(self.request, self.user_cache)
        return cleaned_data
