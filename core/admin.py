import json
from pathlib import Path

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin_exports import PortalExportMixin
from core.models import ImportRecord, SecurityEvent
from core.people import display_name


class ReadOnlyAdmin(PortalExportMixin, admin.ModelAdmin):
    """An admin page that shows rows and never adds, changes or deletes one; it exports what it lists."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin):
    """The security log (`core.security`), browsed by user and by date: read only, like every audit trail."""

    date_hierarchy = "at"
    list_display = ["at", "kind", "username", "user", "address", "details"]
    list_filter = ["kind", "user"]
    search_fields = ["username"]
    list_select_related = ["user"]


@admin.register(ImportRecord)
class ImportRecordAdmin(ReadOnlyAdmin):
    """The audit trail of imports: read only, since a record that could be edited proves nothing."""

    list_display = ["created_at", "kind", "file_name", "person", "state", "outcome", "dry_run", "summary"]
    list_filter = ["kind", "state", "outcome", "dry_run"]
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
        "state",
        "finished_at",
        "outcome",
        "counts",
        "full_list",
        "report_text",
    ]
    readonly_fields = fields

    def get_urls(self):  # type: ignore[no-untyped-def]
        view = self.admin_site.admin_view(self.full_list_view)
        return [path("<int:pk>/full-list/", view, name="core_importrecord_full_list"), *super().get_urls()]

    def full_list_view(self, request: HttpRequest, pk: int) -> FileResponse:
        """The whole issue list of a run whose stored report is cut, while it is kept beside the upload."""
        record = self.get_object(request, str(pk))
        if record is None:
            raise Http404
        if not self.has_view_permission(request, record):
            raise PermissionDenied
        file = _full_list_file(record)
        if file is None:
            raise Http404
        name = f"{Path(record.file_name).stem}-issues-{record.pk}.csv"
        return FileResponse(file.open("rb"), as_attachment=True, filename=name, content_type="text/csv")

    @admin.display(description=_("使用者"), ordering="user__username")
    def person(self, record: ImportRecord) -> str:
        return display_name(record.user) or "—"

    @admin.display(description=_("完整清單"))
    def full_list(self, record: ImportRecord) -> str:
        if _full_list_file(record) is None:
            omitted = (record.report or {}).get("omitted")
            return str(_("已刪除（隨上傳的檔案一併刪除）")) if omitted else "—"
        url = reverse("admin:core_importrecord_full_list", args=[record.pk])
        return format_html('<a href="{}">{}</a>', url, _("下載完整的錯誤、警告與變更清單（CSV）"))

    @admin.display(description=_("筆數"))
    def summary(self, record: ImportRecord) -> str:
        counts = record.counts or {}
        return " / ".join(f"{key} {value}" for key, value in counts.items())

    @admin.display(description=_("報告"))
    def report_text(self, record: ImportRecord) -> str:
        text = json.dumps(record.report, ensure_ascii=False, indent=2)
        style = "white-space: pre-wrap; max-height: 40em; overflow: auto"
        omitted = (record.report or {}).get("omitted") or {}
        labels = {
            "errors": _("錯誤"),
            "warnings": _("警告"),
            "changes": _("變更"),
            "missing": _("檔案中沒有"),
        }
        more = "".join(
            "\n" + str(_("……%(kind)s另有 %(n)d 則")) % {"kind": labels.get(kind, kind), "n": n}
            for kind, n in omitted.items()
        )
        return format_html('<pre style="{}">{}{}</pre>', style, text, more)


def _full_list_file(record: ImportRecord) -> Path | None:
    """The run's whole issue list, if it was written and is still kept (only under MEDIA_ROOT)."""
    name = (record.report or {}).get("full_list")
    if not isinstance(name, str) or not name:
        return None
    root = Path(settings.MEDIA_ROOT).resolve()
    file = (root / name).resolve()
    if not file.is_relative_to(root) or not file.is_file():
        return None
    return file


# django.contrib.auth's lists, registered (before `core` in INSTALLED_APPS) without export: given it here.
User = get_user_model()
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class PortalUserAdmin(PortalExportMixin, UserAdmin):
    export_exclude = ["password", "user_permissions"]
    # Times the system records, not an administrator's to type: shown read-only, in ROC form.
    readonly_fields = ["last_login", "date_joined"]


@admin.register(Group)
class PortalGroupAdmin(PortalExportMixin, GroupAdmin):
    pass
