from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """django.contrib.admin with the portal's site, which only administrators may enter."""

    default_site = "config.admin.PortalAdminSite"
