import json

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin_exports import PortalExportMixin
from core.models import ImportRecord


class ReadOnlyAdmin(PortalExportMixin, admin.ModelAdmin):
    """An admin page that shows rows and never adds, changes or deletes one; it exports what it lists."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ImportRecord)
class ImportRecordAdmin(ReadOnlyAdmin):
    """The audit trail of imports: read only, since a record that could be edited proves nothing."""

    list_display = ["created_at", "kind", "file_name", "user", "outcome", "dry_run", "summary"]
    list_filter = ["kind", "outcome", "dry_run"]
    search_fields = ["file_name", "sha256", "user__username"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    list_per_page = 50
    export_exclude = ["report"]  # a whole report per cell is unreadable and may pass a cell's size limit
    fields = [
        "kind",
        "created_at",
        "user",
        "file_name",
        "size",
        "sha256",
        "dry_run",
        "outcome",
        "counts",
        "report_text",
    ]
    readonly_fields = fields

    @admin.display(description=_("筆數"))
    def summary(self, record: ImportRecord) -> str:
        counts = record.counts or {}
        return " / ".join(f"{key} {value}" for key, value in counts.items())

    @admin.display(description=_("報告"))
    def report_text(self, record: ImportRecord) -> str:
        text = json.dumps(record.report, ensure_ascii=False, indent=2)
        style = "white-space: pre-wrap; max-height: 40em; overflow: auto"
        return format_html('<pre style="{}">{}</pre>', style, text)


# django.contrib.auth's lists, registered (before `core` in INSTALLED_APPS) without export: given it here.
User = get_user_model()
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class PortalUserAdmin(PortalExportMixin, UserAdmin):
    export_exclude = ["password", "user_permissions"]


@admin.register(Group)
class PortalGroupAdmin(PortalExportMixin, GroupAdmin):
    pass
