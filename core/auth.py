"""Sign-in that holds against guessing: usernames matched without regard to case, django-axes locking a
username and an address after repeated failures, and every outcome written to the `portal.security` log.

Settings (AUTHENTICATION_BACKENDS, AXES_*) point here; README lists the variables behind them.
"""

from __future__ import annotations

import datetime
import json
import logging

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_ip_address, get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.db.models import Case, Max, Q, TextField, Value, When
from django.db.models.expressions import RawSQL
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.roles import Role

security_log = logging.getLogger("portal.security")


class CaseInsensitiveModelBackend(ModelBackend):
    """ModelBackend that finds the user by username regardless of case, so `Zhunan` signs in as `zhunan`.

    Two accounts whose usernames differ only by case are both refused rather than one picked by chance.
    """

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs
    ):
        User = get_user_model()
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        matches = list(User._default_manager.filter(**{f"{User.USERNAME_FIELD}__iexact": username})[:2])
        if len(matches) != 1:
            # Hash anyway, so a missing or ambiguous username takes as long as a wrong password.
            User().set_password(password)
            return None
        user = matches[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id: object):
        """The signed-in user of a request with their membership, its township and its county in the same
        query: every page's header and scope read them (`associations.access`), and loading them one by one
        cost up to three more queries on every request."""
        User = get_user_model()
        try:
            user = (
                User._default_manager.select_related("membership__township__county", "membership__county")
                .annotate(**{_COUNTIES_COLUMN: _counties_of_administrators()})
                .get(pk=user_id)
            )
        except User.DoesNotExist:
            return None
        _keep_counties(user)
        return user if self.user_can_authenticate(user) else None


#: The annotation that carries every county (as JSON) on an administrator's row of `get_user`.
_COUNTIES_COLUMN = "_portal_counties_json"


def _counties_of_administrators() -> Case:
    """Every county as a JSON array of [id, name] ordered by name, for an administrator only (the header's
    county menu lists them all): a subquery of the user-loading query, where it cost a query per page.
    Other roles get NULL and never read the county table."""
    from associations.models import County

    table = connection.ops.quote_name(County._meta.db_table)
    if connection.vendor == "postgresql":
        sql = f"SELECT json_agg(json_build_array(id, name) ORDER BY name)::text FROM {table}"
    else:  # SQLite: json_group_array keeps the order of the ordered subquery it reads
        ordered = f"SELECT id, name FROM {table} ORDER BY name"
        sql = f"SELECT json_group_array(json_array(id, name)) FROM ({ordered})"
    is_administrator = Q(membership__role=Role.ADMIN) | Q(membership__isnull=True, is_superuser=True)
    return Case(When(is_administrator, then=RawSQL(sql, ())), default=Value(None), output_field=TextField())


def _keep_counties(user: object) -> None:
    """Hand the counties loaded with an administrator to `associations.access` for the rest of the request."""
    from associations import access
    from associations.models import County

    loaded = getattr(user, _COUNTIES_COLUMN, None)
    if loaded is None:
        return
    counties = [County.from_db(connection.alias, ["id", "name"], row) for row in json.loads(loaded)]
    access.keep_loaded_counties(user, counties)


def stored_username(username: str) -> str:
    """The spelling already stored for `username` in another case, or `username` itself when there is none
    (or more than one), so that creating `Zhunan` updates `zhunan` instead of adding a look-alike account."""
    User = get_user_model()
    field = User.USERNAME_FIELD
    found = list(
        User._default_manager.filter(**{f"{field}__iexact": username}).values_list(field, flat=True)[:2]
    )
    return found[0] if len(found) == 1 else username


def lockout_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """AXES_USERNAME_CALLABLE: the username as axes counts it, folded to lower case so that guessing
    `ZHUNAN`, `Zhunan` and `zhunan` all count against one account."""
    field = settings.AXES_USERNAME_FORM_FIELD
    username = credentials.get(field) if credentials else request.POST.get(field)
    return username.strip().lower() if isinstance(username, str) else None


def client_address(request: HttpRequest) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the visitor's address.

    Behind TRUSTED_PROXY_COUNT reverse proxies that each append to X-Forwarded-For, the address the
    outermost proxy saw is that many entries from the right; anything further left was sent by the client
    and may be forged. Without proxies (or without the header) it is REMOTE_ADDR.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


class PortalAxesHandler(AxesDatabaseHandler):
    """The database handler, except that a successful sign-in clears only the failures of that username from
    that address: axes would otherwise clear every failure from the address, so anyone holding one account
    could wipe the count of their guesses at other accounts by signing in between them."""

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        count, _ = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials), ip_address=request.axes_ip_address
        ).delete()
        return count


def locked_until(request: HttpRequest, credentials: dict | None = None) -> datetime.datetime | None:
    """When every failure that keeps this request locked out has aged past the cool-off, or None when the
    lock has no cool-off."""
    cool_off = get_cool_off(request)
    if cool_off is None:
        return None
    attempts = AxesProxyHandler.get_implementation().get_user_attempts(request, credentials)
    latest = [queryset.aggregate(latest=Max("attempt_time"))["latest"] for queryset in attempts]
    latest = [moment for moment in latest if moment is not None]
    return max(latest) + cool_off if latest else None


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the page a locked-out visitor sees, saying when to try again."""
    context = {"until": locked_until(request, credentials)}
    return render(request, "registration/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)


def log_sign_in(sender: object, request: HttpRequest | None, user, **kwargs: object) -> None:
    _log(logging.INFO, "succeeded", request, user.get_username(), user=user)


def log_sign_in_failure(
    sender: object, credentials: dict, request: HttpRequest | None = None, **kwargs
) -> None:
    _log(logging.WARNING, "failed", request, credentials.get(get_user_model().USERNAME_FIELD))


def log_lockout(sender: object, request: HttpRequest | None, username: str | None, **kwargs: object) -> None:
    _log(logging.WARNING, "locked out", request, username)


_KINDS = {"succeeded": "sign_in", "failed": "sign_in_failed", "locked out": "lockout"}


def _log(level: int, outcome: str, request: HttpRequest | None, username: str | None, user=None) -> None:
    from core.security import record

    address = get_client_ip_address(request) if request is not None else None
    record(_KINDS[outcome], user=user, username=username or "", address=address)
    security_log.log(
        level,
        "sign-in %s: username=%r address=%s",
        outcome,
        username,
        address,
        extra={"outcome": outcome, "username": username, "address": address},
    )
