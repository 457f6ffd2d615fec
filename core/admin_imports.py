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
the admin's base template or the staff pages') and the counties offered differ.

A file of IMPORT_BACKGROUND_BYTES or more leaves the request: its preview, and then its confirmation, are
queued as background tasks (`core.tasks`) on an ImportRecord made at once (state QUEUED), and the page
(`?run=<record>`) shows a progress bar that `static/js/task-progress.js` keeps up to date from the same
URL's JSON (`?run=<record>&format=json`), then the preview or the result, read back from the record. A
run's page is its user's only (404 to anyone else). The task takes the county's import lock itself
(`core.imports.pipeline`), so a second import of the county is refused as in a request; whatever stops a
task (a lock conflict twice, a vanished file, an error) is written into its record and shown, and nothing
of it is written. A double-clicked confirmation queues one run (the preview's row is locked while its
pending confirmation is looked for; a partial unique constraint backs that up). Smaller files stay in the
request, as before."""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext as _

from core import spreadsheets
from core.imports.issues import Issue
from core.imports.pipeline import DatasetImport, Progress, run_import
from core.imports.report import KEEP_PER_KIND, ImportReport
from core.models import ImportRecord
from core.uploads import IMPORTS_FOLDER, purge_stale

logger = logging.getLogger(__name__)

SHOW_AT_MOST = KEEP_PER_KIND  # issues and changes listed on the page, as the ImportRecord keeps them
#: A queued run writes its progress at most this often (seconds), besides each change of stage.
PROGRESS_INTERVAL = 0.5


def progress_context(record: ImportRecord) -> dict[str, object]:
    """How far a run is, for the page's <progress> and its JSON: `value` of `max` rows while the rows are
    checked, no value (an indeterminate bar) while queued, reading or comparing, and a sentence."""
    counting = record.state == ImportRecord.State.RUNNING and record.stage == ImportRecord.Stage.CHECKING
    numbers = {"done": f"{record.rows_done:,}", "total": f"{record.rows_total:,}"}
    if record.state == ImportRecord.State.QUEUED:
        text = _("排隊中，等候背景工作執行……")
    elif counting:
        text = _("檢查各列：%(done)s / %(total)s 列") % numbers
    elif record.state == ImportRecord.State.RUNNING and record.stage == ImportRecord.Stage.PLANNING:
        text = (
            _("比對現有資料（共 %(total)s 列）……")
            if record.dry_run
            else _("比對現有資料並寫入（共 %(total)s 列）……")
        ) % numbers
    elif record.state == ImportRecord.State.RUNNING:
        text = _("讀取檔案……")
    else:
        text = record.get_state_display()
    return {
        "state": record.state,
        "pending": record.pending,
        "value": record.rows_done if counting else None,
        "max": max(record.rows_total, 1),
        "text": text,
    }


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

    def dataset_choices(self, choices: dict[str, Any], *, sha256: str) -> dict[str, Any]:
        """The choices `dataset` is given for a run on the kept file `sha256` (an import that reads the
        file itself adds its path)."""
        return choices

    def background(self, size: int) -> bool:
        """Whether a file of `size` bytes is previewed and confirmed by a background task."""
        return size >= settings.IMPORT_BACKGROUND_BYTES

    def run(
        self,
        *,
        sha256: str,
        user: object,
        dry_run: bool,
        file_name: str,
        choices: dict[str, Any],
        record: ImportRecord | None = None,
        progress: Progress | None = None,
    ) -> ImportReport:
        return run_import(
            self.dataset(self.dataset_choices(choices, sha256=sha256), user=user),
            path=self.store.path(sha256),
            user=user,
            dry_run=dry_run,
            sheet=choices.get("sheet"),
            file_name=file_name,
            full_list=self.store.full_list_path(sha256),
            record=record,
            progress=progress,
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
        if request.method == "GET" and "run" in request.GET:
            return self._show_run(request, page)
        if request.method == "POST" and "confirm" in request.POST:
            return self._confirm(request, page)
        if request.method == "POST" and "cancel" in request.POST:
            return self._cancel(request, page)
        form = self.form(request, page)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            digest = self.store.keep(b"".join(upload.chunks()))
            choices = self.choices_from_form(form.cleaned_data)
            if self.background(upload.size):
                name, size = Path(upload.name).name, upload.size
                queued = self._queue(request, sha256=digest, size=size, file_name=name, choices=choices)
                return self._run_redirect(page, queued)
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
        if self.background(record.size):
            return self._run_redirect(page, self._queue_confirmation(request, record, choices))
        report = self.run(
            sha256=record.sha256,
            user=request.user,
            dry_run=False,
            file_name=record.file_name,
            choices=choices,
        )
        if report.exit_code in (0, 1):  # written, or refused for good: the upload is done with
            path.unlink(missing_ok=True)
        return self._confirmed(request, page, record, report, choices)

    def _confirmed(
        self,
        request: HttpRequest,
        page: ImportPage,
        preview: ImportRecord | None,
        report: ImportReport,
        choices: dict[str, Any],
    ) -> HttpResponse:
        """The page after a confirmation's run, in the request or in the background."""
        if report.exit_code == 0:
            imported = {"name": report.file_name, "summary": report.summary()}
            messages.success(request, _("已匯入「%(name)s」：%(summary)s") % imported)
            next_page = self.imported(report, choices)
            if next_page is not None:
                return next_page
        elif report.exit_code == 1:
            messages.error(request, _("未匯入：資料在預覽後有變動，檢查出錯誤，沒有寫入任何資料。"))
        else:  # not run at all (another import, a lock conflict): the upload waits for another try
            messages.error(request, _("未匯入：%(reason)s") % {"reason": report.errors[0]})
            if preview is not None and preview.outcome == ImportRecord.Outcome.PREVIEWED:
                return self._render(
                    request,
                    page,
                    report=report,
                    choices=choices,
                    confirmable=True,
                    confirm_record=preview.pk,
                    confirm_sha256=preview.sha256,
                )
        return self._render(request, page, report=report, choices=choices, confirmable=False)

    # --- Runs in the background ------------------------------------------------------------------------

    def _queue(
        self,
        request: HttpRequest,
        *,
        sha256: str,
        size: int,
        file_name: str,
        choices: dict[str, Any],
        confirms: ImportRecord | None = None,
    ) -> ImportRecord:
        """An ImportRecord for a run of the kept file, queued with its task in one transaction (the task
        is a row of the same database: neither is kept without the other)."""
        from core.tasks import previewed_import

        dataset = self.dataset(self.dataset_choices(choices, sha256=sha256), user=request.user)
        with transaction.atomic():
            record = ImportRecord.objects.create(
                kind=self.kind,
                user=request.user,
                file_name=file_name[:255],
                sha256=sha256,
                size=size,
                dry_run=confirms is None,
                outcome="",
                state=ImportRecord.State.QUEUED,
                report={**dataset.remembered(), "sheet": choices.get("sheet")},
                confirms=confirms,
            )
            importer = f"{type(self).__module__}.{type(self).__qualname__}"
            language = translation.get_language() or settings.LANGUAGE_CODE
            previewed_import.enqueue(importer, record.pk, language)
        return record

    def _queue_confirmation(
        self, request: HttpRequest, preview: ImportRecord, choices: dict[str, Any]
    ) -> ImportRecord:
        """The preview's confirmation, queued once: a second click finds the run the first one queued (or
        the one that already ran, unless it could not run at all: then it may be tried again)."""
        with transaction.atomic():
            preview = ImportRecord.objects.select_for_update().get(pk=preview.pk)
            earlier = preview.confirmations.exclude(state=ImportRecord.State.FAILED).order_by("-pk").first()
            if earlier is not None:
                return earlier
            try:
                with transaction.atomic():
                    return self._queue(
                        request,
                        sha256=preview.sha256,
                        size=preview.size,
                        file_name=preview.file_name,
                        choices=choices,
                        confirms=preview,
                    )
            except IntegrityError:  # queued meanwhile by a request the row lock did not hold (SQLite)
                return preview.confirmations.filter(
                    state__in=[ImportRecord.State.QUEUED, ImportRecord.State.RUNNING]
                ).get()

    def _run_redirect(self, page: ImportPage, record: ImportRecord) -> HttpResponse:
        return redirect(f"{reverse(page.url_name)}?run={record.pk}")

    def _show_run(self, request: HttpRequest, page: ImportPage) -> HttpResponse:
        """A run's page: its progress while it is queued or running, then its preview or result. Only its
        own user's, of this import (404 otherwise, the same as for a missing one)."""
        run_id = request.GET.get("run", "")
        record = (
            ImportRecord.objects.filter(pk=int(run_id), kind=self.kind, user=request.user).first()
            if run_id.isdecimal()
            else None
        )
        if record is None:
            raise Http404
        progress = progress_context(record)
        if request.GET.get("format") == "json":
            return JsonResponse(progress)
        if record.pending:
            status_url = f"{reverse(page.url_name)}?run={record.pk}&format=json"
            return self._render(request, page, run=record, progress=progress, status_url=status_url)
        report = ImportReport.from_record(record)
        choices = self.choices_from_record(record) or {}
        if record.dry_run:
            confirmable = report.exit_code == 0 and record.outcome == ImportRecord.Outcome.PREVIEWED
            return self._render(request, page, report=report, choices=choices, confirmable=confirmable)
        return self._confirmed(request, page, record.confirms, report, choices)

    def run_queued(self, record_id: int) -> str:
        """Run the queued ImportRecord `record_id` (the task's work, in the worker): claim it, run the import
        on its kept file with its user and remembered choices, and fill it in; answers the outcome. A run
        that cannot be done is recorded as FAILED with the reason, nothing written."""
        claimed = ImportRecord.objects.filter(pk=record_id, state=ImportRecord.State.QUEUED).update(
            state=ImportRecord.State.RUNNING, stage=ImportRecord.Stage.READING
        )
        if not claimed:  # run already (a task run twice) or gone
            return ""
        record = ImportRecord.objects.select_related("user").get(pk=record_id)
        try:
            choices = self.choices_from_record(record)
            if choices is None:
                return self._give_up(record, str(self.lost_choices_message))
            path = self.store.unchanged(record.sha256)
            if path is None:
                return self._give_up(record, _("找不到上傳的檔案，或檔案已有變動；請重新上傳並預覽。"))
            report = self.run(
                sha256=record.sha256,
                user=record.user,
                dry_run=record.dry_run,
                file_name=record.file_name,
                choices=choices,
                record=record,
                progress=_progress_writer(record.pk),
            )
        except PermissionDenied:
            return self._give_up(record, _("這個帳號已不能匯入這個縣市，沒有寫入任何資料。"))
        except Exception:
            logger.exception("Import run %s failed", record_id)
            self._give_up(record, _("匯入時發生錯誤，沒有寫入任何資料；請通知系統管理者。"))
            raise  # the task's own result keeps the traceback for the operator
        if not record.dry_run and report.exit_code in (0, 1):
            path.unlink(missing_ok=True)
        return report.outcome

    def _give_up(self, record: ImportRecord, reason: str) -> str:
        """Record a queued run as FAILED, saying why, its remembered choices kept."""
        report = ImportReport(
            file_name=record.file_name,
            scope="",
            dry_run=record.dry_run,
            sha256=record.sha256,
            size=record.size,
            outcome=ImportRecord.Outcome.FAILED,
            errors=[Issue(reason)],
        )
        ImportRecord.objects.filter(pk=record.pk).update(
            state=ImportRecord.State.FAILED,
            outcome=ImportRecord.Outcome.FAILED,
            counts=report.counts,
            report={**record.report, **report.as_json()},
            finished_at=timezone.now(),
        )
        return ImportRecord.Outcome.FAILED

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
        left_out = report.stored_omitted or {}  # a report read back from its record: its lists are cut
        counts = {
            "errors": len(report.errors) + left_out.get("errors", 0),
            "warnings": len(report.warnings) + left_out.get("warnings", 0),
            "changes": len(self.shown_changes(report)) + left_out.get("changes", 0),
        }
        return [
            _("%(kind)s只列出前 %(shown)d 則，另有 %(n)d 則。")
            % {"kind": labels[kind], "shown": SHOW_AT_MOST, "n": n - SHOW_AT_MOST}
            for kind, n in counts.items()
            if n > SHOW_AT_MOST
        ]


def _progress_writer(record_id: int) -> Progress:
    """Writes a queued run's progress to its record, at most every PROGRESS_INTERVAL seconds besides each
    change of stage (the pipeline tells it outside the run's transaction, so the page sees it at once)."""
    last = {"at": 0.0, "stage": ""}

    def tell(stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage == last["stage"] and now - last["at"] < PROGRESS_INTERVAL and done < total:
            return
        last.update(at=now, stage=stage)
        ImportRecord.objects.filter(pk=record_id).update(stage=stage, rows_done=done, rows_total=total)

    return tell
