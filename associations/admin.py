from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from simple_history.admin import SimpleHistoryAdmin

from associations import access, staff
from associations.forms import AssociationAdminForm
from associations.models import (
    Association,
    County,
    Officer,
    ServiceRegion,
    StaffMembership,
    Township,
    Village,
)
from associations.resources import CountyResource, ServiceRegionResource, TownshipResource, VillageResource
from core.admin_dates import RocDateInputsMixin
from core.admin_exports import PortalExportMixin, PortalImportExportMixin

# The geography imports and exports through its resources (associations/resources.py); every other list
# exports what it shows.


@admin.register(County)
class CountyAdmin(PortalImportExportMixin, admin.ModelAdmin):
    search_fields = ["name"]
    resource_classes = [CountyResource]


@admin.register(ServiceRegion)
class ServiceRegionAdmin(PortalImportExportMixin, admin.ModelAdmin):
    list_display = ["name", "county"]
    list_filter = ["county"]
    list_select_related = ["county"]
    resource_classes = [ServiceRegionResource]


@admin.register(Township)
class TownshipAdmin(PortalImportExportMixin, admin.ModelAdmin):
    resource_classes = [TownshipResource]
    list_display = ["name", "kind", "county", "service_region", "sort_order"]
    list_filter = ["county", "kind"]
    search_fields = ["name"]
    list_select_related = ["county", "service_region"]


@admin.register(Village)
class VillageAdmin(PortalImportExportMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "township"]
    list_filter = ["township__county"]
    search_fields = ["name", "township__name"]
    list_select_related = ["township__county"]
    resource_classes = [VillageResource]


class ScopedHistoryAdmin(SimpleHistoryAdmin):
    """simple-history's history pages look the row up without `get_queryset` (and fall back to the history
    of a deleted row), so they would show rows outside the user's scope: refuse those as missing first."""

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        self._check_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        self._check_in_scope(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _check_in_scope(self, request: HttpRequest, object_id: str) -> None:
        try:
            visible = self.get_queryset(request).filter(pk=unquote(object_id)).exists()
        except (ValueError, ValidationError):
            visible = False
        if not visible:
            raise Http404


class OfficerInline(RocDateInputsMixin, admin.TabularInline):
    model = Officer
    extra = 0


@admin.register(Association)
class AssociationAdmin(PortalExportMixin, ScopedHistoryAdmin):
    """Scoped like the staff pages, so a user given `is_staff` by mistake still sees only their rows."""

    list_display = ["name", "township", "registration_number", "term_number", "status", "runs_care_station"]
    list_filter = ["status", "runs_care_station", "township__county", "township"]
    search_fields = ["name", "registration_number", "address"]
    list_select_related = ["township"]
    autocomplete_fields = ["township"]
    filter_horizontal = ["villages"]
    change_list_template = "admin/associations/association/change_list.html"
    form = AssociationAdminForm
    inlines = [OfficerInline]
    list_per_page = 50

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        return access.admin_scope(super().get_queryset(request), request.user, association="pk")

    def changeform_view(  # type: ignore[no-untyped-def]
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context=None
    ):
        """The add and change pages. The form refuses a name another association of the township has once
        normalised (台/臺, spaces, full width), but two saves of such names at once both pass that check
        and the second fails on the database's unique key. That save is rolled back whole (the admin runs it
        in one transaction) and the page is validated again: the other association is committed by then, so
        the form shows its duplicate-name error at 協會名稱 rather than a server error."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except IntegrityError as error:
            if request.method != "POST" or not _name_clash(error):
                raise
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_urls(self):  # type: ignore[no-untyped-def]
        view = self.admin_site.admin_view(self.roster_import_view)
        return [path("import/", view, name="associations_association_import"), *super().get_urls()]

    def roster_import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload -> preview -> confirm, on the same service as `manage.py import_associations`."""
        from associations.admin_import import roster_import_view

        return roster_import_view(request, self)


def _name_clash(error: IntegrityError) -> bool:
    """Whether `error` is a breach of an association's unique name or name key in its township (PostgreSQL
    names the constraint, SQLite the columns)."""
    text = str(error)
    return "association_unique_name" in text or "associations_association.name" in text


@admin.register(Officer)
class OfficerAdmin(PortalExportMixin, ScopedHistoryAdmin):
    list_display = ["name", "position", "association", "term_start", "term_end"]
    list_filter = ["position"]
    search_fields = ["name", "association__name"]
    list_select_related = ["association"]
    raw_id_fields = ["association"]
    list_per_page = 50

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        return access.admin_scope(super().get_queryset(request), request.user, association="association")


@admin.register(StaffMembership)
class StaffMembershipAdmin(PortalExportMixin, admin.ModelAdmin):
    list_display = ["user", "role", "township", "county"]
    list_filter = ["role", "county"]
    list_select_related = ["user", "township", "county"]
    autocomplete_fields = ["township"]

    def save_model(self, request: HttpRequest, obj: StaffMembership, form, change: bool) -> None:  # type: ignore[no-untyped-def]
        """Save, and write the role or township change (old → new) to the security log."""
        before = StaffMembership.objects.filter(pk=obj.pk).first() if obj.pk else None
        old = staff.membership_state(before)
        super().save_model(request, obj, form, change)
        staff.record_membership_change(user=obj.user, old=old, new=staff.membership_state(obj))
