"""Records kept by the plumbing itself. No domain here: an import of any kind (a roster, a compliance
sheet) is recorded the same way, its kind naming the pipeline that ran."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TaskState(models.TextChoices):
    """Where a run done in the background (core.tasks) stands; a run done inside its request is DONE or
    FAILED when it is first saved."""

    QUEUED = "queued", _("排隊中")
    RUNNING = "running", _("執行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("未完成")


class ImportRecord(models.Model):
    """One run of a spreadsheet import, kept whether it wrote anything or not: who ran it, on which bytes
    (SHA-256), with what counts and the full report of errors and warnings. A run in the background is
    recorded when it is queued (`state` QUEUED, no outcome yet), then counts its rows as it checks them
    (`stage`, `rows_done` of `rows_total`), and ends DONE (imported, previewed, rejected, unreadable) or
    FAILED (not done at all: another import running, a lock conflict twice, an error; nothing written)."""

    State = TaskState

    class Stage(models.TextChoices):
        READING = "reading", _("讀取檔案")
        CHECKING = "checking", _("檢查各列")
        PLANNING = "planning", _("比對現有資料")

    class Outcome(models.TextChoices):
        IMPORTED = "imported", _("已匯入")
        PREVIEWED = "previewed", _("預覽（未寫入）")
        REJECTED = "rejected", _("有錯誤，未寫入")
        UNREADABLE = "unreadable", _("無法讀取檔案")
        FAILED = "failed", _("未完成（另一個匯入進行中或資料庫鎖定衝突）")

    kind = models.CharField(_("匯入類型"), max_length=50, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("執行者"),
    )
    created_at = models.DateTimeField(_("執行時間"), default=timezone.now, db_index=True)
    file_name = models.CharField(_("檔案名稱"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("檔案大小（位元組）"), default=0)
    dry_run = models.BooleanField(_("僅預覽"), default=False)
    outcome = models.CharField(_("結果"), max_length=20, choices=Outcome.choices, blank=True)
    counts = models.JSONField(_("筆數"), default=dict, blank=True)
    report = models.JSONField(_("報告"), default=dict, blank=True)
    state = models.CharField(_("狀態"), max_length=10, choices=TaskState.choices, default=TaskState.DONE)
    stage = models.CharField(_("進度階段"), max_length=10, choices=Stage.choices, blank=True)
    rows_done = models.PositiveIntegerField(_("已檢查列數"), default=0)
    rows_total = models.PositiveIntegerField(_("總列數"), default=0)
    #: The preview this run confirms (a confirmation queued in the background): one at a time per preview.
    confirms = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="confirmations",
        verbose_name=_("確認的預覽"),
    )
    finished_at = models.DateTimeField(_("完成時間"), null=True, blank=True)

    class Meta:
        verbose_name = _("匯入紀錄")
        verbose_name_plural = _("匯入紀錄")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A double-clicked confirmation queues one run: a second waits on the preview's row lock, then
            # finds the first; this is the database's guard behind that check.
            models.UniqueConstraint(
                fields=["confirms"],
                condition=models.Q(state__in=["queued", "running"]),
                name="one_pending_confirmation_per_preview",
            )
        ]

    def __str__(self) -> str:
        shown = self.get_outcome_display() if self.outcome else self.get_state_display()
        return f"{self.file_name}（{shown}）"

    @property
    def pending(self) -> bool:
        return self.state in (TaskState.QUEUED, TaskState.RUNNING)


class ImportedChange(models.Model):
    """The base of the historical models an import writes (simple-history's `bases`): a history row written
    by an import names its ImportRecord, so the page showing the change links to the record rather than
    reading the id back out of a translated change reason. Filled by `core.history` for bulk and single
    writes alike; empty for a change typed by a person."""

    history_import = models.ForeignKey(
        ImportRecord,
        # An import record is an audit trail: one that wrote history is kept (the admin deletes none).
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("匯入紀錄"),
        # Read from the history row, never searched by: no index for every bulk import to keep up.
        db_index=False,
    )

    class Meta:
        abstract = True


class ImportLock(models.Model):
    """Who holds an import's lock (`core.locks.import_lock`) and since when, so that an import refused
    meanwhile can say so. The lock itself is a PostgreSQL advisory lock (a file lock on SQLite): a row
    left behind by a crashed run holds nothing and is replaced by the next holder."""

    scope = models.CharField(_("範圍"), max_length=100, unique=True)
    holder = models.CharField(_("執行者"), max_length=150, blank=True)
    started_at = models.DateTimeField(_("開始時間"), default=timezone.now)

    class Meta:
        verbose_name = _("匯入鎖定")
        verbose_name_plural = _("匯入鎖定")

    def __str__(self) -> str:
        return self.scope


class SubmissionToken(models.Model):
    """A create form's one-time token, once used (`core.submissions`)."""

    token = models.UUIDField(_("表單識別碼"), unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    url = models.CharField(_("結果網址"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("送出時間"), default=timezone.now)

    class Meta:
        verbose_name = _("表單送出紀錄")
        verbose_name_plural = _("表單送出紀錄")

    def __str__(self) -> str:
        return str(self.token)


class SecurityEvent(models.Model):
    """One event of the security log: a sign-in, a failed one, a lockout, a change of a staff member's role
    or township, an export of personal data. Written by `core.security.record`, read in the admin."""

    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", _("登入")
        SIGN_IN_FAILED = "sign_in_failed", _("登入失敗")
        LOCKOUT = "lockout", _("帳號鎖定")
        MEMBERSHIP = "membership", _("角色或轄區變更")
        EXPORT = "export", _("匯出")
        COUNTY_SWITCH = "county_switch", _("切換作業縣市")

    at = models.DateTimeField(_("時間"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("使用者"),
    )
    username = models.CharField(_("輸入的帳號"), max_length=150, blank=True)
    kind = models.CharField(_("事件"), max_length=20, choices=Kind.choices, db_index=True)
    address = models.GenericIPAddressField(_("來源位址"), null=True, blank=True)
    details = models.JSONField(_("內容"), default=dict, blank=True)

    class Meta:
        verbose_name = _("安全紀錄")
        verbose_name_plural = _("安全紀錄")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.get_kind_display()} {self.username}"
