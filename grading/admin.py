"""Read-only admin pages for grading (every change goes through `grading.services`, which checks roles and
states and writes history), scoped like the staff pages, plus the compliance import."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import path

from associations import access
from core.admin import ReadOnlyAdmin
from core.admin_exports import PortalImportExportMixin
from grading.models import Assessment, TierChange, TierRegister, TierThresholds
from grading.resources import TierThresholdsResource


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["association", "year", "status", "suggested_tier", "override_tier", "computed_at"]
    list_filter = ["year", "association__township__county", "status", "suggested_tier", "override_tier"]
    search_fields = ["association__name"]
    list_select_related = ["association"]
    change_list_template = "admin/grading/assessment/change_list.html"
    list_per_page = 50

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        return access.admin_scope(super().get_queryset(request), request.user, association="association")

    def get_urls(self):  # type: ignore[no-untyped-def]
        view = self.admin_site.admin_view(self.compliance_import_view)
        return [path("import/", view, name="grading_assessment_import"), *super().get_urls()]

    def compliance_import_view(self, request: HttpRequest) -> HttpResponse:
        from grading.admin_import import compliance_import_view

        return compliance_import_view(request, self)


@admin.register(TierRegister)
class TierRegisterAdmin(ReadOnlyAdmin):
    list_display = ["county", "year", "state", "recomputed_at", "finalised_at", "finalised_by"]
    list_filter = ["county", "year", "state"]

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        return access.admin_scope(super().get_queryset(request), request.user, county="county")


@admin.register(TierThresholds)
class TierThresholdsAdmin(PortalImportExportMixin, ReadOnlyAdmin):
    """Exported, and imported row by row through `grading.services.thresholds_update` (grading/resources.py):
    the import is the only way to change thresholds here, so single rows are never added, changed or
    deleted, and only administrators import (the service then checks the county's register and state)."""

    resource_classes = [TierThresholdsResource]
    list_select_related = ["updated_by"]
    list_display = [
        "county",
        "year",
        "potential_min_activities",
        "developing_min_activities",
        "volunteer_team_min_size",
        "updated_by",
    ]
    list_filter = ["county"]

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        return access.admin_scope(super().get_queryset(request), request.user, county="county")

    def has_import_permission(self, request: HttpRequest) -> bool:
        return access.can_use_admin(request.user)


@admin.register(TierChange)
class TierChangeAdmin(ReadOnlyAdmin):
    list_display = [
        "changed_at",
        "county",
        "year",
        "association",
        "kind",
        "from_tier",
        "to_tier",
        "changed_by",
    ]
    list_filter = ["county", "year", "kind"]
    search_fields = ["association__name", "reason"]
    list_select_related = ["association", "changed_by"]
    list_per_page = 50

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        return access.admin_scope(
            super().get_queryset(request), request.user, association="association", county="county"
        )
