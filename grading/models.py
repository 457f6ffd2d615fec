"""Yearly judgments drawn from the compliance facts in `associations`: a compliance status with the rules that
produced it, a suggested tier that a county officer may override with a reason, and the history of both.

Facts are never stored here; every row here can be recomputed from them (`grading.services`), except the
override, which is a person's decision, and a finalised year, which is frozen."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from associations.models import Association, County
from core.dates import YEAR_VALIDATORS
from core.models import TaskState
from grading.messages import count_label, render, rule_label


class ComplianceStatus(models.TextChoices):
    NORMAL = "normal", _("正常")
    GUIDANCE = "guidance", _("待輔導")
    ABNORMAL = "abnormal", _("異常")


class Tier(models.TextChoices):
    STAGNANT = "stagnant", _("停滯型")
    POTENTIAL = "potential", _("潛力型")
    DEVELOPING = "developing", _("發展型")


class TierThresholds(models.Model):
    """A county's editable tier criteria for one year (docs/domain.md, Tiering: no county publishes them, so
    the numbers are the county's to set). Each assessment keeps a copy of the numbers it was judged
    against."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("縣市"))
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    potential_min_activities = models.PositiveSmallIntegerField(
        _("潛力型至少應有的方案數"),
        default=1,
        help_text=_("低於此數視為沒有方案運作，列為停滯型。"),
    )
    developing_min_activities = models.PositiveSmallIntegerField(
        _("發展型至少應有的方案數"),
        default=3,
        help_text=_("會務財務正常且方案數達此數者列為發展型。"),
    )
    volunteer_team_min_size = models.PositiveSmallIntegerField(
        _("志工隊計入方案的最低人數"), default=10, validators=[MinValueValidator(1)]
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("最後修改者"),
    )
    updated_at = models.DateTimeField(_("最後修改時間"), auto_now=True)

    class Meta:
        verbose_name = _("分級門檻")
        verbose_name_plural = _("分級門檻")
        ordering = ["county", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["county", "year"], name="thresholds_unique_per_county_year"),
            models.CheckConstraint(
                condition=Q(developing_min_activities__gte=F("potential_min_activities")),
                name="thresholds_developing_not_below_potential",
                violation_error_message=_("發展型的方案數門檻不可低於潛力型。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}"

    def snapshot(self) -> dict[str, int]:
        return {
            "potential_min_activities": self.potential_min_activities,
            "developing_min_activities": self.developing_min_activities,
            "volunteer_team_min_size": self.volunteer_team_min_size,
        }


class TierRegister(models.Model):
    """A county's tier register (社區分級類型清冊) of one year: open while statuses and tiers may change, then
    finalised. Each county keeps, finalises and reopens its own."""

    class State(models.TextChoices):
        OPEN = "open", _("調整中")
        FINALISED = "finalised", _("已定案")

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("縣市"))
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    state = models.CharField(_("狀態"), max_length=20, choices=State.choices, default=State.OPEN)
    recomputed_at = models.DateTimeField(_("最近重新計算時間"), null=True, blank=True)
    finalised_at = models.DateTimeField(_("定案時間"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("定案者"),
    )

    class Meta:
        verbose_name = _("分級清冊")
        verbose_name_plural = _("分級清冊")
        ordering = ["county", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["county", "year"], name="register_unique_per_county_year")
        ]

    def __str__(self) -> str:
        return f"{self.county} {self.year}" if self.county_id else f"{self.year}"

    def get_absolute_url(self) -> str:
        return reverse("grading:overview", args=[self.year])

    @property
    def is_finalised(self) -> bool:
        return self.state == self.State.FINALISED


def tier_in_force() -> Coalesce:
    """The tier in force as an expression over an assessment's columns: the override where there is one,
    else the suggestion (what `Assessment.tier` is for a loaded row)."""
    return Coalesce("override_tier", "suggested_tier")


def tier_is(tier: str) -> Q:
    """Assessments whose tier in force is `tier`, as a filter (the same rows as `tier_in_force() == tier`)."""
    return Q(override_tier=tier) | Q(override_tier__isnull=True, suggested_tier=tier)


class AssessmentQuerySet(models.QuerySet["Assessment"]):
    def visible_to(self, user: object) -> AssessmentQuerySet:
        """Scoped like the associations they judge (decided in `associations.access`)."""
        from associations.access import scope_through_association

        return scope_through_association(self, user)

    def with_tier(self) -> AssessmentQuerySet:
        """Annotate `tier_in_force`: the override where there is one, else the suggestion."""
        return self.annotate(tier_in_force=tier_in_force())


class Assessment(models.Model):
    """One association's compliance status and tier for one year, with the rule trail behind each."""

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("協會")
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    status = models.CharField(_("會務財務狀態"), max_length=20, choices=ComplianceStatus.choices)
    rules = models.JSONField(_("規則檢核結果"), default=list, blank=True)
    as_of = models.DateField(_("檢核基準日"))
    suggested_tier = models.CharField(_("建議分級"), max_length=20, choices=Tier.choices)
    tier_trail = models.JSONField(_("分級依據"), default=dict, blank=True)
    override_tier = models.CharField(
        _("核定分級"), max_length=20, choices=Tier.choices, null=True, blank=True
    )
    override_reason = models.TextField(_("調整理由"), blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("調整者"),
    )
    overridden_at = models.DateTimeField(_("調整時間"), null=True, blank=True)
    computed_at = models.DateTimeField(_("計算時間"), default=timezone.now)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("年度清查與分級")
        verbose_name_plural = _("年度清查與分級")
        # Lists order by township and name themselves (`selectors.register_rows`); no join by default.
        ordering = ["-year", "association_id"]
        constraints = [
            models.UniqueConstraint(fields=["association", "year"], name="assessment_unique_per_year"),
            models.CheckConstraint(
                condition=Q(override_tier__isnull=True) | ~Q(override_reason=""),
                name="assessment_override_needs_reason",
                violation_error_message=_("調整分級必須填寫理由。"),
            ),
        ]
        indexes = [
            models.Index(fields=["year", "status"], name="assessment_year_status"),
            models.Index(fields=["year", "suggested_tier"], name="assessment_year_tier"),
        ]

    def __str__(self) -> str:
        return f"{self.association} {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("grading:assessment", args=[self.year, self.association_id])

    @property
    def tier(self) -> str:
        return self.override_tier or self.suggested_tier

    def get_tier_display(self) -> str:
        return Tier(self.tier).label

    # Django's get_FOO_display builds the field's choices into a dict at each call, hashing their lazy
    # labels (a translation each): a register page of 50 rows paid for some 700. The same labels, looked up.
    def get_status_display(self) -> str:
        return _choice_label(ComplianceStatus, self.status)

    def get_suggested_tier_display(self) -> str:
        return _choice_label(Tier, self.suggested_tier)

    @property
    def is_overridden(self) -> bool:
        return self.override_tier is not None

    def rule_lines(self) -> list[dict[str, object]]:
        """The rule trail as shown: each rule's name and explanation rendered in the active language from
        the stored codes (`grading.messages`)."""
        return [_rule_line(rule) for rule in self.rules]

    def failed_rules(self) -> list[dict[str, object]]:
        """The failed rules' lines: only those are rendered (a register page lists 50 assessments of some
        eight rules each, most of them passed)."""
        return [_rule_line(rule) for rule in self.rules if rule.get("outcome") == "fail"]

    def tier_reason(self) -> str:
        """Why the suggested tier, in the active language."""
        return render((self.tier_trail or {}).get("reason"))

    def programme_counts(self) -> list[tuple[str, object]]:
        """The programme facts the tier counted, (label in the active language, count)."""
        return [
            (count_label(entry), entry.get("count")) for entry in (self.tier_trail or {}).get("counts", [])
        ]


def _choice_label(choices: type[models.TextChoices], value: str) -> object:
    """The label of `value` among `choices` (the value itself when it is not one, as Django shows it)."""
    return choices(value).label if value in choices._value2member_map_ else value


def _rule_line(rule: dict[str, object]) -> dict[str, object]:
    return {
        "code": rule.get("code"),
        "outcome": rule.get("outcome"),
        "label": rule_label(str(rule.get("code"))),
        "message": render(rule.get("message")),
    }


class TierChange(models.Model):
    """History of every change to a year's register: who, when, from, to and why."""

    class Kind(models.TextChoices):
        SUGGESTED = "suggested", _("系統建議")
        OVERRIDDEN = "overridden", _("人工調整")
        OVERRIDE_CLEARED = "override_cleared", _("取消調整")
        FINALISED = "finalised", _("定案")
        REOPENED = "reopened", _("重新開放")
        THRESHOLDS = "thresholds", _("門檻調整")

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("縣市"))
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    association = models.ForeignKey(
        Association,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tier_changes",
        verbose_name=_("協會"),
        help_text=_("整份清冊的異動（定案、門檻調整）不指定協會。"),
    )
    kind = models.CharField(_("異動類型"), max_length=20, choices=Kind.choices)
    from_tier = models.CharField(_("原分級"), max_length=20, choices=Tier.choices, blank=True)
    to_tier = models.CharField(_("新分級"), max_length=20, choices=Tier.choices, blank=True)
    #: The reason as written into the record: a person's words, or the system's reason in the portal's
    #: language (kept as it was said, whatever the catalogue later says).
    reason = models.TextField(_("理由"), blank=True)
    #: The system's reason as a message code with parameters (`grading.messages`), shown in the reader's
    #: language; empty for a reason a person typed.
    reason_message = models.JSONField(_("理由代碼"), null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("異動者"),
    )
    changed_at = models.DateTimeField(_("異動時間"), default=timezone.now)

    class Meta:
        verbose_name = _("分級異動紀錄")
        verbose_name_plural = _("分級異動紀錄")
        ordering = ["-changed_at", "-pk"]
        indexes = [
            models.Index(fields=["association", "year"], name="tier_change_association_year"),
            models.Index(fields=["county", "year", "changed_at"], name="tier_change_county_year"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_kind_display()}"

    def reason_text(self) -> str:
        """The reason as shown: the system's in the reader's language, a person's as they wrote it."""
        return render(self.reason_message) if self.reason_message else self.reason


class RecomputeRun(models.Model):
    """A county's recompute of a year done in the background (`grading.tasks`): queued by a county officer
    or administrator on the overview, run by the task worker, its counts (or why it failed) kept here and
    shown on the overview. A recompute done inside its request keeps no run."""

    State = TaskState

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="+", verbose_name=_("縣市"))
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("執行者"),
    )
    created_at = models.DateTimeField(_("要求時間"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成時間"), null=True, blank=True)
    state = models.CharField(_("狀態"), max_length=10, choices=TaskState.choices, default=TaskState.QUEUED)
    #: The county's active associations when it was queued (what the recompute goes through).
    associations = models.PositiveIntegerField(_("協會數"), default=0)
    result = models.JSONField(_("結果"), default=dict, blank=True)
    error = models.TextField(_("未完成原因"), blank=True)

    class Meta:
        verbose_name = _("分級重新計算")
        verbose_name_plural = _("分級重新計算")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A double-clicked recompute queues one run (checked under the register's row lock first).
            models.UniqueConstraint(
                fields=["county", "year"],
                condition=Q(state__in=["queued", "running"]),
                name="one_pending_recompute_per_county_year",
            )
        ]

    def __str__(self) -> str:
        return f"{self.county} {self.year} {self.get_state_display()}"

    @property
    def pending(self) -> bool:
        return self.state in (TaskState.QUEUED, TaskState.RUNNING)


class Duty(models.Model):
    """One thing an association has to do, kept from the rules (`grading.duties`) whenever its facts change
    or its year is recomputed, so that the to-do list is read, filtered and paginated in the database.

    A duty stores no state: whether it is overdue, due within 30 days or later is worked out in the query
    from `due_on` against today, so a due date passing shows at once, without a recompute. A duty done on
    time is not kept; one done late keeps the day (`done_on`) and shows only as 逾期已送. The explanation is
    made from the kind, the dates and `params` when shown, in the reader's language."""

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="+", verbose_name=_("協會")
    )
    #: The fiscal year the duty belongs to; none for the board's term, which is no one year's.
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    #: The rule it comes from (a code of `grading.messages.RULE_LABELS`).
    kind = models.CharField(_("事項"), max_length=40)
    due_on = models.DateField(_("期限"), null=True, blank=True)
    done_on = models.DateField(_("逾期辦理日"), null=True, blank=True)
    #: From which day the duty is listed (its due date less the days it is announced ahead); none: always.
    shows_from = models.DateField(_("列出日"), null=True, blank=True)
    #: What the explanation needs beyond the columns (e.g. the meetings that lacked a quorum); the text
    #: itself is made when shown, for the state of the day (`grading.duties.describe`).
    params = models.JSONField(_("參數"), default=dict, blank=True)

    class Meta:
        verbose_name = _("待辦事項")
        verbose_name_plural = _("待辦事項")
        ordering = ["due_on", "pk"]
        # The list picks this year's duties, last year's report, next year's plan and the terms (a bitmap
        # OR over this index); a refresh finds an association's by the foreign key's own index.
        indexes = [models.Index(fields=["year", "kind", "shows_from"], name="duty_year_kind_shows")]

    def __str__(self) -> str:
        return f"{self.association_id} {self.year} {self.kind}"
