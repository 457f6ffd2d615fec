"""An admin page that imports a spreadsheet in two steps, upload -> preview -> confirm, for any dataset
import of the pipeline (`core.imports.pipeline`), which records each run in an ImportRecord.

The uploaded bytes are kept under MEDIA_ROOT (shared by every app server) named by their SHA-256. The
preview runs the import with `dry_run=True` on them (it plans and writes nothing but its ImportRecord); the
confirmation names that record, re-reads the kept file, checks its SHA-256 against the record, and runs
the same import with `dry_run=False`. A file that changed or vanished in between is refused, so what is
written is exactly what was previewed (and checked again).

An import's page is a small `PreviewedImport` subclass saying only what is its own: its form, the dataset
import it runs, which choices of the form it remembers (read back from the record on confirmation), who may
use it, and its templates. The same flow is shown in two places (`ImportPage`): the Django admin, for
administrators (`view`), and the staff pages, for county officers and administrators in their working
county (`staff_view`). Both render the import's one template (extending `includes/import_page.html`) and
share the form, the store, the lock and the limits: only the frame around them (`frame` in the context:
the admin's base template or the staff pages') and the counties offered differ."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext as _

from core import spreadsheets
from core.imports.pipeline import DatasetImport, run_import
from core.imports.report import KEEP_PER_KIND, ImportReport
from core.models import ImportRecord
from core.uploads import IMPORTS_FOLDER, purge_stale

SHOW_AT_MOST = KEEP_PER_KIND  # issues and changes listed on the page, as the ImportRecord keeps them


@dataclass(frozen=True)
class UploadStore:
    """Uploaded files waiting between their preview and its confirmation, in one folder under
    MEDIA_ROOT/imports, named by their SHA-256: the same bytes uploaded twice are kept once, and the name
    is the check. A file goes once its preview is confirmed or cancelled, or when it is older than
    IMPORT_UPLOAD_MAX_AGE (`core.uploads.purge_stale`, run on every upload and by `purge_uploads`); the
    whole issue lists of its runs wait beside it, named after it, and go with it."""

    folder: str

    def path(self, sha256: str) -> Path:
        return Path(settings.MEDIA_ROOT) / IMPORTS_FOLDER / self.folder / f"{sha256}.upload"

    def full_list_path(self, sha256: str) -> Path:
        """A new file for one run's whole issue list, beside the upload it was read from."""
        return self.path(sha256).with_name(f"{sha256}.{uuid.uuid4().hex}.csv")

    def keep(self, data: bytes) -> str:
        """Keep `data` and answer its SHA-256."""
        purge_stale()
        digest = hashlib.sha256(data).hexdigest()
        path = self.path(digest)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return digest

    def unchanged(self, sha256: str) -> Path | None:
        """The kept file with this SHA-256, re-read and checked: None when it vanished or was changed."""
        path = self.path(sha256)
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != sha256:
            return None
        return path

    def discard(self, sha256: str) -> None:
        """The upload and the issue lists of its runs, deleted."""
        for path in self.path(sha256).parent.glob(f"{sha256}.*"):
            path.unlink(missing_ok=True)


def limits_text() -> str:
    """The bounds an upload is held to, for a form's help text."""
    return _("上限 %(mb)s MB、%(rows)s 列。") % {
        "mb": f"{spreadsheets.MAX_FILE_BYTES / 1024 / 1024:g}",
        "rows": f"{spreadsheets.MAX_DATA_ROWS:,}",
    }


limits_text_lazy = lazy(limits_text, str)


class SpreadsheetUploadForm(forms.Form):
    """Base of an import's upload form, which declares a `file` field: an oversized file is refused by the
    form, before its bytes are kept."""

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        try:
            spreadsheets.check_size(upload.size)
        except spreadsheets.SpreadsheetError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return upload


@dataclass(frozen=True)
class ImportPage:
    """Where an import's flow is shown: its template, its URL, who may use it, and the frame's context."""

    template_name: str
    url_name: str
    #: Only the user's working county is offered (the staff pages); else every county they may import into.
    working_county_only: bool

    def allowed(self, request: HttpRequest) -> bool:
        raise NotImplementedError

    def context(self, request: HttpRequest) -> dict[str, object]:
        return {}

    def full_list_url(self, record_id: int) -> str | None:
        """Where the run's whole issue list is downloaded; the staff pages keep to the bounded report."""
        return None


@dataclass(frozen=True)
class AdminImportPage(ImportPage):
    model_admin: admin.ModelAdmin
    importer: PreviewedImport

    def allowed(self, request: HttpRequest) -> bool:
        return self.importer.has_permission(request, self.model_admin)

    def context(self, request: HttpRequest) -> dict[str, object]:
        return {
            **self.model_admin.admin_site.each_context(request),
            "opts": self.model_admin.model._meta,
            "frame": "admin/base_site.html",
        }

    def full_list_url(self, record_id: int) -> str | None:
        return reverse("admin:core_importrecord_full_list", args=[record_id])


@dataclass(frozen=True)
class StaffImportPage(ImportPage):
    importer: PreviewedImport

    def allowed(self, request: HttpRequest) -> bool:
        return self.importer.has_staff_permission(request)

    def context(self, request: HttpRequest) -> dict[str, object]:
        return {"frame": "base.html"}


class PreviewedImport:
    """The upload -> preview -> confirm flow of one import. A subclass sets the attributes and the hooks
    that raise NotImplementedError; `view(request, model_admin)` is the admin's page, for a ModelAdmin's
    URL, and `staff_view(request)` the staff page, when the subclass names its URL."""

    #: ImportRecord.kind of the import's records: a confirmation names only a preview of this import.
    kind: str
    store: UploadStore
    form_class: type[SpreadsheetUploadForm]
    title: str | Promise
    template_name: str
    #: This page's URL name: a refused confirmation is sent back to it, and the report links to it.
    url_name: str
    #: The staff page's URL name, when the import has one (it shows the same template).
    staff_url_name: str = ""
    #: Shown when the choices remembered in the preview's record cannot be read back any more.
    lost_choices_message: str | Promise

    def has_permission(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> bool:
        """Checked first, for the upload, the preview and the confirmation alike (403 when refused)."""
        raise NotImplementedError

    def has_staff_permission(self, request: HttpRequest) -> bool:
        """The same, on the staff page."""
        raise NotImplementedError

    def initial(self) -> dict[str, object]:
        return {}

    def form(self, request: HttpRequest, page: ImportPage) -> SpreadsheetUploadForm:
        """The upload form, bound to what was sent; an import narrows its choices to the user's here."""
        return self.form_class(request.POST or None, request.FILES or None, initial=self.initial())

    def choices_from_form(self, cleaned_data: dict[str, Any]) -> dict[str, Any]:
        """What the import is given besides the file, from a valid form (`sheet` is the sheet to read)."""
        raise NotImplementedError

    def choices_from_record(self, record: ImportRecord) -> dict[str, Any] | None:
        """The same choices, read back from the preview's record; None when they no longer resolve."""
        raise NotImplementedError

    def dataset(self, choices: dict[str, Any], *, user: object) -> DatasetImport:
        """The dataset import to run under these choices; it must remember them in its record's report
        (`DatasetImport.remembered`), for `choices_from_record`."""
        raise NotImplementedError

    def run(
        self, *, sha256: str, user: object, dry_run: bool, file_name: str, choices: dict[str, Any]
    ) -> ImportReport:
        return run_import(
            self.dataset(choices, user=user),
            path=self.store.path(sha256),
            user=user,
            dry_run=dry_run,
            sheet=choices.get("sheet"),
            file_name=file_name,
            full_list=self.store.full_list_path(sha256),
        )

    def shown_changes(self, report: ImportReport) -> list[Any]:
        """The changes the page lists (all of them unless the import shows fewer)."""
        return report.changes

    def choices_context(self, choices: dict[str, Any]) -> dict[str, object]:
        """Anything of the choices the template shows next to the report."""
        return {}

    def imported(self, report: ImportReport, choices: dict[str, Any]) -> HttpResponse | None:
        """Where a confirmed import goes next (after its success message); None shows its report."""
        return None

    # --- The flow --------------------------------------------------------------------------------------

    def view(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> HttpResponse:
        page = AdminImportPage(
            template_name=self.template_name,
            url_name=self.url_name,
            working_county_only=False,
            model_admin=model_admin,
            importer=self,
        )
        return self.show(request, page)

    def staff_view(self, request: HttpRequest) -> HttpResponse:
        page = StaffImportPage(
            template_name=self.template_name,
            url_name=self.staff_url_name,
            working_county_only=True,
            importer=self,
        )
        return self.show(request, page)

    def show(self, request: HttpRequest, page: ImportPage) -> HttpResponse:
        if not page.allowed(request):
            raise PermissionDenied
        if request.method == "POST" and "confirm" in request.POST:
            return self._confirm(request, page)
        if request.method == "POST" and "cancel" in request.POST:
            return self._cancel(request, page)
        form = self.form(request, page)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            digest = self.store.keep(b"".join(upload.chunks()))
            choices = self.choices_from_form(form.cleaned_data)
            report = self.run(
                sha256=digest,
                user=request.user,
                dry_run=True,
                file_name=Path(upload.name).name,
                choices=choices,
            )
            return self._render(
                request, page, report=report, choices=choices, confirmable=report.exit_code == 0
            )
        return self._render(request, page, form=form)

    def _preview_record(self, request: HttpRequest, *outcomes: str) -> ImportRecord | None:
        """The user's own preview named by the form, of this import, with one of these outcomes."""
        record_id = request.POST.get("record", "")
        if not record_id.isdecimal():
            return None
        return ImportRecord.objects.filter(
            pk=int(record_id), kind=self.kind, user=request.user, dry_run=True, outcome__in=outcomes
        ).first()

    def _cancel(self, request: HttpRequest, page: ImportPage) -> HttpResponse:
        """A preview's upload deleted (confirmable or not): the clerk is done with it."""
        record = self._preview_record(request, ImportRecord.Outcome.PREVIEWED, ImportRecord.Outcome.REJECTED)
        if record is not None and request.POST.get("sha256", "") == record.sha256:
            self.store.discard(record.sha256)
            cancelled = _("已取消匯入「%(name)s」，上傳的檔案已刪除。") % {"name": record.file_name}
            messages.info(request, cancelled)
        return redirect(page.url_name)

    def _confirm(self, request: HttpRequest, page: ImportPage) -> HttpResponse:
        record = self._preview_record(request, ImportRecord.Outcome.PREVIEWED)
        path = None
        if record is not None and request.POST.get("sha256", "") == record.sha256:
            path = self.store.unchanged(record.sha256)
        if record is None or path is None:
            messages.error(request, _("找不到預覽過的檔案，或檔案在預覽後有變動；請重新上傳並預覽。"))
            return redirect(page.url_name)
        choices = self.choices_from_record(record)
        if choices is None:
            messages.error(request, str(self.lost_choices_message))
            return redirect(page.url_name)
        report = self.run(
            sha256=record.sha256,
            user=request.user,
            dry_run=False,
            file_name=record.file_name,
            choices=choices,
        )
        if report.exit_code == 0:
            path.unlink(missing_ok=True)
            imported = {"name": record.file_name, "summary": report.summary()}
            messages.success(request, _("已匯入「%(name)s」：%(summary)s") % imported)
            next_page = self.imported(report, choices)
            if next_page is not None:
                return next_page
        elif report.exit_code == 1:
            path.unlink(missing_ok=True)
            messages.error(request, _("未匯入：資料在預覽後有變動，檢查出錯誤，沒有寫入任何資料。"))
        else:  # not run at all (another import, a lock conflict): the upload waits for another try
            messages.error(request, _("未匯入：%(reason)s") % {"reason": report.errors[0]})
            return self._render(
                request,
                page,
                report=report,
                choices=choices,
                confirmable=True,
                confirm_record=record.pk,
                confirm_sha256=record.sha256,
            )
        return self._render(request, page, report=report, choices=choices, confirmable=False)

    def _render(
        self,
        request: HttpRequest,
        page: ImportPage,
        *,
        report: ImportReport | None = None,
        choices: dict[str, Any] | None = None,
        **context: object,
    ) -> HttpResponse:
        context.update(
            page.context(request),
            title=str(self.title),
            upload_url=reverse(page.url_name),
            show_at_most=SHOW_AT_MOST,
        )
        if report is not None:
            context.update(
                report=report,
                omitted=self._omitted(report),
                full_list_url=(
                    page.full_list_url(report.record_id) if report.full_list and report.record_id else None
                ),
                errors=report.errors[:SHOW_AT_MOST],
                warnings=report.warnings[:SHOW_AT_MOST],
                changes=self.shown_changes(report)[:SHOW_AT_MOST],
                **self.choices_context(choices or {}),
            )
        return TemplateResponse(request, page.template_name, context)

    def _omitted(self, report: ImportReport) -> list[str]:
        """What the page leaves out of each list, in words."""
        labels = {"errors": _("錯誤"), "warnings": _("警告"), "changes": _("變更")}
        counts = {
            "errors": len(report.errors),
            "warnings": len(report.warnings),
            "changes": len(self.shown_changes(report)),
        }
        return [
            _("%(kind)s只列出前 %(shown)d 則，另有 %(n)d 則。")
            % {"kind": labels[kind], "shown": SHOW_AT_MOST, "n": n - SHOW_AT_MOST}
            for kind, n in counts.items()
            if n > SHOW_AT_MOST
        ]
