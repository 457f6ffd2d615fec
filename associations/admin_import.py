"""The admin's roster import page: upload -> preview -> confirm (core.admin_imports), on the same dataset
import as `manage.py import_associations` (`associations.roster`). Only administrators who may both add
and change associations use it: an import does both."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from associations import access
from associations.models import County
from associations.roster.cleaning import county_by_name
from associations.roster.dataset import RosterImport as RosterDataset
from core.admin_imports import (
    ImportPage,
    PreviewedImport,
    SpreadsheetUploadForm,
    UploadStore,
    limits_text_lazy,
)
from core.models import ImportRecord


class RosterUploadForm(SpreadsheetUploadForm):
    file = forms.FileField(
        label=gettext_lazy("名冊檔案"),
        help_text=format_lazy(
            "{}{}", gettext_lazy("支援 .xlsx、.xls、.csv（UTF-8、UTF-16 或 Big5），"), limits_text_lazy()
        ),
    )
    county = forms.ModelChoiceField(
        label=gettext_lazy("縣市"), queryset=County.objects.all(), empty_label=None
    )
    sheet = forms.CharField(
        label=gettext_lazy("工作表"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("Excel 檔案有多個工作表時填寫；留空為第一個。"),
    )


class CountyImport(PreviewedImport):
    """An import into one county chosen on its form (`county`): the roster and the compliance sheet. The
    staff page is for those who may import (`access.can_import`) and offers only the county they work in."""

    def has_staff_permission(self, request: HttpRequest) -> bool:
        return access.can_import(request.user)

    def form(self, request: HttpRequest, page: ImportPage) -> SpreadsheetUploadForm:
        """Only the counties the user may import into (on the staff page, the one they work in), their
        working county first chosen."""
        form = super().form(request, page)
        counties = access.working_import_counties if page.working_county_only else access.import_counties
        form.fields["county"].queryset = counties(County.objects.all(), request.user)
        form.initial["county"] = access.county_of(request.user)
        return form


class RosterImport(CountyImport):
    kind = RosterDataset.kind
    store = UploadStore("roster-imports")
    form_class = RosterUploadForm
    title = gettext_lazy("匯入協會名冊")
    template_name = "admin/associations/association/roster_import.html"
    url_name = "admin:associations_association_import"
    staff_url_name = "associations:import"
    lost_choices_message = gettext_lazy("找不到預覽時選擇的縣市，請重新上傳並預覽。")

    def has_permission(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> bool:
        return model_admin.has_add_permission(request) and model_admin.has_change_permission(request)

    def choices_from_form(self, cleaned_data: dict[str, Any]) -> dict[str, Any]:
        return {"county": cleaned_data["county"], "sheet": cleaned_data["sheet"] or None}

    def choices_from_record(self, record: ImportRecord) -> dict[str, Any] | None:
        county = county_by_name(record.report.get("county", ""))
        return None if county is None else {"county": county, "sheet": record.report.get("sheet")}

    def dataset(self, choices: dict[str, Any], *, user: object) -> RosterDataset:
        if not access.can_import_into(user, choices["county"]):  # a confirmation after a role change
            raise PermissionDenied
        return RosterDataset(county=choices["county"], user=user)


roster_import = RosterImport()
roster_import_view = roster_import.view
#: The staff page: a county officer's own county, an administrator's working county.
roster_import_staff_view = roster_import.staff_view
#: Where a previewed roster waits for its confirmation.
upload_path = RosterImport.store.path
