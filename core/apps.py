from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("共用元件")

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from core import auth
        from core.middleware import start_session_clock_at_login

        user_logged_in.connect(auth.log_sign_in, dispatch_uid="portal.security.sign_in")
        user_login_failed.connect(auth.log_sign_in_failure, dispatch_uid="portal.security.sign_in_failure")
        user_locked_out.connect(auth.log_lockout, dispatch_uid="portal.security.lockout")
        # The idle timeout and the absolute session limit count from the login (core.middleware).
        user_logged_in.connect(start_session_clock_at_login, dispatch_uid="core.start_session_clock")
