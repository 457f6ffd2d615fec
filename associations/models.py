import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import YEAR_VALIDATORS, format_roc, format_roc_year
from core.models import ImportedChange
from core.roles import Role
from core.text import association_name_key, normalize_place

# --- Geography -------------------------------------------------------------------------------------------


class County(models.Model):
    name = models.CharField(_("縣市"), max_length=10, unique=True)

    class Meta:
        verbose_name = _("縣市")
        verbose_name_plural = _("縣市")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ServiceRegion(models.Model):
    """A county's grouping of townships for field work (苗栗: 竹南區, 苗栗區, 通苑區, 頭份區, 獅潭區)."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="service_regions")
    name = models.CharField(_("服務區"), max_length=20)

    class Meta:
        verbose_name = _("服務區")
        verbose_name_plural = _("服務區")
        ordering = ["county", "name"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="service_region_unique_per_county")
        ]

    def __str__(self) -> str:
        return self.name


class TownshipQuerySet(models.QuerySet["Township"]):
    def lookup(self, name: str, *, county: str | None = None) -> "Township | None":
        """Find a township as spreadsheets and people write it: 台 or 臺, with or without its suffix, and
        optionally prefixed by its county (苗栗縣竹南鎮). A name two counties share matches nothing unless
        `county` (or the prefix) says which: lookups fail closed."""
        wanted = normalize_place(name)
        if not wanted:
            return None
        qs = self.select_related("county")
        if county:
            qs = qs.filter(county__name=normalize_place(county))
        matches = [
            township
            for township in qs
            if wanted in township.names() or wanted in {township.county.name + n for n in township.names()}
        ]
        return matches[0] if len(matches) == 1 else None


class Township(models.Model):
    class Kind(models.TextChoices):
        RURAL = "鄉", _("鄉")
        URBAN = "鎮", _("鎮")
        CITY = "市", _("市")
        DISTRICT = "區", _("區")

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="townships", verbose_name=_("縣市")
    )
    name = models.CharField(_("鄉鎮市區"), max_length=10)
    kind = models.CharField(_("類型"), max_length=1, choices=Kind.choices)
    service_region = models.ForeignKey(
        ServiceRegion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="townships",
        verbose_name=_("服務區"),
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = TownshipQuerySet.as_manager()

    class Meta:
        verbose_name = _("鄉鎮市區")
        verbose_name_plural = _("鄉鎮市區")
        ordering = ["county__name", "sort_order", "name"]
        constraints = [models.UniqueConstraint(fields=["county", "name"], name="township_unique_per_county")]

    def __str__(self) -> str:
        return self.name

    @property
    def short_name(self) -> str:
        """竹南鎮 → 竹南; a two-character name such as 東勢 keeps no suffix to drop."""
        if len(self.name) > 2 and self.name.endswith(self.kind):
            return self.name[:-1]
        return self.name

    def names(self) -> set[str]:
        return {self.name, self.short_name}


class Village(models.Model):
    class Kind(models.TextChoices):
        VILLAGE = "村", _("村")
        NEIGHBOURHOOD = "里", _("里")

    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="villages")
    name = models.CharField(_("村里"), max_length=20)
    kind = models.CharField(_("類型"), max_length=1, choices=Kind.choices)

    class Meta:
        verbose_name = _("村里")
        verbose_name_plural = _("村里")
        ordering = ["township", "name"]
        constraints = [
            models.UniqueConstraint(fields=["township", "name"], name="village_unique_per_township")
        ]

    def __str__(self) -> str:
        return self.name


# --- Associations ----------------------------------------------------------------------------------------


class AssociationQuerySet(models.QuerySet["Association"]):
    def visible_to(self, user: object) -> "AssociationQuerySet":
        """The rows `user` may see. Decided in `associations.access`; anything unknown sees nothing."""
        from associations.access import scope_associations

        return scope_associations(self, user)

    def active(self) -> "AssociationQuerySet":
        return self.exclude(status=Association.Status.DISSOLVED)

    def with_current_chair(self, on: datetime.date | None = None) -> "AssociationQuerySet":
        """Annotate `current_chair_name` in the same query, so lists stay at a fixed query count."""
        chairs = (
            Officer.objects.current(on)
            .filter(association=OuterRef("pk"), position=Officer.Position.CHAIR)
            .order_by(F("term_start").desc(nulls_last=True), "-pk")
        )
        return self.annotate(current_chair_name=Subquery(chairs.values("name")[:1]))


class Association(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("運作中")
        REORGANISING = "reorganising", _("限期整理中")
        DISSOLVED = "dissolved", _("已解散")

    name = models.CharField(_("協會名稱"), max_length=100)
    #: `core.text.association_name_key` of the name: one association per key in a township.
    name_key = models.CharField(_("名稱比對鍵"), max_length=200, editable=False)
    #: No index of its own: the unique (township, name) and (township, name_key) and the (township, status)
    #: indexes all start with it.
    township = models.ForeignKey(
        Township,
        on_delete=models.PROTECT,
        related_name="associations",
        verbose_name=_("鄉鎮市區"),
        db_index=False,
    )
    villages = models.ManyToManyField(
        Village, blank=True, related_name="associations", verbose_name=_("涵蓋村里")
    )
    registration_number = models.CharField(
        _("立案字號"), max_length=60, blank=True, help_text=_("可留空；實際名冊常有空白或重複的字號。")
    )
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    term_number = models.PositiveSmallIntegerField(_("屆期"), null=True, blank=True)
    address = models.CharField(_("會址"), max_length=200, blank=True)
    phone = models.CharField(_("聯絡電話"), max_length=50, blank=True)
    email = models.EmailField(_("電子郵件"), blank=True)
    member_count = models.PositiveIntegerField(_("會員人數"), null=True, blank=True)
    #: Indexed by `association_status` (a plain btree: `db_index` would add a LIKE index never used) and
    #: with the township (`association_township_status`).
    status = models.CharField(_("狀態"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    dissolved_on = models.DateField(_("解散日期"), null=True, blank=True)
    local_features = models.TextField(_("社區特色（人文地產景）"), blank=True)
    runs_care_station = models.BooleanField(_("設有社區照顧關懷據點"), default=False)
    board_meeting_interval_months = models.PositiveSmallIntegerField(
        _("理監事會應召開間隔（月）"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("依法至少每 6 個月召開一次；章程規定每 3 個月者請改為 3。"),
    )
    notes = models.TextField(_("備註"), blank=True)
    created_at = models.DateTimeField(_("建立時間"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新時間"), auto_now=True)

    history = HistoricalRecords(
        m2m_fields=[villages],
        excluded_fields=["name_key"],
        verbose_name=_("協會異動紀錄"),
        bases=[ImportedChange],
    )
    objects = AssociationQuerySet.as_manager()

    class Meta:
        verbose_name = _("社區發展協會")
        verbose_name_plural = _("社區發展協會")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["township", "name"], name="association_unique_name_per_township"),
            models.UniqueConstraint(
                fields=["township", "name_key"],
                name="association_unique_name_key_per_township",
                violation_error_message=_(
                    "這個鄉鎮市區已有名稱相同的協會（台/臺、空白或全形半形的差異視為相同）。"
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["township", "status"], name="association_township_status"),
            models.Index(fields=["status"], name="association_status"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        # The key is derived from the name, never typed: keep it in step on every save that writes the name
        # or the township (bulk writes set it themselves, as the roster import and the demo do).
        update_fields = kwargs.get("update_fields")
        if update_fields is None or {"name", "township"} & set(update_fields):
            self.name_key = self.key_for(self.name, self.township)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "name_key"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("associations:detail", args=[self.pk])

    @staticmethod
    def key_for(name: str, township: Township) -> str:
        return association_name_key(name, county=township.county.name, township=township.name)

    def clean(self) -> None:
        if self.name and self.township_id:
            self.name_key = self.key_for(self.name, self.township)
        if self.dissolved_on is not None and self.status != Association.Status.DISSOLVED:
            raise ValidationError({"dissolved_on": _("只有已解散的協會才有解散日期。")})


class OfficerQuerySet(models.QuerySet["Officer"]):
    def current(self, on: datetime.date | None = None) -> "OfficerQuerySet":
        """Officers whose term covers `on` (today by default); an open start or end counts as covering."""
        on = on or timezone.localdate()
        return self.filter(
            Q(term_start__isnull=True) | Q(term_start__lte=on),
            Q(term_end__isnull=True) | Q(term_end__gte=on),
        )


class Officer(models.Model):
    class Position(models.TextChoices):
        CHAIR = "chair", _("理事長")
        EXECUTIVE_SECRETARY = "executive_secretary", _("總幹事")
        STANDING_DIRECTOR = "standing_director", _("常務理事")
        DIRECTOR = "director", _("理事")
        STANDING_SUPERVISOR = "standing_supervisor", _("常務監事")
        SUPERVISOR = "supervisor", _("監事")
        ALTERNATE_DIRECTOR = "alternate_director", _("候補理事")
        ALTERNATE_SUPERVISOR = "alternate_supervisor", _("候補監事")
        TEAM_LEADER = "team_leader", _("班隊隊長")

    # No index of its own: officer_association_position starts with it.
    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="officers", verbose_name=_("協會"), db_index=False
    )
    position = models.CharField(_("職稱"), max_length=30, choices=Position.choices)
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("聯絡電話"), max_length=50, blank=True)
    term_start = models.DateField(_("任期起日"), null=True, blank=True)
    term_end = models.DateField(_("任期迄日"), null=True, blank=True)
    note = models.CharField(_("備註"), max_length=100, blank=True, help_text=_("例如：補選、代理。"))

    history = HistoricalRecords(verbose_name=_("幹部異動紀錄"), bases=[ImportedChange])
    objects = OfficerQuerySet.as_manager()

    # Position order for display: chair first, team leaders last.
    POSITION_ORDER = {value: index for index, value in enumerate(Position.values)}

    class Meta:
        verbose_name = _("幹部")
        verbose_name_plural = _("幹部")
        ordering = ["association", "position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_start__isnull=True)
                | Q(term_end__isnull=True)
                | Q(term_end__gte=F("term_start")),
                name="officer_term_ends_after_it_starts",
                violation_error_message=_("任期迄日不可早於任期起日。"),
            ),
        ]
        indexes = [models.Index(fields=["association", "position"], name="officer_association_position")]

    def __str__(self) -> str:
        return f"{self.get_position_display()} {self.name}"

    def get_absolute_url(self) -> str:
        return self.association.get_absolute_url()

    def is_current(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return (self.term_start is None or self.term_start <= on) and (
            self.term_end is None or self.term_end >= on
        )


# --- Staff -----------------------------------------------------------------------------------------------


class StaffMembership(models.Model):
    """A portal user's role; for township staff the one township they serve (their county is its county),
    for a county officer the one county they serve, for an administrator the county they work on now."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="membership",
        verbose_name=_("使用者"),
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    township = models.ForeignKey(
        Township,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("所屬公所"),
    )
    county = models.ForeignKey(
        County,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("所屬縣市"),
        help_text=_("縣府承辦人所屬的縣市；系統管理者目前作業的縣市。公所承辦人依其鄉鎮市區，不另指定。"),
    )

    class Meta:
        verbose_name = _("人員角色")
        verbose_name_plural = _("人員角色")
        constraints = [
            models.CheckConstraint(
                condition=(Q(role=Role.TOWNSHIP) & Q(township__isnull=False))
                | (~Q(role=Role.TOWNSHIP) & Q(township__isnull=True)),
                name="membership_township_iff_township_role",
                violation_error_message=_("公所承辦人必須指定一個鄉鎮市區，其他角色不可指定。"),
            ),
            models.CheckConstraint(
                condition=Q(role__in=[Role.COUNTY, Role.ADMIN]) | Q(county__isnull=True),
                name="membership_county_only_for_county_roles",
                violation_error_message=_("只有縣府承辦人與系統管理者可以指定縣市。"),
            ),
        ]

    def __str__(self) -> str:
        place = self.township if self.township_id else self.county if self.county_id else None
        suffix = f"（{place}）" if place is not None else ""
        return f"{self.user} - {self.get_role_display()}{suffix}"


# --- Compliance facts ------------------------------------------------------------------------------------
# What township staff record each year for the compliance check (會務財務清查). Facts only: the judgments
# drawn from them (status, tier) live in `grading`.


def _not_in_future(value: datetime.date | None, label: str, errors: dict[str, list[str]], field: str) -> None:
    # The local date is never more than a day behind UTC's, so a date before UTC's today is not in the
    # future: the common case answered without the time-zone lookup, which was ~40% of validating a
    # bulk import's meetings.
    if value is None or value < timezone.now().date():
        return
    if value > timezone.localdate():
        errors.setdefault(field, []).append(_("%(label)s不可晚於今天。") % {"label": label})


class Meeting(models.Model):
    class Kind(models.TextChoices):
        GENERAL_ASSEMBLY = "general_assembly", _("會員大會")
        BOARD = "board", _("理事會")
        SUPERVISORY = "supervisory", _("監事會")
        JOINT = "joint", _("理監事聯席會議")

    # No index of its own: meeting_association_held_on and the unique constraint start with it.
    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("協會"), db_index=False
    )
    kind = models.CharField(_("會議種類"), max_length=20, choices=Kind.choices)
    held_on = models.DateField(_("開會日期"))
    quorum_met = models.BooleanField(
        _("出席達法定人數"), default=True, help_text=_("未達法定人數的會議不計入應召開次數。")
    )
    minutes_filed_on = models.DateField(_("會議紀錄送府日期"), null=True, blank=True)
    note = models.CharField(_("備註"), max_length=200, blank=True)

    history = HistoricalRecords(verbose_name=_("會議異動紀錄"), bases=[ImportedChange])

    class Meta:
        verbose_name = _("會議")
        verbose_name_plural = _("會議")
        ordering = ["association", "held_on", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "kind", "held_on"],
                name="meeting_unique_per_kind_and_day",
                violation_error_message=_("同一天已登錄過同種類的會議。"),
            ),
            models.CheckConstraint(
                condition=Q(minutes_filed_on__isnull=True) | Q(minutes_filed_on__gte=F("held_on")),
                name="meeting_minutes_after_meeting",
                violation_error_message=_("會議紀錄送府日期不可早於開會日期。"),
            ),
        ]
        indexes = [models.Index(fields=["association", "held_on"], name="meeting_association_held_on")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on.isoformat()}"

    def get_absolute_url(self) -> str:
        return reverse("associations:compliance", args=[self.association_id, self.held_on.year])

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        _not_in_future(self.held_on, _("開會日期"), errors, "held_on")
        _not_in_future(self.minutes_filed_on, _("會議紀錄送府日期"), errors, "minutes_filed_on")
        if self.held_on and self.minutes_filed_on and self.minutes_filed_on < self.held_on:
            errors.setdefault("minutes_filed_on", []).append(_("會議紀錄送府日期不可早於開會日期。"))
        founded_on = self.association.founded_on if self.association_id else None
        if self.held_on and founded_on and self.held_on < founded_on:
            errors.setdefault("held_on", []).append(
                _("開會日期 %(day)s 早於協會成立日期 %(founded)s。")
                % {"day": format_roc(self.held_on), "founded": format_roc(founded_on)}
            )
        dissolved_on = self.association.dissolved_on if self.association_id else None
        if self.held_on and dissolved_on and self.held_on > dissolved_on:
            errors.setdefault("held_on", []).append(
                _("開會日期 %(day)s 晚於協會解散日期 %(dissolved)s。")
                % {"day": format_roc(self.held_on), "dissolved": format_roc(dissolved_on)}
            )
        if errors:
            raise ValidationError(errors)


class YearlyFiling(models.Model):
    """The papers an association files for one fiscal (calendar) year: the work plan and budget before the
    year begins, the work report and final accounts after it ends."""

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="yearly_filings", verbose_name=_("協會")
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    plan_budget_filed_on = models.DateField(_("工作計畫及預算送府日期"), null=True, blank=True)
    report_accounts_filed_on = models.DateField(_("工作報告及決算送府日期"), null=True, blank=True)
    note = models.TextField(_("備註"), blank=True)

    history = HistoricalRecords(verbose_name=_("年度書表異動紀錄"), bases=[ImportedChange])

    class Meta:
        verbose_name = _("年度書表送府")
        verbose_name_plural = _("年度書表送府")
        ordering = ["association", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "year"],
                name="yearly_filing_unique_per_year",
                violation_error_message=_("這個年度已有送府紀錄。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.association} {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("associations:compliance", args=[self.association_id, self.year])

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        _not_in_future(self.plan_budget_filed_on, _("工作計畫及預算送府日期"), errors, "plan_budget_filed_on")
        _not_in_future(
            self.report_accounts_filed_on, _("工作報告及決算送府日期"), errors, "report_accounts_filed_on"
        )
        if self.year and self.plan_budget_filed_on and self.plan_budget_filed_on.year < self.year - 1:
            errors.setdefault("plan_budget_filed_on", []).append(
                _("工作計畫及預算送府日期早於前一年度，請確認年度是否正確。")
            )
        if self.year and self.plan_budget_filed_on and self.plan_budget_filed_on.year > self.year:
            errors.setdefault("plan_budget_filed_on", []).append(
                _("工作計畫及預算應於年度開始前送府，%(day)s 已在%(year)s結束之後，請確認年度或日期。")
                % {"day": format_roc(self.plan_budget_filed_on), "year": format_roc_year(self.year)}
            )
        if self.year and self.report_accounts_filed_on and self.report_accounts_filed_on.year <= self.year:
            errors.setdefault("report_accounts_filed_on", []).append(
                _("工作報告及決算應於年度結束後送府，%(day)s 在%(year)s結束之前，請確認年度或日期。")
                % {"day": format_roc(self.report_accounts_filed_on), "year": format_roc_year(self.year)}
            )
        if errors:
            raise ValidationError(errors)


class Election(models.Model):
    """One board election (改選): the term it opened and when that term ends."""

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="elections", verbose_name=_("協會")
    )
    term_number = models.PositiveSmallIntegerField(_("屆次"), null=True, blank=True)
    elected_on = models.DateField(_("改選日期"), null=True, blank=True)
    term_ends_on = models.DateField(_("任期屆滿日"))
    note = models.CharField(_("備註"), max_length=200, blank=True)

    history = HistoricalRecords(verbose_name=_("改選異動紀錄"), bases=[ImportedChange])

    class Meta:
        verbose_name = _("理監事改選")
        verbose_name_plural = _("理監事改選")
        ordering = ["association", "term_ends_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "term_number"],
                condition=Q(term_number__isnull=False),
                name="election_unique_term_number",
                violation_error_message=_("這一屆的改選已登錄過。"),
            ),
            models.CheckConstraint(
                condition=Q(elected_on__isnull=True) | Q(term_ends_on__gt=F("elected_on")),
                name="election_term_ends_after_election",
                violation_error_message=_("任期屆滿日必須晚於改選日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.association} {self.term_ends_on.isoformat()}"

    def get_absolute_url(self) -> str:
        return reverse("associations:compliance", args=[self.association_id, self.term_ends_on.year])

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        _not_in_future(self.elected_on, _("改選日期"), errors, "elected_on")
        if self.elected_on and self.term_ends_on and self.term_ends_on <= self.elected_on:
            errors.setdefault("term_ends_on", []).append(_("任期屆滿日必須晚於改選日期。"))
        if errors:
            raise ValidationError(errors)


class ProgrammeProfile(models.Model):
    """What an association runs beyond its meetings: the countable programme facts tiering looks at."""

    association = models.OneToOneField(
        Association, on_delete=models.CASCADE, related_name="programme", verbose_name=_("協會")
    )
    care_station_since = models.DateField(_("關懷據點設立日期"), null=True, blank=True)
    volunteer_team = models.BooleanField(_("設有志工隊"), default=False)
    volunteer_count = models.PositiveIntegerField(_("志工人數"), null=True, blank=True)
    regular_services = models.TextField(
        _("其他經常性服務"), blank=True, help_text=_("每行一項，例如：老人共餐、課後陪讀、社區巡守。")
    )
    updated_at = models.DateTimeField(_("更新時間"), auto_now=True)

    history = HistoricalRecords(verbose_name=_("方案資料異動紀錄"), bases=[ImportedChange])

    class Meta:
        verbose_name = _("方案資料")
        verbose_name_plural = _("方案資料")

    def __str__(self) -> str:
        return str(self.association)

    def get_absolute_url(self) -> str:
        return self.association.get_absolute_url()

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        _not_in_future(self.care_station_since, _("關懷據點設立日期"), errors, "care_station_since")
        if self.volunteer_count and not self.volunteer_team:
            errors.setdefault("volunteer_team", []).append(_("填寫了志工人數，請一併勾選「設有志工隊」。"))
        if errors:
            raise ValidationError(errors)

    def service_list(self) -> list[str]:
        return service_lines(self.regular_services)


def service_lines(text: str) -> list[str]:
    """The regular services written one a line (or separated by 、), blanks dropped."""
    return [item.strip() for line in text.splitlines() for item in line.split("、") if item.strip()]
