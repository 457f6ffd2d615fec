"""Subsidies (補助): a county's funding configuration per year, and the applications associations make
against it, with their cost and funding lines, their route through the review (docs/domain.md, Subsidies)
and their attachments. The route itself is data (`subsidies/workflow.py`); every change of state goes
through `subsidies.services.application_transition`.

Money is whole New Taiwan dollars: every amount is a non-negative integer (PositiveBigIntegerField gives a
CHECK >= 0 in the database)."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from associations.models import Association, County
from core.dates import YEAR_VALIDATORS, format_roc_year


class ExpenseKind(models.TextChoices):
    RECURRENT = "recurrent", _("經常門")
    CAPITAL = "capital", _("資本門")


class FundingSource(models.Model):
    """A source of money a county's grants draw on (衛福部, 縣社會福利基金, ...). Kept per county; its yearly
    amounts are `Allocation`s. Aliases are the other names spreadsheets and people use for it."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("中央（衛生福利部）")
        COUNTY = "county", _("縣府")
        TOWNSHIP = "township", _("鄉鎮市公所")
        SELF = "self", _("自籌")

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="funding_sources")
    name = models.CharField(_("經費來源"), max_length=60)
    kind = models.CharField(_("類別"), max_length=20, choices=Kind.choices)
    aliases = models.CharField(
        _("別名"), max_length=300, blank=True, help_text=_("其他常用名稱，以頓號或逗號分隔。")
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("使用中"), default=True)

    # Edits keep history: the edit form's version (core.concurrency) and who changed the row when.
    history = HistoricalRecords(verbose_name=_("經費來源異動紀錄"))

    class Meta:
        verbose_name = _("經費來源")
        verbose_name_plural = _("經費來源")
        ordering = ["county_id", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="funding_source_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def alias_list(self) -> list[str]:
        return [a.strip() for a in self.aliases.replace("、", ",").replace("，", ",").split(",") if a.strip()]

    @property
    def goes_to_ministry(self) -> bool:
        return self.kind == self.Kind.MINISTRY


class SubsidyItem(models.Model):
    """A subsidy item (補助項目) of a county, recurrent or capital; the county edits the list."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="subsidy_items")
    name = models.CharField(_("補助項目"), max_length=60)
    kind = models.CharField(_("經費類別"), max_length=20, choices=ExpenseKind.choices)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("使用中"), default=True)

    history = HistoricalRecords(verbose_name=_("補助項目異動紀錄"))

    class Meta:
        verbose_name = _("補助項目")
        verbose_name_plural = _("補助項目")
        ordering = ["county_id", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="subsidy_item_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Allocation(models.Model):
    """A source's money for one year, recurrent and capital apart. Approvals may never exceed either."""

    source = models.ForeignKey(FundingSource, on_delete=models.PROTECT, related_name="allocations")
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    recurrent_amount = models.PositiveBigIntegerField(_("經常門配額"), default=0)
    capital_amount = models.PositiveBigIntegerField(_("資本門配額"), default=0)

    history = HistoricalRecords(verbose_name=_("年度配額異動紀錄"))

    class Meta:
        verbose_name = _("年度配額")
        verbose_name_plural = _("年度配額")
        ordering = ["-year", "source__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["source", "year"], name="allocation_unique_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {format_roc_year(self.year)}"

    def amount(self, kind: str) -> int:
        return self.capital_amount if kind == ExpenseKind.CAPITAL else self.recurrent_amount


class SelfFundingMinimum(models.Model):
    """The least share of an application's cost the association must fund itself, in percent, when it asks
    `source` for money for `item` in `year`."""

    source = models.ForeignKey(FundingSource, on_delete=models.CASCADE, related_name="minimums")
    item = models.ForeignKey(SubsidyItem, on_delete=models.CASCADE, related_name="minimums")
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    percent = models.PositiveSmallIntegerField(_("最低自籌比率（%）"), default=0)

    history = HistoricalRecords(verbose_name=_("最低自籌比率異動紀錄"))

    class Meta:
        verbose_name = _("最低自籌比率")
        verbose_name_plural = _("最低自籌比率")
        ordering = ["-year", "source__sort_order", "item__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["source", "item", "year"], name="minimum_unique"),
            models.CheckConstraint(condition=Q(percent__lte=100), name="minimum_percent_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.item} {self.percent}%"


class State(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("公所初審中")
    TOWNSHIP_FORWARDED = "township_forwarded", _("公所已層轉")
    COUNTY_REVIEW = "county_review", _("縣府審查中")
    RETURNED_TO_TOWNSHIP = "returned_to_township", _("退回公所補正")
    RETURNED_TO_ASSOCIATION = "returned_to_association", _("退回協會補正")
    APPROVED = "approved", _("核定補助")
    PARTLY_APPROVED = "partly_approved", _("部分核定")
    REJECTED = "rejected", _("不予補助")
    FORWARDED_TO_MINISTRY = "forwarded_to_ministry", _("已轉陳衛生福利部")
    MINISTRY_DECIDED = "ministry_decided", _("衛生福利部已核定")
    DISBURSED = "disbursed", _("已撥款")
    CLOSEOUT_SUBMITTED = "closeout_submitted", _("核銷審查中")
    CLOSED = "closed", _("已結案")
    WITHDRAWN = "withdrawn", _("已撤回")


#: States in which an application's approved amounts hold money of its sources' allocations.
COMMITTED_STATES = frozenset(
    {
        State.APPROVED,
        State.PARTLY_APPROVED,
        State.FORWARDED_TO_MINISTRY,
        State.MINISTRY_DECIDED,
        State.DISBURSED,
        State.CLOSEOUT_SUBMITTED,
        State.CLOSED,
    }
)
#: States in which the township clerk may still edit the application's contents.
EDITABLE_STATES = frozenset(
    {State.DRAFT, State.RETURNED_TO_ASSOCIATION, State.SUBMITTED, State.RETURNED_TO_TOWNSHIP}
)


class ApplicationQuerySet(models.QuerySet["Application"]):
    def visible_to(self, user: object) -> ApplicationQuerySet:
        from associations.access import scope_applications

        return scope_applications(self, user)


class Application(models.Model):
    """One association's application for one item in one year (補助申請案)."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="applications")
    # Like every per-association record (meetings, assessments): deleting an association, an administrator's
    # act in the admin that lists what goes with it, takes its applications along.
    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="applications", verbose_name=_("協會")
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    number = models.PositiveIntegerField(_("流水號"))
    case_number = models.CharField(_("案號"), max_length=40)
    item = models.ForeignKey(
        SubsidyItem, on_delete=models.PROTECT, related_name="applications", verbose_name=_("補助項目")
    )
    title = models.CharField(_("計畫名稱"), max_length=200)
    starts_on = models.DateField(_("期程開始"))
    ends_on = models.DateField(_("期程結束"))
    self_funded = models.PositiveBigIntegerField(_("自籌款"), default=0)
    state = models.CharField(_("狀態"), max_length=30, choices=State.choices, default=State.DRAFT)
    #: The county's ranked order among the year's ministry applications (1 first).
    rank = models.PositiveIntegerField(_("縣府排序"), null=True, blank=True)
    eligibility_override_reason = models.TextField(_("資格例外理由"), blank=True)
    ministry_letter_number = models.CharField(_("衛福部核定文號"), max_length=60, blank=True)
    ministry_letter_date = models.DateField(_("衛福部核定日期"), null=True, blank=True)
    imported = models.BooleanField(_("匯入的歷年資料"), default=False)
    created_at = models.DateTimeField(_("建立時間"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新時間"), default=timezone.now)

    objects = ApplicationQuerySet.as_manager()

    # Every save (an edit, a transition) keeps history: the edit form's version (core.concurrency).
    history = HistoricalRecords(verbose_name=_("申請案異動紀錄"))

    class Meta:
        verbose_name = _("補助申請案")
        verbose_name_plural = _("補助申請案")
        ordering = ["-year", "case_number"]
        constraints = [
            models.UniqueConstraint(fields=["county", "year", "number"], name="application_unique_number"),
            models.UniqueConstraint(fields=["county", "year", "case_number"], name="application_unique_case"),
            models.CheckConstraint(
                condition=Q(starts_on__lte=F("ends_on")),
                name="application_period_in_order",
                violation_error_message=_("期程結束日不可早於開始日。"),
            ),
        ]
        indexes = [models.Index(fields=["county", "year", "state"], name="application_county_year_state")]

    def __str__(self) -> str:
        return f"{self.case_number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("subsidies:detail", kwargs={"pk": self.pk})


class CostLine(models.Model):
    """A line of the application's budget (經費概算): what it costs, recurrent or capital."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="cost_lines")
    kind = models.CharField(_("經費類別"), max_length=20, choices=ExpenseKind.choices)
    description = models.CharField(_("項目"), max_length=100)
    amount = models.PositiveBigIntegerField(_("金額"))

    class Meta:
        verbose_name = _("經費概算")
        verbose_name_plural = _("經費概算")
        ordering = ["application_id", "pk"]

    def __str__(self) -> str:
        return f"{self.description} {self.amount}"


class FundingLine(models.Model):
    """What the application asks one source for, recurrent or capital, and what became of it."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="funding_lines")
    source = models.ForeignKey(FundingSource, on_delete=models.PROTECT, related_name="funding_lines")
    kind = models.CharField(_("經費類別"), max_length=20, choices=ExpenseKind.choices)
    requested = models.PositiveBigIntegerField(_("申請金額"))
    approved = models.PositiveBigIntegerField(_("核定金額"), null=True, blank=True)
    disbursed = models.PositiveBigIntegerField(_("撥款金額"), default=0)
    spent = models.PositiveBigIntegerField(_("實支金額"), default=0)
    returned = models.PositiveBigIntegerField(_("繳回金額"), default=0)

    class Meta:
        verbose_name = _("經費來源明細")
        verbose_name_plural = _("經費來源明細")
        ordering = ["application_id", "source__sort_order", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["application", "source", "kind"], name="funding_line_unique"),
            models.CheckConstraint(
                condition=Q(approved__isnull=True) | Q(approved__lte=F("requested")),
                name="funding_line_approved_within_request",
                violation_error_message=_("核定金額不可超過申請金額。"),
            ),
            models.CheckConstraint(
                condition=Q(disbursed=0) | Q(approved__gte=F("disbursed")),
                name="funding_line_disbursed_within_approval",
                violation_error_message=_("撥款金額不可超過核定金額。"),
            ),
            models.CheckConstraint(
                condition=Q(disbursed__gte=F("spent") + F("returned")),
                name="funding_line_spent_within_disbursement",
                violation_error_message=_("實支與繳回合計不可超過撥款金額。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.get_kind_display()} {self.requested}"


class Batch(models.Model):
    """Applications forwarded together: a township's to the county (層轉), or the county's ministry
    applications to the ministry in its ranked order. Exported as the list that goes with the letter."""

    class Kind(models.TextChoices):
        TO_COUNTY = "to_county", _("公所層轉縣府")
        TO_MINISTRY = "to_ministry", _("縣府轉陳衛生福利部")

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="subsidy_batches")
    kind = models.CharField(_("類別"), max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("時間"), default=timezone.now)

    class Meta:
        verbose_name = _("批次")
        verbose_name_plural = _("批次")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"


class Transition(models.Model):
    """One step of an application's route: who took which action when, from which state to which, and why."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(_("動作"), max_length=40)
    from_state = models.CharField(_("原狀態"), max_length=30, choices=State.choices, blank=True)
    to_state = models.CharField(_("新狀態"), max_length=30, choices=State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("處理人"),
    )
    at = models.DateTimeField(_("時間"), default=timezone.now)
    note = models.TextField(_("說明"), blank=True)
    batch = models.ForeignKey(
        Batch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transitions",
        verbose_name=_("批次"),
    )

    class Meta:
        verbose_name = _("處理紀錄")
        verbose_name_plural = _("處理紀錄")
        ordering = ["application_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.action} {self.from_state}→{self.to_state}"


class PrivateStorage(FileSystemStorage):
    """Files under PRIVATE_MEDIA_ROOT, read when used (not at import), with no URL: only the view
    `subsidies:attachment` serves them, after checking the viewer's scope."""

    def __init__(self) -> None:
        super().__init__(base_url=None)

    @property
    def base_location(self) -> str:  # type: ignore[override]
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:  # type: ignore[override]
        return os.path.abspath(self.base_location)


def private_storage() -> FileSystemStorage:
    return PrivateStorage()


class Attachment(models.Model):
    class Kind(models.TextChoices):
        PLAN = "plan", _("計畫書")
        BUDGET = "budget", _("經費概算表")
        RECEIPT = "receipt", _("收據及核銷資料")
        OTHER = "other", _("其他")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("附件類別"), max_length=20, choices=Kind.choices)
    file = models.FileField(_("檔案"), storage=private_storage, upload_to="subsidies/%Y/%m/", max_length=300)
    original_name = models.CharField(_("原檔名"), max_length=200)
    content_type = models.CharField(_("檔案類型"), max_length=100)
    size = models.PositiveIntegerField(_("大小"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上傳時間"), default=timezone.now)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["application_id", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name
