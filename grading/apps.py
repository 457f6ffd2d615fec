from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GradingConfig(AppConfig):
    name = "grading"
    verbose_name = _("會務財務清查與分級")

    def ready(self) -> None:
        from associations.compliance.hooks import register_judge
        from grading.judge import GradingJudge
        from grading.providers import AssociationProgrammeProvider, register_provider

        # associations' own programme facts are the first provider; subsidies and awards add theirs.
        register_provider(AssociationProgrammeProvider())
        register_judge(GradingJudge())
