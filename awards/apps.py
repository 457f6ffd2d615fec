from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    name = "awards"
    verbose_name = _("金卓越社區選拔")

    def ready(self) -> None:
        from associations.panels import register_section
        from awards.providers import AwardHistorySection, AwardsProgrammeProvider
        from grading.providers import register_provider

        register_provider(AwardsProgrammeProvider())
        register_section(AwardHistorySection())
