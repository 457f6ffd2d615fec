"""The staff page that sets up an award round from its workbook: upload -> preview -> confirm
(core.admin_imports), on the same dataset import as `manage.py create_award_round` (awards.imports). The
county, year, code, name and method chosen for the preview are remembered in its ImportRecord and are what
the confirmation creates the round with; a created round's page is shown next."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from associations import access
from associations.admin_import import CountyImport
from associations.models import County
from associations.roster.cleaning import county_by_name
from awards.imports import CRITERIA_SHEET, RoundWorkbookImport
from awards.models import AwardRound, Method
from core.admin_imports import SpreadsheetUploadForm, UploadStore, limits_text_lazy
from core.imports.report import ImportReport
from core.models import ImportRecord
from grading.forms import YearField


class RoundUploadForm(SpreadsheetUploadForm):
    year = YearField(label=gettext_lazy("年度"), help_text=gettext_lazy("例如 115 或 2026。"))
    code = forms.CharField(
        label=gettext_lazy("回合代碼"),
        max_length=30,
        help_text=gettext_lazy("不可與其他回合相同，例如 GE115。"),
    )
    name = forms.CharField(label=gettext_lazy("回合名稱"), max_length=100)
    method = forms.ChoiceField(label=gettext_lazy("計分方式"), choices=Method.choices, initial=Method.MEAN)
    county = forms.ModelChoiceField(
        label=gettext_lazy("縣市"), queryset=County.objects.all(), empty_label=None
    )
    file = forms.FileField(
        label=gettext_lazy("活頁簿"),
        help_text=format_lazy(
            "{}{}",
            gettext_lazy(
                "工作表「評分項目」（組別、評分項目、配分、說明）、「參選名單」（組別、鄉鎮市、協會名稱）、"
                "「評審」（帳號、迴避：以「、」分隔的協會名稱），以及選填的「等第」（組別、等第、最低分數、名額）。"
                "支援 .xlsx，"
            ),
            limits_text_lazy(),
        ),
    )


class RoundImport(CountyImport):
    kind = RoundWorkbookImport.kind
    store = UploadStore("award-rounds")
    form_class = RoundUploadForm
    title = gettext_lazy("新增選拔回合")
    template_name = "awards/round_create.html"
    url_name = staff_url_name = "awards:create"
    lost_choices_message = gettext_lazy("找不到預覽時選擇的縣市或年度，請重新上傳並預覽。")

    def has_permission(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> bool:
        return False  # a staff page only: the admin has no round set-up page

    def choices_from_form(self, cleaned_data: dict[str, Any]) -> dict[str, Any]:
        return {key: cleaned_data[key] for key in ("county", "year", "code", "name", "method")} | {
            "sheet": CRITERIA_SHEET
        }

    def choices_from_record(self, record: ImportRecord) -> dict[str, Any] | None:
        county = county_by_name(record.report.get("county", ""))
        year = record.report.get("year")
        texts = [record.report.get(key) for key in ("code", "name", "method")]
        if county is None or not isinstance(year, int) or not all(isinstance(text, str) for text in texts):
            return None
        code, name, method = texts
        return {
            "county": county,
            "year": year,
            "code": code,
            "name": name,
            "method": method,
            "sheet": CRITERIA_SHEET,
        }

    def dataset_choices(self, choices: dict[str, Any], *, sha256: str) -> dict[str, Any]:
        # The dataset import reads the other sheets of the workbook itself: it is given the kept file.
        return {**choices, "path": self.store.path(sha256)}

    def dataset(self, choices: dict[str, Any], *, user: object) -> RoundWorkbookImport:
        if not access.can_import_into(user, choices["county"]):  # a confirmation after a role change
            raise PermissionDenied
        return RoundWorkbookImport(
            county=choices["county"],
            year=choices["year"],
            code=choices["code"],
            name=choices["name"],
            method=choices["method"],
            path=choices["path"],
            user=user,
        )

    def choices_context(self, choices: dict[str, Any]) -> dict[str, object]:
        return {"year": choices["year"], "code": choices["code"], "name": choices["name"]}

    def imported(self, report: ImportReport, choices: dict[str, Any]) -> HttpResponse | None:
        award_round = AwardRound.objects.get(code=choices["code"])
        return redirect("awards:round", pk=award_round.pk)


round_import = RoundImport()
#: The staff page: a county officer's own county, an administrator's working county.
round_create_view = round_import.staff_view
