from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubsidiesConfig(AppConfig):
    name = "subsidies"
    verbose_name = _("補助")

    def ready(self) -> None:
        from grading.providers import register_provider
        from subsidies.providers import ClosedGrantsProvider

        # Closed-out grants count toward the tier rule; grading does not import subsidies.
        register_provider(ClosedGrantsProvider())
