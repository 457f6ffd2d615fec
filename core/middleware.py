import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import ngettext

from core.converters import YearNotFound


class ChosenLanguageMiddleware:
    """The portal speaks Traditional Chinese unless the user picked another language in the menu.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so an officer on an English-language
    computer would get English by default; here only the language cookie (set by `set_language`) counts.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class PermissionsPolicyMiddleware:
    """Switch off the browser features the portal never uses (settings.PERMISSIONS_POLICY).

    Django has no setting for this header; a dozen lines here beat a dependency for one fixed header.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})" for feature, origins in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response


class NoStoreMiddleware:
    """No browser or proxy keeps a copy of any page or export: they carry personal data.

    One rule for every response that reaches Django, so no view can forget it; static files are served by
    WhiteNoise before this middleware and keep their long-lived caching.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        patch_cache_control(response, no_store=True)
        return response


def start_session_clock(request: HttpRequest) -> None:
    """Pin a new login's session expiry at SESSION_COOKIE_AGE from now, and count its idle time from now.

    Without the pinned expiry, Django would push the expiry forward whenever the session is saved, and an
    active login would never end.
    """
    request.session.set_expiry(timedelta(seconds=settings.SESSION_COOKIE_AGE))
    request.session[IdleTimeoutMiddleware.LAST_ACTIVITY] = int(time.time())


def start_session_clock_at_login(sender: type, request: HttpRequest | None, **kwargs: object) -> None:
    """`user_logged_in` receiver (connected in core.apps): the login's own session save carries the clock."""
    if request is not None:
        start_session_clock(request)


class IdleTimeoutMiddleware:
    """Log a user out after settings.SESSION_IDLE_TIMEOUT seconds without a request.

    The time of the last request is rewritten at most once a minute, to spare the session table a write on
    every request; a user is logged out only when the idle time is surely past the limit (so up to a minute
    late, never early, and the message saying so is true). The absolute limit is the session's expiry, pinned
    at login by start_session_clock.
    """

    LAST_ACTIVITY = "portal_last_activity"
    STAMP_INTERVAL = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            last = request.session.get(self.LAST_ACTIVITY)
            now = int(time.time())
            if last is None:  # a login from before this middleware: start its clocks now
                start_session_clock(request)
            elif now - last > settings.SESSION_IDLE_TIMEOUT + self.STAMP_INTERVAL:
                return self._log_out(request)
            elif now - last >= self.STAMP_INTERVAL:
                request.session[self.LAST_ACTIVITY] = now
        return self.get_response(request)

    @staticmethod
    def _log_out(request: HttpRequest) -> HttpResponse:
        logout(request)
        minutes = settings.SESSION_IDLE_TIMEOUT // 60
        message = ngettext(
            "閒置超過 %(minutes)d 分鐘，請重新登入。", "閒置超過 %(minutes)d 分鐘，請重新登入。", minutes
        )
        messages.info(request, message % {"minutes": minutes})
        return redirect_to_login(request.get_full_path())


class YearNotFoundMiddleware:
    """A year a page does not cover (`core.converters.YearNotFound`) answers the portal's 404 page with the
    exception's Chinese message, also with DEBUG on, where Django would otherwise show its technical 404 page:
    a user who typed `/grading/130/` is told which years there are, whatever the server's mode."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, YearNotFound):
            return render(request, "404.html", {"message": str(exception)}, status=404)
        return None
