from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FlagshipConfig(AppConfig):
    name = "flagship"
    verbose_name = _("旗艦型計畫")
