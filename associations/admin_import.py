"""The admin's roster import page: upload -> preview -> confirm, on the same service as the command.

The uploaded bytes are kept under MEDIA_ROOT (shared by every app server) named by their SHA-256. The
preview runs `roster_import(dry_run=True)` on them and leaves an ImportRecord; the confirmation names that
record, re-reads the kept file, checks its SHA-256 against the record, and runs the same service with
`dry_run=False`. A file that changed or vanished in between is refused, so what is written is exactly
what was previewed (and checked again)."""

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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from associations.imports import KIND, county_by_name, roster_import, sha256_of
from associations.models import County
from core import spreadsheets
from core.models import ImportRecord

UPLOAD_DIR = "roster-imports"
STALE_AFTER_SECONDS = 24 * 60 * 60
SHOW_AT_MOST = 1000  # issues listed on the page; the ImportRecord keeps them all


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("名冊檔案"),
        help_text=gettext_lazy("支援 .xlsx、.xls、.csv（UTF-8、UTF-16 或 Big5），上限 10 MB、50,000 列。"),
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

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        if upload.size > spreadsheets.MAX_FILE_BYTES:
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


def roster_import_view(request: HttpRequest, model_admin: admin.ModelAdmin) -> HttpResponse:
    if not (model_admin.has_add_permission(request) and model_admin.has_change_permission(request)):
        raise PermissionDenied
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request, model_admin)
    default = county_by_name(settings.PORTAL_COUNTY)
    form = RosterUploadForm(request.POST or None, request.FILES or None, initial={"county": default})
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = b"".join(upload.chunks())
        digest = _keep(data)
        report = roster_import(
            path=upload_path(digest),
            user=request.user,
            county=form.cleaned_data["county"],
            dry_run=True,
            sheet=form.cleaned_data["sheet"] or None,
            file_name=Path(upload.name).name,
        )
        return _render(request, model_admin, report=report, confirmable=report.exit_code == 0)
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
    posted = request.POST.get("sha256", "")
    if (
        record is None
        or posted != record.sha256
        or path is None
        or not path.is_file()
        or sha256_of(path.read_bytes()) != record.sha256
    ):
        messages.error(request, _("找不到預覽過的檔案，或檔案在預覽後有變動；請重新上傳並預覽。"))
        return redirect("admin:associations_association_import")
    county = county_by_name(record.report.get("county", ""))
    if county is None:
        messages.error(request, _("找不到預覽時選擇的縣市，請重新上傳並預覽。"))
        return redirect("admin:associations_association_import")
    report = roster_import(
        path=path,
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
    return _render(request, model_admin, report=report, confirmable=False)


def _render(request: HttpRequest, model_admin: admin.ModelAdmin, **context: object) -> HttpResponse:
    report = context.get("report")
    context.update(
        model_admin.admin_site.each_context(request),
        opts=model_admin.model._meta,
        title=_("匯入協會名冊"),
        show_at_most=SHOW_AT_MOST,
    )
    if report is not None:
        context["errors"] = report.errors[:SHOW_AT_MOST]
        context["warnings"] = report.warnings[:SHOW_AT_MOST]
        context["updated"] = [c for c in report.changes if c.action == "updated"][:SHOW_AT_MOST]
    return TemplateResponse(request, "admin/associations/association/roster_import.html", context)
