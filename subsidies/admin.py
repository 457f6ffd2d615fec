"""Admin pages of subsidies: administrators configure sources, items, allocations and minimums (with
import and export); applications and their history are read-only here, since every change of state goes
through `subsidies.services.application_transition`."""

from django.contrib import admin
from django.http import HttpRequest

from associations import access
from core.admin import ReadOnlyAdmin
from core.admin_exports import PortalImportExportMixin
from subsidies.models import (
    Allocation,
    Application,
    FundingSource,
    SelfFundingMinimum,
    SubsidyItem,
    Transition,
)
from subsidies.resources import (
    AllocationResource,
    ApplicationResource,
    FundingSourceResource,
    SelfFundingMinimumResource,
    SubsidyItemResource,
)


@admin.register(FundingSource)
class FundingSourceAdmin(PortalImportExportMixin, admin.ModelAdmin):
    resource_classes = [FundingSourceResource]
    list_display = ["county", "name", "kind", "aliases", "sort_order", "active"]
    list_filter = ["county", "kind", "active"]

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        return access.admin_scope(super().get_queryset(request), request.user, county="county")


@admin.register(SubsidyItem)
class SubsidyItemAdmin(PortalImportExportMixin, admin.ModelAdmin):
    resource_classes = [SubsidyItemResource]
    list_display = ["county", "name", "kind", "sort_order", "active"]
    list_filter = ["county", "kind", "active"]

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        return access.admin_scope(super().get_queryset(request), request.user, county="county")


@admin.register(Allocation)
class AllocationAdmin(PortalImportExportMixin, admin.ModelAdmin):
    resource_classes = [AllocationResource]
    list_display = ["source", "year", "recurrent_amount", "capital_amount"]
    list_filter = ["source__county", "year"]
    list_select_related = ["source"]

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        return access.admin_scope(super().get_queryset(request), request.user, county="source__county")


@admin.register(SelfFundingMinimum)
class SelfFundingMinimumAdmin(PortalImportExportMixin, admin.ModelAdmin):
    resource_classes = [SelfFundingMinimumResource]
    list_display = ["source", "item", "year", "percent"]
    list_filter = ["source__county", "year"]
    list_select_related = ["source", "item"]

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        return access.admin_scope(super().get_queryset(request), request.user, county="source__county")


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    resource_classes = [ApplicationResource]
    list_display = ["case_number", "year", "association", "item", "title", "state"]
    list_filter = ["county", "year", "state"]
    search_fields = ["case_number", "title", "association__name"]
    list_select_related = ["association", "item"]

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        return access.admin_scope(super().get_queryset(request), request.user, association="association")


@admin.register(Transition)
class TransitionAdmin(ReadOnlyAdmin):
    list_display = ["at", "application", "action", "from_state", "to_state", "actor"]
    list_filter = ["to_state"]
    list_select_related = ["application", "actor"]

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        return access.admin_scope(
            super().get_queryset(request), request.user, association="application__association"
        )
