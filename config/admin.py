from django.contrib import admin
from django.http import HttpRequest

from associations import access


class PortalAdminSite(admin.AdminSite):
    """The Django admin, for administrators only (docs/architecture.md, Access): a county officer or township
    clerk given `is_staff` by mistake is sent to the admin login like an anonymous visitor."""

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and access.can_use_admin(request.user)
