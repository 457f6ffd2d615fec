from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """django.contrib.admin with the portal's site, which only administrators may enter."""

    default_site = "config.admin.PortalAdminSite"


class PortalConfig(AppConfig):
    """The composition layer as an app, so that commands which compose several apps (`seed_demo`) live
    here rather than in one of the apps they compose. It has no models (and so no admin section)."""

    name = "config"
