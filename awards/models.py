"""The Golden Excellence award (金卓越社區選拔): a county's yearly round, its groups, levels and criteria, the
entries, the judges assigned, their conflicts of interest, their score sheets, and the published results that
become each association's award history.

Scores are Decimal with one decimal place (a paper 評分表 gives whole or half points, e.g. 8.5, and Decimal
sums them exactly); every aggregate is computed in Decimal and rounded half-up to two decimals in
`awards.scoring`. A score row names the criterion version it was given against, so a criterion changed after
scoring started (a new version) never alters a score already given."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from associations.models import Association, County, Township
from core.dates import YEAR_VALIDATORS


class Method(models.TextChoices):
    MEAN = "mean", _("平均數")
    MEDIAN = "median", _("中位數")
    TRIMMED = "trimmed", _("去掉最高與最低分後平均")


class AwardRound(models.Model):
    """One county's round of one year: set up, then scoring (criteria frozen), then published."""

    class State(models.TextChoices):
        SETUP = "setup", _("籌備中")
        SCORING = "scoring", _("評分中")
        PUBLISHED = "published", _("已公布")

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("縣市"))
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    code = models.CharField(_("代碼"), max_length=30, unique=True)
    name = models.CharField(_("名稱"), max_length=100)
    method = models.CharField(_("計分方式"), max_length=10, choices=Method.choices, default=Method.MEAN)
    spread_threshold = models.DecimalField(
        _("評審差距警示門檻"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("10"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("各評審總分最高與最低相差超過此分數時標示。"),
    )
    state = models.CharField(_("狀態"), max_length=20, choices=State.choices, default=State.SETUP)
    scoring_started_at = models.DateTimeField(_("開始評分時間"), null=True, blank=True)
    published_at = models.DateTimeField(_("公布時間"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("公布者"),
    )

    class Meta:
        verbose_name = _("選拔回合")
        verbose_name_plural = _("選拔回合")
        ordering = ["county_id", "-year", "code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("awards:round", args=[self.pk])

    @property
    def criteria_frozen(self) -> bool:
        return self.state != self.State.SETUP

    @property
    def is_published(self) -> bool:
        return self.state == self.State.PUBLISHED


class AwardGroup(models.Model):
    class Kind(models.TextChoices):
        PERFORMANCE = "performance", _("績效組")
        EXCELLENCE = "excellence", _("卓越組")
        FEATURE = "feature", _("單項獎")
        TOWNSHIP = "township", _("公所評鑑")

    round = models.ForeignKey(
        AwardRound, on_delete=models.CASCADE, related_name="groups", verbose_name=_("回合")
    )
    name = models.CharField(_("組別"), max_length=50)
    kind = models.CharField(_("類型"), max_length=20, choices=Kind.choices, default=Kind.PERFORMANCE)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    requires_levels = models.CharField(
        _("參選資格（曾獲等第）"),
        max_length=100,
        blank=True,
        help_text=_("以「、」分隔，例如「優等、甲等」；留空表示不限。"),
    )
    national_quota = models.PositiveSmallIntegerField(_("推薦參加全國評選名額"), default=0)

    class Meta:
        verbose_name = _("組別")
        verbose_name_plural = _("組別")
        ordering = ["round_id", "sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["round", "name"], name="award_group_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def for_townships(self) -> bool:
        return self.kind == self.Kind.TOWNSHIP

    def required_levels(self) -> list[str]:
        return [name.strip() for name in self.requires_levels.split("、") if name.strip()]


class AwardLevel(models.Model):
    """A level of a group (優等, 甲等; 銅質, 銀質, 金質卓越獎), best first by `rank`."""

    group = models.ForeignKey(
        AwardGroup, on_delete=models.CASCADE, related_name="levels", verbose_name=_("組別")
    )
    name = models.CharField(_("等第"), max_length=30)
    rank = models.PositiveSmallIntegerField(_("順位"), help_text=_("1 為最高。"))
    min_score = models.DecimalField(_("最低分數"), max_digits=6, decimal_places=2, null=True, blank=True)
    quota = models.PositiveSmallIntegerField(_("名額"), null=True, blank=True)
    requires_level = models.CharField(
        _("須曾獲等第"), max_length=30, blank=True, help_text=_("例如金質卓越獎須曾獲銀質卓越獎。")
    )

    class Meta:
        verbose_name = _("等第")
        verbose_name_plural = _("等第")
        ordering = ["group_id", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["group", "name"], name="award_level_unique_name"),
            models.UniqueConstraint(fields=["group", "rank"], name="award_level_unique_rank"),
            models.CheckConstraint(
                condition=Q(min_score__isnull=False) | Q(quota__isnull=False),
                name="award_level_needs_score_or_quota",
                violation_error_message=_("等第至少要有最低分數或名額。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Criterion(models.Model):
    """One criterion of a group at one version. Changing a criterion after scoring started adds a version
    (the old one keeps `superseded_at`), so the scores given against the old one stay as they were."""

    group = models.ForeignKey(
        AwardGroup, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("組別")
    )
    position = models.PositiveSmallIntegerField(_("項次"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    name = models.CharField(_("評分項目"), max_length=100)
    max_points = models.DecimalField(
        _("配分"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))]
    )
    description = models.TextField(_("說明"), blank=True)
    superseded_at = models.DateTimeField(_("停用時間"), null=True, blank=True)

    class Meta:
        verbose_name = _("評分項目")
        verbose_name_plural = _("評分項目")
        ordering = ["group_id", "position", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "position", "version"], name="criterion_unique_position_version"
            ),
            models.UniqueConstraint(
                fields=["group", "position"],
                condition=Q(superseded_at__isnull=True),
                name="criterion_one_current_per_position",
            ),
            models.CheckConstraint(condition=Q(max_points__gt=0), name="criterion_max_points_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.max_points}）"


class Entry(models.Model):
    """An association (or, in a 公所評鑑 group, a township office) entered in a group: nominated by its
    township office, accepted by the county."""

    class State(models.TextChoices):
        NOMINATED = "nominated", _("公所推薦")
        ACCEPTED = "accepted", _("縣府受理")

    round = models.ForeignKey(
        AwardRound, on_delete=models.CASCADE, related_name="entries", verbose_name=_("回合")
    )
    group = models.ForeignKey(
        AwardGroup, on_delete=models.PROTECT, related_name="entries", verbose_name=_("組別")
    )
    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("鄉鎮市區")
    )
    # Like its officers and assessments, an association's entries go with it (the registry dissolves rather
    # than deletes; only an administrator deletes, e.g. a duplicate).
    association = models.ForeignKey(
        Association,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="award_entries",
        verbose_name=_("協會"),
        help_text=_("公所評鑑的參選者是公所本身，不指定協會。"),
    )
    state = models.CharField(_("狀態"), max_length=20, choices=State.choices, default=State.NOMINATED)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("建立時間"), default=timezone.now)

    class Meta:
        verbose_name = _("參選者")
        verbose_name_plural = _("參選者")
        ordering = ["round_id", "group_id", "township_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "association"],
                condition=Q(association__isnull=False),
                name="entry_association_once_per_round",
            ),
            models.UniqueConstraint(
                fields=["round", "group", "township"],
                condition=Q(association__isnull=True),
                name="entry_township_once_per_group",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.association.name if self.association_id else f"{self.township.name}公所"


class JudgeAssignment(models.Model):
    round = models.ForeignKey(
        AwardRound, on_delete=models.CASCADE, related_name="judges", verbose_name=_("回合")
    )
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="award_assignments",
        verbose_name=_("評審"),
    )
    assigned_at = models.DateTimeField(_("指派時間"), default=timezone.now)

    class Meta:
        verbose_name = _("評審指派")
        verbose_name_plural = _("評審指派")
        ordering = ["round_id", "pk"]
        constraints = [models.UniqueConstraint(fields=["round", "judge"], name="judge_assigned_once")]

    def __str__(self) -> str:
        return str(self.judge)


class Conflict(models.Model):
    """A conflict of interest between a judge and an entry. While not cleared the judge neither sees nor
    scores the entry and is left out of its aggregates; only a county officer clears one, with a reason."""

    class Source(models.TextChoices):
        OFFICER = "officer", _("評審姓名與協會幹部相同")
        STAFF = "staff", _("評審為該鄉鎮市公所人員")
        JUDGE = "judge", _("評審自行申報")
        COUNTY = "county", _("縣府登錄")

    entry = models.ForeignKey(
        Entry, on_delete=models.CASCADE, related_name="conflicts", verbose_name=_("參選者")
    )
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("評審")
    )
    source = models.CharField(_("來源"), max_length=20, choices=Source.choices)
    detail = models.CharField(_("說明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("建立時間"), default=timezone.now)
    cleared_at = models.DateTimeField(_("解除時間"), null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    clear_reason = models.TextField(_("解除理由"), blank=True)

    class Meta:
        verbose_name = _("利益迴避")
        verbose_name_plural = _("利益迴避")
        ordering = ["entry_id", "judge_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "judge", "source"], name="conflict_unique_per_source"),
            models.CheckConstraint(
                condition=Q(cleared_at__isnull=True) | ~Q(clear_reason=""),
                name="conflict_clear_needs_reason",
                violation_error_message=_("解除迴避必須填寫理由。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.judge} × {self.entry}"

    @property
    def is_active(self) -> bool:
        return self.cleared_at is None


class ScoreSheet(models.Model):
    """One judge's scores of one entry: a draft until submitted; then locked."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已送出")

    entry = models.ForeignKey(
        Entry, on_delete=models.CASCADE, related_name="sheets", verbose_name=_("參選者")
    )
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("評審")
    )
    state = models.CharField(_("狀態"), max_length=20, choices=State.choices, default=State.DRAFT)
    comment = models.TextField(_("評語"), blank=True)
    updated_at = models.DateTimeField(_("更新時間"), default=timezone.now)
    submitted_at = models.DateTimeField(_("送出時間"), null=True, blank=True)

    class Meta:
        verbose_name = _("評分表")
        verbose_name_plural = _("評分表")
        ordering = ["entry_id", "judge_id"]
        constraints = [models.UniqueConstraint(fields=["entry", "judge"], name="sheet_unique_per_judge")]

    def __str__(self) -> str:
        return f"{self.entry} / {self.judge}"

    @property
    def is_submitted(self) -> bool:
        return self.state == self.State.SUBMITTED


class Score(models.Model):
    sheet = models.ForeignKey(
        ScoreSheet, on_delete=models.CASCADE, related_name="scores", verbose_name=_("評分表")
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("評分項目")
    )
    points = models.DecimalField(
        _("分數"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        verbose_name = _("分數")
        verbose_name_plural = _("分數")
        constraints = [
            models.UniqueConstraint(fields=["sheet", "criterion"], name="score_unique_per_criterion"),
            models.CheckConstraint(condition=Q(points__gte=0), name="score_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.points}"


class AwardEvent(models.Model):
    """The round's history: scoring started, criteria versions, conflicts, submissions, a county officer's
    change of a submitted score (from, to, why), publication."""

    class Kind(models.TextChoices):
        SCORING_STARTED = "scoring_started", _("開始評分（評分項目凍結）")
        CRITERION_VERSION = "criterion_version", _("評分項目改版")
        ENTRY_ACCEPTED = "entry_accepted", _("受理參選")
        JUDGE_ASSIGNED = "judge_assigned", _("指派評審")
        CONFLICT_DECLARED = "conflict_declared", _("申報迴避")
        CONFLICT_CLEARED = "conflict_cleared", _("解除迴避")
        SHEET_SUBMITTED = "sheet_submitted", _("送出評分")
        SCORE_CHANGED = "score_changed", _("縣府修改分數")
        SCORES_IMPORTED = "scores_imported", _("匯入分數")
        PUBLISHED = "published", _("公布結果")

    round = models.ForeignKey(
        AwardRound, on_delete=models.CASCADE, related_name="events", verbose_name=_("回合")
    )
    kind = models.CharField(_("類型"), max_length=30, choices=Kind.choices)
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    detail = models.JSONField(_("內容"), default=dict, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("時間"), default=timezone.now)

    class Meta:
        verbose_name = _("選拔異動紀錄")
        verbose_name_plural = _("選拔異動紀錄")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="score_changed") | ~Q(reason=""),
                name="award_event_change_needs_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class AwardResult(models.Model):
    """A published result: the association's (or township office's) award history. Written once, at
    publication, from the computed results (all the results page shows, which then reads it rather than
    computing the round again); eligibility and the tier rule read it."""

    round = models.ForeignKey(
        AwardRound, on_delete=models.CASCADE, related_name="results", verbose_name=_("回合")
    )
    entry = models.OneToOneField(
        Entry, on_delete=models.CASCADE, related_name="result", verbose_name=_("參選者")
    )
    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, null=True, blank=True, related_name="award_results"
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    group_name = models.CharField(_("組別"), max_length=50)
    rank = models.PositiveIntegerField(_("名次"), null=True, blank=True)
    score = models.DecimalField(_("總分"), max_digits=7, decimal_places=2, null=True, blank=True)
    judges_counted = models.PositiveSmallIntegerField(_("評審人數"), default=0)
    judge_totals = models.JSONField(_("各評審總分"), default=list, blank=True)
    #: The counted judges (user pks), in the order of `judge_totals`: the results page's judge columns.
    judge_ids = models.JSONField(_("評審"), default=list, blank=True)
    spread = models.DecimalField(_("差距"), max_digits=7, decimal_places=1, null=True, blank=True)
    spread_flag = models.BooleanField(_("評審差距過大"), default=False)
    normalised = models.DecimalField(_("標準化"), max_digits=7, decimal_places=2, null=True, blank=True)
    level = models.CharField(_("等第"), max_length=30, blank=True)
    national_nominee = models.BooleanField(_("推薦參加全國評選"), default=False)

    class Meta:
        verbose_name = _("選拔結果")
        verbose_name_plural = _("選拔結果")
        ordering = ["-year", "round_id", "group_name", F("rank").asc(nulls_last=True)]
        indexes = [models.Index(fields=["association", "year"], name="award_result_association_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.group_name} {self.level}"
