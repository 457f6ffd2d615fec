from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("共用元件")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from core.middleware import start_session_clock_at_login

        # The idle timeout and the absolute session limit count from the login (core.middleware).
        user_logged_in.connect(start_session_clock_at_login, dispatch_uid="core.start_session_clock")
