"""The admin's compliance import page: upload -> preview -> confirm, on the same service as
`manage.py import_compliance` and in the same way as the roster import (associations.admin_import): the
preview leaves an ImportRecord, the confirmation names it, re-reads the kept file and checks its SHA-256, so
what is written is exactly what was previewed."""

from __future__ import annotations

import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from associations.imports import county_by_name, sha256_of
from associations.models import County
from core import spreadsheets
from core.models import ImportRecord
from grading.forms import YearField
from grading.imports import KIND, compliance_import

UPLOAD_DIR = "compliance-imports"
STALE_AFTER_SECONDS = 24 * 60 * 60
SHOW_AT_MOST = 1000


class ComplianceUploadForm(forms.Form):
    year = YearField(label=gettext_lazy("清查年度"), help_text=gettext_lazy("例如 112。"))
    file = forms.FileField(
        label=gettext_lazy("清查表檔案"),
        help_text=gettext_lazy(
            "每列一個協會：鄉鎮市、協會名稱、會員大會日期、理事會日期、監事會日期、工作計畫及預算送府日期、"
            "工作報告及決算送府日期、任期屆滿日、備註。支援 .xlsx、.xls、.csv，上限 10 MB。"
        ),
    )
    county = forms.ModelChoiceField(
        label=gettext_lazy("縣市"), queryset=County.objects.all(), empty_label=None
    )
    sheet = forms.CharField(label=gettext_lazy("工作表"), required=False, max_length=100)

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        try:
            spreadsheets.check_size(upload.size)
        except spreadsheets.SpreadsheetError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return upload


def upload_path(sha256: str) -> Path:
    return Path(settings.MEDIA_ROOT) / UPLOAD_DIR / f"{sha256}.upload"


def _keep(data: bytes) -> str:
    digest = sha256_of(data)
    path = upload_path(digest)
    path.parent.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for old in path.parent.glob("*.upload"):  # previews nobody confirmed
        if now - old.stat().st_mtime > STALE_AFTER_SECONDS and old != path:
            old.unlink(missing_ok=True)
    path.write_bytes(data)
    return digest


def compliance_import_view(request: HttpRequest, model_admin: admin.ModelAdmin) -> HttpResponse:
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request, model_admin)
    initial = {"county": county_by_name(settings.PORTAL_COUNTY), "year": timezone.localdate().year - 1}
    form = ComplianceUploadForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        digest = _keep(b"".join(upload.chunks()))
        report = compliance_import(
            path=upload_path(digest),
            year=form.cleaned_data["year"],
            user=request.user,
            county=form.cleaned_data["county"],
            dry_run=True,
            sheet=form.cleaned_data["sheet"] or None,
            file_name=Path(upload.name).name,
        )
        return _render(
            request,
            model_admin,
            report=report,
            year=form.cleaned_data["year"],
            confirmable=not report.exit_code,
        )
    return _render(request, model_admin, form=form)


def _confirm(request: HttpRequest, model_admin: admin.ModelAdmin) -> HttpResponse:
    record_id = request.POST.get("record", "")
    record = None
    if record_id.isdigit():
        record = ImportRecord.objects.filter(
            pk=int(record_id),
            kind=KIND,
            user=request.user,
            dry_run=True,
            outcome=ImportRecord.Outcome.PREVIEWED,
        ).first()
    path = upload_path(record.sha256) if record else None
    if (
        record is None
        or request.POST.get("sha256", "") != record.sha256
        or path is None
        or not path.is_file()
        or sha256_of(path.read_bytes()) != record.sha256
    ):
        messages.error(request, _("找不到預覽過的檔案，或檔案在預覽後有變動；請重新上傳並預覽。"))
        return redirect("admin:grading_assessment_import")
    county = county_by_name(record.report.get("county", ""))
    year = record.report.get("year")
    if county is None or not isinstance(year, int):
        messages.error(request, _("找不到預覽時選擇的縣市或年度，請重新上傳並預覽。"))
        return redirect("admin:grading_assessment_import")
    report = compliance_import(
        path=path,
        year=year,
        user=request.user,
        county=county,
        dry_run=False,
        sheet=record.report.get("sheet"),
        file_name=record.file_name,
    )
    if report.exit_code == 0:
        path.unlink(missing_ok=True)
        messages.success(
            request,
            _("已匯入「%(name)s」：%(summary)s") % {"name": record.file_name, "summary": report.summary()},
        )
    else:
        messages.error(request, _("未匯入：資料在預覽後有變動，檢查出錯誤，沒有寫入任何資料。"))
    return _render(request, model_admin, report=report, year=year, confirmable=False)


def _render(request: HttpRequest, model_admin: admin.ModelAdmin, **context: object) -> HttpResponse:
    context.update(
        model_admin.admin_site.each_context(request),
        opts=model_admin.model._meta,
        title=_("匯入會務財務清查表"),
    )
    report = context.get("report")
    if report is not None:
        context["errors"] = report.errors[:SHOW_AT_MOST]
        context["warnings"] = report.warnings[:SHOW_AT_MOST]
        context["changes"] = report.changes[:SHOW_AT_MOST]
    return TemplateResponse(request, "admin/grading/assessment/compliance_import.html", context)
