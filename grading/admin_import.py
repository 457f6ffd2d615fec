"""The admin's compliance import page: upload -> preview -> confirm (core.admin_imports), on the same
dataset import as `manage.py import_compliance` and in the same way as the roster import
(associations.admin_import). The year, county and 「以檔案內容取代」 chosen for the preview are remembered
in its ImportRecord and are what the confirmation imports with."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from associations import access
from associations.admin_import import CountyImport
from associations.compliance.imports import ComplianceImport as ComplianceDataset
from associations.models import County
from associations.roster.cleaning import county_by_name
from core.admin_imports import (
    SpreadsheetUploadForm,
    UploadStore,
    limits_text_lazy,
)
from core.models import ImportRecord
from grading.forms import YearField


class ComplianceUploadForm(SpreadsheetUploadForm):
    year = YearField(label=gettext_lazy("清查年度"), help_text=gettext_lazy("例如 112。"))
    file = forms.FileField(
        label=gettext_lazy("清查表檔案"),
        help_text=format_lazy(
            "{}{}",
            gettext_lazy(
                "每列一個協會：鄉鎮市、協會名稱、會員大會日期、會員大會紀錄送府日期（選填）、理事會日期、"
                "監事會日期、工作計畫及預算送府日期、工作報告及決算送府日期、任期屆滿日、備註。"
                "支援 .xlsx、.xls、.csv，"
            ),
            limits_text_lazy(),
        ),
    )
    county = forms.ModelChoiceField(
        label=gettext_lazy("縣市"), queryset=County.objects.all(), empty_label=None
    )
    sheet = forms.CharField(label=gettext_lazy("工作表"), required=False, max_length=100)
    replace = forms.BooleanField(
        label=gettext_lazy("以檔案內容取代"),
        required=False,
        help_text=gettext_lazy(
            "檔案未列出的已登錄會議，即使登錄有檔案無法記載的資料（會議紀錄送府日期、備註、未達法定人數）"
            "也刪除。未勾選時，這樣的刪除是錯誤，不會寫入任何資料。"
        ),
    )


class ComplianceImport(CountyImport):
    kind = ComplianceDataset.kind
    store = UploadStore("compliance-imports")
    form_class = ComplianceUploadForm
    title = gettext_lazy("匯入會務財務清查表")
    template_name = "admin/grading/assessment/compliance_import.html"
    url_name = "admin:grading_assessment_import"
    staff_url_name = "grading:import"
    lost_choices_message = gettext_lazy("找不到預覽時選擇的縣市或年度，請重新上傳並預覽。")

    def has_permission(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> bool:
        return model_admin.has_view_permission(request)

    def initial(self) -> dict[str, object]:
        return {"year": timezone.localdate().year - 1}

    def choices_from_form(self, cleaned_data: dict[str, Any]) -> dict[str, Any]:
        return {
            "year": cleaned_data["year"],
            "county": cleaned_data["county"],
            "sheet": cleaned_data["sheet"] or None,
            "replace": cleaned_data["replace"],
        }

    def choices_from_record(self, record: ImportRecord) -> dict[str, Any] | None:
        county = county_by_name(record.report.get("county", ""))
        year, replace = record.report.get("year"), record.report.get("replace", False)
        if county is None or not isinstance(year, int) or not isinstance(replace, bool):
            return None
        return {"year": year, "county": county, "sheet": record.report.get("sheet"), "replace": replace}

    def dataset(self, choices: dict[str, Any], *, user: object) -> ComplianceDataset:
        if not access.can_import_into(user, choices["county"]):  # a confirmation after a role change
            raise PermissionDenied
        return ComplianceDataset(
            year=choices["year"], county=choices["county"], user=user, replace=choices["replace"]
        )

    def choices_context(self, choices: dict[str, Any]) -> dict[str, object]:
        return {"year": choices["year"], "replace": choices["replace"]}


compliance_import = ComplianceImport()
compliance_import_view = compliance_import.view
#: The staff page: a county officer's own county, an administrator's working county.
compliance_import_staff_view = compliance_import.staff_view
